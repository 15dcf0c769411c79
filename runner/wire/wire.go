// Package wire holds the runner protocol's paths and bodies (HTTP + JSON
// under /rpc/v1), shared by the server's handlers (server/rpc) and the
// runner's client (runner/rpcclient).
//
// Every call carries "Authorization: Bearer <token>": the registration
// token for Register, the runner token for the rest. Errors are answered
// with a 4xx/5xx status and {"error": "…", "code": "<core code>"}.
//
//	POST /rpc/v1/register              RegisterRequest → 201 RegisterResponse
//	POST /rpc/v1/request               RequestBody → 200 core.Stage | 204 (nothing within the long-poll)
//	POST /rpc/v1/stages/{id}/accept    AcceptRequest → 200 core.Stage
//	GET  /rpc/v1/stages/{id}           → 200 core.StageDetails
//	PUT  /rpc/v1/stages/{id}           core.Stage → 200 core.Stage
//	POST /rpc/v1/stages/{id}/watch     → 200 WatchResponse | 204 (no news within the long-poll)
//	PUT  /rpc/v1/steps/{id}            core.Step → 200 core.Step
//	POST /rpc/v1/steps/{id}/logs       []core.LogLine → 204
//	POST /rpc/v1/heartbeat             → 204
package wire

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
}

// AcceptRequest confirms receipt of a claimed stage.
type AcceptRequest struct {
	Machine string `json:"machine"`
}

// WatchResponse answers a watch: Cancelled when the stage must stop,
// else the stage finished.
type WatchResponse struct {
	Cancelled bool `json:"cancelled"`
}

// ErrorBody is every error answer.
type ErrorBody struct {
	Error string `json:"error"`
	Code  string `json:"code,omitempty"`
}
