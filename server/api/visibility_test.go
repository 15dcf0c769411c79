package api_test

import (
	"context"
	"testing"
)

// A repository public on the remote that an admin set private is
// invisible to users without a permission, as a private one is; one
// private on the remote stays readable only with a permission whatever
// its visibility says.
func TestVisibilitySettingHides(t *testing.T) {
	cases := []struct {
		private    bool
		visibility string
		other      int // GET /api/repos/acme/app as a user without a permission
	}{
		{false, "", 200},
		{false, "public", 200},
		{false, "internal", 200},
		{false, "private", 404},
		{true, "", 404},
		{true, "internal", 404},
	}
	for _, tc := range cases {
		rf := newRoleFixture(t)
		rf.repo.Private, rf.repo.Visibility = tc.private, tc.visibility
		if err := rf.store.Repos().Update(context.Background(), rf.repo); err != nil {
			t.Fatal(err)
		}
		if code, _ := rf.do(t, "GET", "/api/repos/acme/app", rf.tokens["other"], ""); code != tc.other {
			t.Errorf("private %v visibility %q: a stranger's GET = %d, want %d", tc.private, tc.visibility, code, tc.other)
		}
		if code, _ := rf.do(t, "GET", "/api/repos/acme/app", rf.tokens["reader"], ""); code != 200 {
			t.Errorf("private %v visibility %q: a reader's GET = %d, want 200", tc.private, tc.visibility, code)
		}
		listed := rf.list(t, "/api/repos", rf.tokens["other"])
		if (len(listed) == 1) != (tc.other == 200) {
			t.Errorf("private %v visibility %q: a stranger's GET /api/repos lists %d repositories", tc.private, tc.visibility, len(listed))
		}
	}
}
