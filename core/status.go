package core

// Status is the state of a build, stage or step.
type Status string

// The statuses. A stage moves waiting → pending → running → a finished
// status; blocked and declined belong to builds that need approval.
const (
	StatusBlocked  Status = "blocked"  // needs approval before it may run
	StatusDeclined Status = "declined" // approval refused
	StatusWaiting  Status = "waiting"  // waits for the stages it depends on
	StatusPending  Status = "pending"  // queued, matchable by a runner
	StatusRunning  Status = "running"
	StatusSuccess  Status = "success"
	StatusFailure  Status = "failure"
	StatusError    Status = "error" // infrastructure error, not the user's code
	StatusKilled   Status = "killed"
	StatusSkipped  Status = "skipped"
)

// Done reports whether s is a final status.
func (s Status) Done() bool {
	switch s {
	case StatusDeclined, StatusSuccess, StatusFailure, StatusError, StatusKilled, StatusSkipped:
		return true
	}
	return false
}

// Failed reports whether s is a final status that counts as failed.
func (s Status) Failed() bool {
	return s == StatusFailure || s == StatusError || s == StatusKilled
}
