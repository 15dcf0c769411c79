package core

import "context"

// Store is Drover's persistence, composed of one small store per entity.
// Implementations are safe for concurrent use by many goroutines and, for a
// shared database, by several server processes.
type Store interface {
	Users() UserStore
	Tokens() TokenStore
	Repos() RepoStore
	Builds() BuildStore
	Stages() StageStore
	Steps() StepStore
	Logs() LogStore
	Runners() RunnerStore
	RunnerTokens() RunnerTokenStore
	Perms() PermStore
	Syncs() SyncStore
	Secrets() SecretStore
	Registries() RegistryStore
	Crons() CronStore
	RunnerStates() RunnerStateStore
	Sessions() SessionStore
	Mirrors() MirrorStore
	MirrorLeases() MirrorLeaseStore
	// Queue is the stages' queue, on the same database.
	Queue() Queue
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}
