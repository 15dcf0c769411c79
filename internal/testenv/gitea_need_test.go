package testenv

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// stopRecorder is a testing.TB whose Skipf and Fatalf record the message
// and end the calling goroutine, as the real ones do.
type stopRecorder struct {
	testing.TB
	skipped, failed string
}

func (r *stopRecorder) Helper()             {}
func (r *stopRecorder) Logf(string, ...any) {}
func (r *stopRecorder) Skipf(f string, args ...any) {
	r.skipped = fmt.Sprintf(f, args...)
	runtime.Goexit()
}
func (r *stopRecorder) Fatalf(f string, args ...any) {
	r.failed = fmt.Sprintf(f, args...)
	runtime.Goexit()
}

// TestNeedGiteaBuildsOnlyWhenAsked: without a cached Gitea, a local test
// run skips saying how to enable the test and builds nothing (a cold build
// takes minutes); only DROVER_GITEA_BUILD=1, make e2e (DROVER_E2E) and CI
// build it.
func TestNeedGiteaBuildsOnlyWhenAsked(t *testing.T) {
	cases := []struct {
		name      string
		env       map[string]string
		wantBuild bool
	}{
		{"local make test", nil, false},
		{"build switched off", map[string]string{"DROVER_GITEA_BUILD": "0"}, false},
		{"build asked for", map[string]string{"DROVER_GITEA_BUILD": "1"}, true},
		{"make e2e", map[string]string{"DROVER_E2E": "1"}, true},
		{"CI", map[string]string{"CI": "true"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"CI", "DROVER_GITEA_BUILD", "DROVER_E2E"} {
				t.Setenv(k, tc.env[k])
			}
			t.Setenv("DROVER_GITEA_CACHE", t.TempDir()) // empty: nothing cached
			built := false
			saved := buildGiteaFn
			buildGiteaFn = func(context.Context) (string, error) { built = true; return "", errors.New("fake build failed") }
			defer func() { buildGiteaFn = saved }()
			rec := &stopRecorder{TB: t}
			done := make(chan struct{})
			go func() { defer close(done); NeedGitea(rec) }()
			<-done
			if built != tc.wantBuild {
				t.Errorf("built = %v, want %v", built, tc.wantBuild)
			}
			if !tc.wantBuild && !strings.Contains(rec.skipped, "scripts/build-gitea.sh") {
				t.Errorf("not skipped with how to enable the test: skipped %q, failed %q", rec.skipped, rec.failed)
			}
		})
	}
}
