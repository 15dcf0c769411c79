package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/drover-ci/drover/core"
)

// Event types of GET /api/stream that Events passes on.
const (
	EventBuild  = "build"
	EventStage  = "stage"
	EventStep   = "step"
	EventResync = "resync" // events may have been missed: re-read what you show
)

// Event is one change on the server's event stream: which build (and
// stage or step) changed, and its status. Read the build for the rest.
type Event struct {
	ID          string      `json:"id"`
	Type        string      `json:"type"`
	RepoID      int64       `json:"repo_id"`
	BuildID     int64       `json:"build_id"`
	BuildNumber int64       `json:"build_number,omitempty"`
	StageID     int64       `json:"stage_id,omitempty"`
	StepID      int64       `json:"step_id,omitempty"`
	Status      core.Status `json:"status,omitempty"`
}

// Events follows GET /api/stream: opened is called once the server
// answered (what changes from then on is sent), then fn with each event
// the user may see, until ctx ends, fn fails or the stream ends (nil
// error: the server closed it).
func (c *Client) Events(ctx context.Context, opened func(), fn func(*Event) error) error {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: "/api/stream",
		header: http.Header{"Accept": {"text/event-stream"}}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	opened()
	return readEvents(resp.Body, func(event, data string) (bool, error) {
		if event == "" {
			return false, nil // a keep-alive comment
		}
		e := &Event{Type: event}
		if data != "" {
			if err := json.Unmarshal([]byte(data), e); err != nil {
				return false, fmt.Errorf("an event of the stream: %w", err)
			}
		}
		return false, fn(e)
	})
}
