// Package mirrors is the server's side of mirror watching: which runner
// watches which mirror (weighted rendezvous hashing over the live runners
// offering the mirror capability, kept as lease rows), what each runner
// learns in its heartbeat's answer (the changes since its cursor), and
// what a fetch's report does (records it, backs off, pauses, and creates
// one build per new head of a watched branch from the pipeline file the
// runner read at the commit).
package mirrors
