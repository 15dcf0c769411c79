package core

// Event kinds a remote reports from a webhook.
const (
	EventPush        = "push"
	EventTag         = "tag"
	EventPullRequest = "pull_request"
	EventCustom      = "custom" // manual trigger
	EventCron        = "cron"
	EventPromote     = "promote"
	EventMirror      = "mirror"
	EventRepo        = "repo" // repository created, renamed, deleted, ...
	EventIgnored     = "ignored"
)

// Repository event actions (Event.Action when Kind is EventRepo).
const (
	ActionCreated     = "created"
	ActionDeleted     = "deleted"
	ActionRenamed     = "renamed"
	ActionTransferred = "transferred"
	ActionVisibility  = "visibility"
	ActionMembership  = "membership"
)

// Event is what a remote makes of an incoming webhook. Kind says which of
// the optional parts is set.
type Event struct {
	Kind     string      `json:"kind"`
	Action   string      `json:"action,omitempty"` // pull request: opened, synchronized, reopened, closed
	Delivery string      `json:"delivery,omitempty"`
	Repo     *RemoteRepo `json:"repo,omitempty"`
	// OldSlug is a renamed or transferred repository's previous owner/name.
	OldSlug string `json:"old_slug,omitempty"`
	Commit  *Hook  `json:"commit,omitempty"` // set for push, tag and pull request
	Sender  string `json:"sender,omitempty"`
	Reason  string `json:"reason,omitempty"` // why an event was ignored
}

// Hook is the commit part of a push, tag or pull-request event.
type Hook struct {
	Ref     string `json:"ref"`
	Before  string `json:"before,omitempty"`
	After   string `json:"after"`
	Source  string `json:"source,omitempty"`
	Target  string `json:"target,omitempty"`
	Fork    string `json:"fork,omitempty"`
	Message string `json:"message,omitempty"`
	Author  string `json:"author,omitempty"`
	Email   string `json:"email,omitempty"`
	Link    string `json:"link,omitempty"`
	PR      int    `json:"pr,omitempty"`
}
