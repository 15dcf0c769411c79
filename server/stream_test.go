package server_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/events"
)

// userWithToken creates an active user of the fake remote and returns
// them with an API token.
func userWithToken(tb testing.TB, st core.Store, login string) (*core.User, string) {
	tb.Helper()
	ctx := context.Background()
	u := &core.User{Login: login, Remote: "fake", RemoteID: login, Active: true}
	if err := st.Users().Create(ctx, u); err != nil {
		tb.Fatal(err)
	}
	secret, hash, prefix := auth.NewSecret(auth.TokenPrefix)
	if err := st.Tokens().Create(ctx, &core.Token{UserID: u.ID, Name: "test", Hash: hash, Prefix: prefix}); err != nil {
		tb.Fatal(err)
	}
	return u, secret
}

// describe names an event for comparisons: "build created pending",
// "stage running", "step success".
func describe(e sseEvent) string {
	s := e.Type
	if e.Created {
		s += " created"
	}
	return s + " " + string(e.Status)
}

// TestStreamAcrossReplicas: on two replicas sharing Postgres, a reader
// subscribed on one sees every change of a private build run through the
// other, in order; a user without access to the repository sees none of
// it (only the later build of a repository they may read); a client that
// resumes with Last-Event-ID gets what it missed.
func TestStreamAcrossReplicas(t *testing.T) {
	base := testenv.PostgresURL(t)
	if base == "" {
		t.Skip("skipping: needs Postgres; set DROVER_TEST_DATABASE_URL (source .ci/postgres.sh && pg_start)")
	}
	url := testenv.CreateDatabase(t, base, fmt.Sprintf("drover_stream_%d", os.Getpid()), "")
	a := newReplica(t, url, t.TempDir())
	b := newReplica(t, url, t.TempDir())
	ctx := context.Background()
	private := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "secret", Branch: "main", Active: true, Private: true}
	open := &core.Repo{Remote: "fake", RemoteID: "2", Owner: "acme", Name: "open", Branch: "main", Active: true}
	for _, r := range []*core.Repo{private, open} {
		if err := a.app.Store.Repos().Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	reader, readerToken := userWithToken(t, a.app.Store, "reader")
	_, strangerToken := userWithToken(t, a.app.Store, "stranger")
	if err := a.app.Store.Perms().Upsert(ctx, &core.Perm{UserID: reader.ID, RepoID: private.ID, Pull: true, Synced: time.Now()}); err != nil {
		t.Fatal(err)
	}
	readerEvents := subscribe(t, a.http.URL, readerToken, "")
	strangerEvents := subscribe(t, a.http.URL, strangerToken, "")

	startAgent(t, b, b.http.URL, enginetest.NewFake(), 1)
	run := func(repo *core.Repo) *core.Build {
		builds := seedStages(t, b.app, repo, 1, 1, "sleep 300ms") // long enough for its start to be reported
		b.app.Events.Created(builds[0])                           // what the trigger does for builds it creates
		return builds[0]
	}
	secret := run(private)
	want := []string{"build created pending", "stage running", "build running", "step running", "step success", "stage success", "build success"}
	seen := collect(t, readerEvents, secret.ID, "build success")
	if got := names(seen); !subsequence(want, got) || got[0] != want[0] {
		t.Fatalf("reader saw %q, want in order %q", got, want)
	}

	// The stranger's stream is in order too: once it shows the open
	// repository's build, it has passed every event of the private one.
	openBuild := run(open)
	for e := range strangerEvents {
		if e.RepoID == private.ID {
			t.Fatalf("a user without access saw %+v", e)
		}
		if e.BuildID == openBuild.ID && describe(e) == "build success" {
			break
		}
	}

	// Resuming after the private build's creation replays the rest; an
	// id no longer kept asks the client to resync.
	resumed := collect(t, subscribe(t, a.http.URL, readerToken, seen[0].ID), secret.ID, "build success")
	if !subsequence(want[1:], names(resumed)) || resumed[0].ID == seen[0].ID {
		t.Fatalf("resumed stream sent %q, want in order %q", names(resumed), want[1:])
	}
	if e := <-subscribe(t, a.http.URL, readerToken, "gone-000000000001"); e.Type != events.TypeResync {
		t.Fatalf("resuming after a forgotten id sent %+v first, want a resync", e)
	}
}

func names(evs []sseEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = describe(e)
	}
	return out
}

// collect reads events of the build until one described last, failing
// after a generous deadline.
func collect(t *testing.T, evs <-chan sseEvent, buildID int64, last string) []sseEvent {
	t.Helper()
	var got []sseEvent
	timeout := time.After(time.Minute)
	for {
		select {
		case e, ok := <-evs:
			if !ok {
				t.Fatalf("stream ended after %q", names(got))
			}
			if e.BuildID != buildID {
				continue
			}
			got = append(got, e)
			if describe(e) == last {
				return got
			}
		case <-timeout:
			t.Fatalf("saw only %q", names(got))
		}
	}
}

// subsequence reports whether want appears in got in order.
func subsequence(want, got []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}
