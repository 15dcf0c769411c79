package webhooks

import (
	"context"
	"fmt"

	"github.com/drover-ci/drover/core"
)

// Payload is the JSON body of a delivery (as Drone's global webhooks
// send): the event and what happened, the repository, and the build
// with its stages and steps as they are when the change is handled; a
// stage event names the stage too.
type Payload struct {
	Event  string      `json:"event"`  // build or stage
	Action string      `json:"action"` // created, updated or finished
	Repo   *core.Repo  `json:"repo"`
	Build  *Build      `json:"build"`
	Stage  *core.Stage `json:"stage,omitempty"`
	System System      `json:"system"`
}

// Build is a build with its stages.
type Build struct {
	*core.Build
	Stages []*core.Stage `json:"stages"`
}

// System says which server sent the delivery.
type System struct {
	URL     string `json:"url,omitempty"`
	Version string `json:"version,omitempty"`
}

// payload reads what a delivery of the change says.
func (s *Service) payload(ctx context.Context, event, action string, c core.BuildChange) (*Payload, error) {
	b, err := s.o.Store.Builds().Find(ctx, c.BuildID)
	if err != nil {
		return nil, fmt.Errorf("build %d: %w", c.BuildID, err)
	}
	repo, err := s.o.Store.Repos().Find(ctx, b.RepoID)
	if err != nil {
		return nil, fmt.Errorf("repository %d: %w", b.RepoID, err)
	}
	stages, err := s.o.Store.Stages().ListBuild(ctx, b.ID)
	if err != nil {
		return nil, fmt.Errorf("stages of build %d: %w", b.ID, err)
	}
	if stages == nil {
		stages = []*core.Stage{}
	}
	p := &Payload{Event: event, Action: action, Repo: repo, Build: &Build{Build: b, Stages: stages},
		System: System{URL: s.o.ServerURL, Version: s.o.Version}}
	for _, st := range stages {
		if st.ID == c.StageID {
			p.Stage = st
		}
	}
	return p, nil
}
