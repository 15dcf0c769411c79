package runtime

import (
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

func TestLineWriter(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   []string
	}{
		{"split writes", []string{"he", "llo\nwor", "ld\n"}, []string{"hello", "world"}},
		{"crlf and last line", []string{"a\r\nb"}, []string{"a", "b"}},
		{"empty lines", []string{"\n\nx\n"}, []string{"", "", "x"}},
		{"long line split", []string{strings.Repeat("x", MaxLineSize+10) + "\n"}, []string{strings.Repeat("x", MaxLineSize), strings.Repeat("x", 10)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var nums []int64
			w := NewLineWriter(func(l *core.LogLine) { got = append(got, l.Text); nums = append(nums, l.Number) })
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			_ = w.Close()
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("lines = %q, want %q", got, tt.want)
			}
			for i, n := range nums {
				if n != int64(i) {
					t.Errorf("line %d numbered %d", i, n)
				}
			}
		})
	}
}
