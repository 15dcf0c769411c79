package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/events"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestMirrorChangesComplete: a mirror's change is completed from the
// store (its repository, read afresh for its visibility) when it names
// only the mirror; a removed mirror's keeps what it was given; one of a
// mirror gone since is dropped, and the events after it still come; a
// change of settings reads the visibility afresh.
func TestMirrorChangesComplete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c, err := secrets.NewCipher("k")
		if err != nil {
			t.Fatal(err)
		}
		s.UseSealer(c)
		private := &core.Mirror{URL: "file:///srv/a.git", Interval: 60, Private: true}
		open := &core.Mirror{URL: "file:///srv/b.git", Interval: 60}
		for _, m := range []*core.Mirror{private, open} {
			if err := s.Mirrors().Create(ctx, m, &core.Repo{RemoteID: m.URL, Owner: "up", Name: m.URL[12:13], Private: m.Private}, 0); err != nil {
				t.Fatal(err)
			}
		}
		hub := events.New(events.Options{Store: s})
		sub := hub.Subscribe("")
		defer sub.Close()
		go hub.Run(ctx)
		type seen struct {
			MirrorID, RepoID int64
			Repo, Action     string
			Public           bool
		}
		cases := []struct {
			name string
			in   events.MirrorChange
			want *seen // nil: no event
		}{
			{"only the id, private", events.MirrorChange{MirrorID: private.ID, Action: events.MirrorChanged},
				&seen{MirrorID: private.ID, RepoID: private.RepoID, Repo: "up/a", Action: events.MirrorChanged}},
			{"only the id, public", events.MirrorChange{MirrorID: open.ID, Action: events.MirrorChanged},
				&seen{MirrorID: open.ID, RepoID: open.RepoID, Repo: "up/b", Action: events.MirrorChanged, Public: true}},
			{"removed, as given", events.MirrorOf(private, events.MirrorRemoved),
				&seen{MirrorID: private.ID, RepoID: private.RepoID, Repo: "up/a", Action: events.MirrorRemoved}},
			{"a mirror gone since", events.MirrorChange{MirrorID: 999, Action: events.MirrorChanged}, nil},
		}
		for _, c := range cases {
			hub.Mirror(c.in)
		}
		for _, c := range cases {
			if c.want == nil {
				continue
			}
			select {
			case e := <-sub.Events():
				got := seen{MirrorID: e.MirrorID, RepoID: e.RepoID, Repo: e.Repo, Action: e.Action, Public: e.Public}
				if e.Type != events.TypeMirror || got != *c.want || len(e.Data()) == 0 {
					t.Errorf("%s: %s %+v, want %+v", c.name, e.Type, got, *c.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: no event", c.name)
			}
		}
		// After the dropped one: a change of settings that made the open
		// mirror private is told as private, its visibility read afresh.
		open.Private = true
		if err := s.Mirrors().Update(ctx, open); err != nil {
			t.Fatal(err)
		}
		ch := events.MirrorOf(open, events.MirrorChanged)
		ch.Settings = true
		hub.Mirror(ch)
		select {
		case e := <-sub.Events():
			if e.MirrorID != open.ID || e.Action != events.MirrorChanged || e.Public {
				t.Fatalf("after the dropped change: %+v, want mirror %d changed, not public", e, open.ID)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no event after the dropped change")
		}
	})
}
