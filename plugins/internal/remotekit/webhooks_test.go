package remotekit

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/drover-ci/drover/core"
)

// hookLog records what a Webhooks fake was asked to do.
type hookLog struct{ calls []string }

func (l *hookLog) webhooks(existing []string, deleteErr error) Webhooks[string] {
	return Webhooks[string]{
		List:   func() ([]string, error) { return existing, nil },
		Create: func() error { l.calls = append(l.calls, "create"); return nil },
		Edit:   func(h string) error { l.calls = append(l.calls, "edit "+h); return nil },
		Delete: func(h, op string) error { l.calls = append(l.calls, op+" "+h); return deleteErr },
	}
}

func TestWebhooks(t *testing.T) {
	notFound := core.Errorf(core.CodeNotFound, "gone")
	tests := []struct {
		name      string
		existing  []string
		deleteErr error
		activate  bool
		want      []string
		wantErr   error
	}{
		{"activate creates", nil, nil, true, []string{"create"}, nil},
		{"activate edits and removes duplicates", []string{"a", "b", "c"}, nil, true, []string{"edit a", "delete duplicate webhook b", "delete duplicate webhook c"}, nil},
		{"a duplicate that is gone fails activation", []string{"a", "b"}, notFound, true, []string{"edit a", "delete duplicate webhook b"}, core.ErrNotFound},
		{"deactivate deletes all", []string{"a", "b"}, nil, false, []string{"delete webhook a", "delete webhook b"}, nil},
		{"deactivate ignores hooks already gone", []string{"a", "b"}, notFound, false, []string{"delete webhook a", "delete webhook b"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l hookLog
			w := l.webhooks(tt.existing, tt.deleteErr)
			var err error
			if tt.activate {
				err = w.Activate()
			} else {
				err = w.Deactivate()
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) || !reflect.DeepEqual(l.calls, tt.want) {
				t.Fatalf("calls %v, err %v; want %v, %v", l.calls, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestInstaller(t *testing.T) {
	bad := core.Errorf(core.CodeInvalid, "bad slug")
	var l hookLog
	i := Installer[string]{Name: "host", Webhooks: func(_ context.Context, _ core.Creds, slug, _, _ string) (Webhooks[string], error) {
		if slug == "bad" {
			return Webhooks[string]{}, bad
		}
		return l.webhooks(nil, nil), nil
	}}
	ctx := context.Background()
	if err := i.Activate(ctx, core.Creds{}, "o/r", "", "s"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("no url: %v", err)
	}
	if err := i.Activate(ctx, core.Creds{}, "bad", "http://h", "s"); !errors.Is(err, bad) {
		t.Fatalf("bad slug: %v", err)
	}
	if err := i.Activate(ctx, core.Creds{}, "o/r", "http://h", "s"); err != nil || !reflect.DeepEqual(l.calls, []string{"create"}) {
		t.Fatalf("activate: %v %v", err, l.calls)
	}
}

func TestCollect(t *testing.T) {
	pages := map[int][]int{1: {1, 2, 3}, 2: {4, 5}, 3: {6}}
	got, err := Collect(func(page int) ([]int, int, error) {
		next := page + 1
		if next > 3 {
			next = 0
		}
		return pages[page], next, nil
	}, func(n int) bool { return n%2 == 0 })
	if err != nil || !reflect.DeepEqual(got, []int{2, 4, 6}) {
		t.Fatalf("got %v %v", got, err)
	}
}
