// Package runnerproto holds the runner protocol's paths and bodies (HTTP + JSON
// under /rpc/v1), shared by the server's handlers (server/runnerapi) and the
// runner's client (runner/rpcclient).
//
// Every call carries "Authorization: Bearer <token>": the registration
// token for Register, the runner token for the rest. Errors are answered
// with a 4xx/5xx status and {"error": "…", "code": "<core code>"}.
//
//	POST /rpc/v1/register              RegisterRequest → 201 RegisterResponse
//	POST /rpc/v1/request               RequestBody → 200 core.StageDetails | 204 (nothing within the long-poll)
//	GET  /rpc/v1/stages/{id}           → 200 core.StageDetails
//	PUT  /rpc/v1/stages/{id}           core.Stage → 200 core.Stage
//	PUT  /rpc/v1/steps/{id}            core.Step → 200 core.Step
//	POST /rpc/v1/steps/{id}/logs       []core.LogLine → 204
//	POST /rpc/v1/watch                 WatchRequest → 200 WatchResponse | 204 (no cancel within the long-poll)
//	POST /rpc/v1/heartbeat             [HeartbeatRequest] → 200 HeartbeatResponse
//	POST /rpc/v1/mirrors/{id}/fetches  core.MirrorFetch → 200 core.MirrorReportAnswer
//
// A stage answered to /request is already running and held by the runner:
// there is no separate accept. One watch per runner (not per stage) tells
// it of cancels, and each heartbeat's answer lists the stages the server
// counts as held, so a runner learns of a stage it lost, and how often to
// beat (a third of the server's stage lease). A stage's final
// report may carry, in "steps", the final state of its steps not yet
// reported (the runner sends the step that ended last that way). A step's
// final state, alone or in a stage's report, may carry in "logs" its last
// lines, stored with it: the runner reports a step's start and first lines
// only once the step has run for 50 ms, so a shorter step costs no call
// of its own.
//
// Mirrors: a runner that watches mirrors sends a HeartbeatRequest with its
// offer (its mirror weight, the cursor of the changes it applied, and
// disk_full while its clones' disk is full, which counts as no weight) and
// keeps beating while idle; the answer's Mirrors are its mirrors added and
// removed since that cursor (never its whole share, but when the cursor is
// 0). It reports each fetch to /mirrors/{id}/fetches; a mirror it no
// longer holds is answered 409, and it drops it.
package runnerproto

import "github.com/drover-ci/drover/core"

// Prefix is where the protocol lives.
const Prefix = "/rpc/v1"

// LongPoll is how long the server holds a request or watch call open
// before answering 204.
const LongPoll = 30

// RegisterRequest describes the runner that registers.
type RegisterRequest struct {
	Name     string            `json:"name"`
	Labels   map[string]string `json:"labels,omitempty"`
	Engines  []string          `json:"engines,omitempty"`
	OS       string            `json:"os,omitempty"`
	Arch     string            `json:"arch,omitempty"`
	Capacity int               `json:"capacity,omitempty"`
	Version  string            `json:"version,omitempty"`
}

// RegisterResponse carries the runner token, shown only this once.
type RegisterResponse struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Token string `json:"token"`
}

// RequestBody is what a runner can take now. The server records it on the
// runner (engines come and go with their health).
type RequestBody struct {
	Engines  []string          `json:"engines"`
	Labels   map[string]string `json:"labels,omitempty"`
	OS       string            `json:"os,omitempty"`
	Arch     string            `json:"arch,omitempty"`
	Capacity int               `json:"capacity,omitempty"`
	Version  string            `json:"version,omitempty"`
	// Machine is recorded on the stage handed out (the runner's host).
	Machine string `json:"machine,omitempty"`
}

// WatchRequest names the stages whose cancel the runner already knows of.
type WatchRequest struct {
	Ignore []int64 `json:"ignore,omitempty"`
}

// WatchResponse lists the runner's stages that must stop.
type WatchResponse struct {
	Cancelled []int64 `json:"cancelled"`
}

// HeartbeatResponse lists the stages the server counts as held by the
// runner, their leases renewed, and how often the server wants heartbeats
// (a third of its stage lease; runners follow it).
type HeartbeatResponse struct {
	Held       []int64 `json:"held"`
	IntervalMS int64   `json:"interval_ms,omitempty"`
	// Mirrors answers a request's Mirror offer (absent without one, or
	// when the server watches no mirrors).
	Mirrors *core.MirrorDelta `json:"mirrors,omitempty"`
}

// HeartbeatRequest is a heartbeat's optional body.
type HeartbeatRequest struct {
	// Mirror offers to watch mirrors (see core.MirrorOffer).
	Mirror *core.MirrorOffer `json:"mirror,omitempty"`
}

// MirrorFetchPath is where a runner reports a fetch of mirror id.
func MirrorFetchPath(id string) string { return "/mirrors/" + id + "/fetches" }

// ErrorBody is every error answer.
type ErrorBody struct {
	Error string `json:"error"`
	Code  string `json:"code,omitempty"`
}
