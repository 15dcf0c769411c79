package cmdutil

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

// Table prints aligned columns (text/tabwriter): a header in capitals,
// then rows.
type Table struct {
	w *tabwriter.Writer
}

// NewTable starts a table with the headers.
func NewTable(s *IO, headers ...string) *Table {
	t := &Table{w: tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)}
	if len(headers) > 0 {
		t.Row(headers...)
	}
	return t
}

// Row adds a row; cells must not hold tabs or newlines (they are replaced).
func (t *Table) Row(cells ...string) {
	for i, c := range cells {
		cells[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(c)
	}
	fmt.Fprintln(t.w, strings.Join(cells, "\t"))
}

// Flush prints the table.
func (t *Table) Flush() error { return t.w.Flush() }

// Fields prints name: value lines, aligned.
func Fields(s *IO, kv ...string) error {
	t := NewTable(s)
	for i := 0; i+1 < len(kv); i += 2 {
		t.Row(kv[i]+":", kv[i+1])
	}
	return t.Flush()
}

// ANSI colours, each escape of the same length so that a column of
// coloured cells stays aligned.
const (
	red     = "\x1b[31m"
	green   = "\x1b[32m"
	yellow  = "\x1b[33m"
	blue    = "\x1b[34m"
	magenta = "\x1b[35m"
	plain   = "\x1b[39m"
	reset   = "\x1b[0m"
)

// Status is a status (of a build, stage, step or runner), coloured when
// the output is coloured.
func Status(s *IO, status string) string {
	if !s.Color {
		return status
	}
	c := plain
	switch status {
	case "success", "online", "ready", "active":
		c = green
	case "failure", "error", "killed", "declined", "offline", "failed", "crashed":
		c = red
	case "pending", "waiting", "blocked", "paused", "starting":
		c = yellow
	case "running", "busy":
		c = blue
	case "skipped":
		c = magenta
	}
	return c + status + reset
}

// Ago is how long before now t was: 42s ago, 5m ago, 3h ago, 2d ago;
// "-" for the zero time.
func Ago(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

// Took is how long from start to end (now when end is zero); "-" when
// not started.
func Took(start, end, now time.Time) string {
	if start.IsZero() {
		return "-"
	}
	if end.IsZero() {
		end = now
	}
	return end.Sub(start).Round(time.Second).String()
}

// Short is the first 8 characters of a commit sha.
func Short(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}

// YesNo is "yes" or "no".
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// OrDash is s, or "-" when empty.
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
