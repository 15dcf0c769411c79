package trigger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/storetest"
)

// threeStages is a → b → c, with d beside them depending on a and b.
const threeStages = `
kind: pipeline
name: a
steps: [{name: s, image: alpine, commands: [echo a]}]
---
kind: pipeline
name: b
depends_on: [a]
steps: [{name: s, image: alpine, commands: [echo b]}]
---
kind: pipeline
name: c
depends_on: [b]
steps: [{name: s, image: alpine, commands: [echo c]}]
---
kind: pipeline
name: d
depends_on: [a, b]
steps: [{name: s, image: alpine, commands: [echo d]}]
`

// TestTriggerStages: a rerun of some stages holds only them, under their
// numbers in the whole build, their dependencies on stages left out
// dropped (so they are pending) and those on kept stages kept; a name
// the build has not is not found and creates nothing.
func TestTriggerStages(t *testing.T) {
	tests := []struct {
		only []string
		want string // number:name:status:depends_on (stage and spec), per stage
		err  error
	}{
		{nil, "[1:a:pending:[]:[] 2:b:waiting:[a]:[a] 3:c:waiting:[b]:[b] 4:d:waiting:[a b]:[a b]]", nil},
		{[]string{"b"}, "[2:b:pending:[]:[]]", nil},
		{[]string{"b", "c"}, "[2:b:pending:[]:[] 3:c:waiting:[b]:[b]]", nil},
		{[]string{"d", "b"}, "[2:b:pending:[]:[] 4:d:waiting:[b]:[b]]", nil},
		{[]string{"x"}, "", core.ErrNotFound},
		{[]string{}, "", core.ErrInvalid},
	}
	for i, tc := range tests {
		// Subtests are named by index: the SQLite path must not hold '#'.
		t.Run(fmt.Sprintf("case%d", i), func(t *testing.T) {
			s := storetest.SQLite(t)
			f := newFixture(t, s, map[string]string{".drone.yml": threeStages})
			ctx := context.Background()
			tmpl := &core.Build{Event: core.EventCustom, Ref: "refs/heads/main", Target: "main", Params: map[string]string{"K": "V"}}
			b, err := f.trig.TriggerStages(ctx, f.repo, tmpl, tc.only)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("%v: err = %v, want %v", tc.only, err, tc.err)
				}
				if list, _ := s.Builds().List(ctx, f.repo.ID, 10, 0); len(list) != 0 {
					t.Fatalf("a refused rerun stored %d builds", len(list))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stages, err := s.Stages().ListBuild(ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, st := range stages {
				var spec core.Spec
				if err := json.Unmarshal(st.Spec, &spec); err != nil {
					t.Fatal(err)
				}
				if spec.Environment["K"] != "V" {
					t.Errorf("stage %s lacks the build's params", st.Name)
				}
				got = append(got, fmt.Sprintf("%d:%s:%s:%v:%v", st.Number, st.Name, st.Status, st.DependsOn, spec.DependsOn))
			}
			if g := fmt.Sprint(got); g != tc.want {
				t.Errorf("%v: stages %s, want %s", tc.only, g, tc.want)
			}
			if b.Status != core.StatusPending {
				t.Errorf("build %s, want pending", b.Status)
			}
		})
	}
}
