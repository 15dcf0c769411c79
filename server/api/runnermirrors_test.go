package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// TestRunnersMirrorShare checks that the runners' answers say how many
// mirrors each holds (paused ones not counted) and the capacity it
// offers, and runners whose disk is full.
func TestRunnersMirrorShare(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now()
	ids := map[string]int64{}
	for name, capacity := range map[string]int{"watcher": 3, "idle": 1, "builder": 0, "full": -1} {
		r := &core.Runner{Name: name, TokenHash: "h-" + name}
		if err := f.store.Runners().Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		ids[name] = r.ID
		if capacity != 0 { // -1: a runner whose disk is full
			offer := core.MirrorOffer{Capacity: capacity, DiskFull: capacity < 0}
			if offer.DiskFull {
				offer.Capacity = 4 // what it would offer with space
			}
			if _, err := f.store.MirrorLeases().Beat(ctx, r.ID, offer, now, now.Add(-time.Minute), now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
	}
	var moves []core.MirrorMove
	var last *core.Mirror
	for i := range 3 {
		url := fmt.Sprintf("https://git.test/acme/m%d.git", i)
		last = &core.Mirror{URL: url, Interval: 60}
		if err := f.store.Mirrors().Create(ctx, last, &core.Repo{RemoteID: url, Owner: "acme", Name: fmt.Sprint("m", i), CloneURL: url}, 0); err != nil {
			t.Fatal(err)
		}
		moves = append(moves, core.MirrorMove{MirrorID: last.ID, To: ids["watcher"]})
	}
	if n, err := f.store.MirrorLeases().Move(ctx, moves, now.Add(time.Minute)); err != nil || n != 3 {
		t.Fatalf("move = %d, %v", n, err)
	}
	last.Paused = true
	if err := f.store.Mirrors().Update(ctx, last); err != nil {
		t.Fatal(err)
	}
	type share struct {
		Name           string `json:"name"`
		Mirrors        int    `json:"mirrors"`
		MirrorCapacity int    `json:"mirror_capacity"`
		MirrorDiskFull bool   `json:"mirror_disk_full"`
	}
	want := map[string]share{"watcher": {"watcher", 2, 3, false}, "idle": {"idle", 0, 1, false}, "builder": {"builder", 0, 0, false},
		"full": {"full", 0, 0, true}}
	code, body := f.raw(t, "GET", "/api/runners", f.token, "")
	var list []share
	if code != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list) != len(want) {
		t.Fatalf("GET /api/runners = %d %s", code, body)
	}
	for _, got := range list {
		if got != want[got.Name] {
			t.Errorf("list: %+v, want %+v", got, want[got.Name])
		}
	}
	code, body = f.raw(t, "GET", fmt.Sprint("/api/runners/", ids["watcher"]), f.token, "")
	var one share
	if code != 200 || json.Unmarshal([]byte(body), &one) != nil || one != want["watcher"] {
		t.Errorf("GET /api/runners/{id} = %d %s, want %+v", code, body, want["watcher"])
	}
}
