package store

// Connect opens a store without migrating it, for upgrade tests.
var Connect = connect

// MigrateUpTo applies the first n migrations only.
var MigrateUpTo = migrateUpTo
