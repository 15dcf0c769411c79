package web

import (
	"fmt"
	"testing"
)

// TestFieldErrors checks how an API's message is placed by field.
func TestFieldErrors(t *testing.T) {
	fields := []string{"timeout", "config_path", "params", "branch"}
	cases := []struct{ msg, want string }{
		{"timeout: 9999 is not a number", "map[timeout:timeout: 9999 is not a number]"},
		{"timeout: bad; config_path: worse", "map[config_path:config_path: worse timeout:timeout: bad]"},
		{"params: 70 parameters; at most 64 are allowed", "map[params:params: 70 parameters; at most 64 are allowed]"},
		{`branch "a b" is not a branch name`, `map[branch:branch "a b" is not a branch name]`},
		{"something else; timeout: bad", "map[:something else timeout:timeout: bad]"},
		{"branches: not a field", "map[:branches: not a field]"},
		{"", "map[:]"},
	}
	for _, tc := range cases {
		if got := fmt.Sprint(fieldErrors(tc.msg, fields...)); got != tc.want {
			t.Errorf("fieldErrors(%q) = %s, want %s", tc.msg, got, tc.want)
		}
	}
}
