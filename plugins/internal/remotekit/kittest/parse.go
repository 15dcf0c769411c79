package kittest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/drover-ci/drover/core"
)

// Request builds a webhook request of an event kind.
type Request func(event string, body []byte) *core.HookRequest

// ParseCase is a webhook and the event it parses to.
type ParseCase struct {
	Name, Event string
	Body        []byte
	Kind        string
	Action      string
	// Check checks the rest of the event, when set.
	Check func(*core.Event) bool
}

// ParseHooks parses each case's webhook; every event carries delivery.
func ParseHooks(t *testing.T, e Env, request Request, delivery string, cases []ParseCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			ev, err := e.Remote.ParseHook(context.Background(), request(tt.Event, tt.Body))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != tt.Kind || ev.Action != tt.Action || ev.Delivery != delivery {
				t.Fatalf("event %+v, want kind %s action %q", ev, tt.Kind, tt.Action)
			}
			if tt.Check != nil && !tt.Check(ev) {
				t.Fatalf("event %+v (commit %+v, repo %+v)", ev, ev.Commit, ev.Repo)
			}
		})
	}
}

// Ignored checks that an ignored event says why.
func Ignored(e *core.Event) bool { return e.Reason != "" }

// Patched returns a JSON fixture with top-level fields set.
func Patched(t *testing.T, fixture []byte, fields map[string]any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(fixture, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return b
}

// Malformed checks that bodies that are no JSON object are invalid for
// every event, a request without event header and each of invalid too,
// and that no prefix of the fixtures panics.
func Malformed(t *testing.T, e Env, request Request, events []string, invalid map[string]*core.HookRequest, fixtures ...[]byte) {
	t.Helper()
	ctx := context.Background()
	for _, event := range events {
		for _, body := range [][]byte{nil, []byte("{"), []byte(`"a string"`), []byte("<html>")} {
			if _, err := e.Remote.ParseHook(ctx, request(event, body)); !errors.Is(err, core.ErrInvalid) {
				t.Errorf("%s %q: got %v, want invalid", event, body, err)
			}
		}
	}
	invalid["no event header"] = &core.HookRequest{Body: fixtures[0]}
	for name, req := range invalid {
		if _, err := e.Remote.ParseHook(ctx, req); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Every prefix of every fixture parses or fails cleanly: no panic.
	for _, body := range fixtures {
		for i := 0; i < len(body); i += 7 {
			for _, event := range events {
				_, _ = e.Remote.ParseHook(ctx, request(event, body[:i]))
			}
		}
	}
}

// Verify checks that each good request verifies with secret "s3cret" and
// each bad one (with its secret) is unauthenticated.
func Verify(t *testing.T, e Env, good map[string]*core.HookRequest, bad map[string]Signed) {
	t.Helper()
	ctx := context.Background()
	for name, req := range good {
		if err := e.Remote.VerifyHook(ctx, req, "s3cret"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for name, tt := range bad {
		if err := e.Remote.VerifyHook(ctx, tt.Request, tt.Secret); !errors.Is(err, core.ErrUnauthenticated) {
			t.Errorf("%s: got %v, want unauthenticated", name, err)
		}
	}
}

// Signed is a webhook request and the secret to verify it with.
type Signed struct {
	Request *core.HookRequest
	Secret  string
}

// Requests builds webhooks with the event kind in eventHeader and delivery
// in deliveryHeader.
func Requests(eventHeader, deliveryHeader, delivery string) Request {
	return func(event string, body []byte) *core.HookRequest {
		return HookRequest(body, eventHeader, event, deliveryHeader, delivery)
	}
}
