// Package core holds Drover's domain: the types every other package
// speaks (users, repositories, builds, stages, steps, logs, secrets,
// runners, events, compiled specs), the coded errors, and the four
// interfaces the rest of the system is built around — Remote (a source-code
// host), Engine (where steps run), Store (persistence) and Limiter (policy).
// It imports only the standard library.
package core
