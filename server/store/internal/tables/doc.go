// Package tables holds the rows of the tables that both the entity stores
// (server/store) and the queue (server/store/queue) read and write, with
// their conversions to and from core's types. Each row keeps the alias bun
// gave it when it was declared in server/store (stage_row, …), so the SQL
// that names it is unchanged.
package tables
