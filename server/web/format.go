package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/drover-ci/drover/core"
)

// funcs are the templates' helpers.
func funcs(a *assets) template.FuncMap {
	return template.FuncMap{
		"asset":    a.url,
		"ago":      ago,
		"until":    until,
		"seconds":  seconds,
		"duration": duration,
		"short":    shortSHA,
		"status":   statusClass,
		"icon":     statusIcon,
		"firstLine": func(s string) string {
			first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
			return first
		},
		"branch": func(ref string) string {
			if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
				return b
			}
			return strings.TrimPrefix(ref, "refs/tags/")
		},
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"field": func(name, label, hint, value, err string) textField {
			return textField{Name: name, Label: label, Hint: hint, Value: value, Err: err}
		},
		"box": func(name, label string, checked bool, err string) checkBox {
			return checkBox{Name: name, Label: label, Checked: checked, Err: err}
		},
	}
}

// textField is a labelled text input of a form, with a hint and its
// error.
type textField struct {
	Name, Label, Hint, Value, Err string
}

// checkBox is a labelled checkbox of a form, with its error.
type checkBox struct {
	Name, Label string
	Checked     bool
	Err         string
}

// ago says how long ago t was, roughly ("3 min ago"); "—" for no time.
func ago(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// until says how soon t is, roughly ("in 3 min"); "due" once it has
// passed, "—" for no time.
func until(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := time.Until(t)
	switch {
	case d <= 0:
		return "due"
	case d < time.Minute:
		return fmt.Sprintf("in %d s", int(d.Seconds())+1)
	case d < time.Hour:
		return fmt.Sprintf("in %d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("in %d h", int(d.Hours()))
	}
	return fmt.Sprintf("in %d days", int(d.Hours()/24))
}

// seconds says a number of seconds in the largest whole unit ("90 s",
// "2 min", "1 h").
func seconds(n int) string {
	switch {
	case n >= 3600 && n%3600 == 0:
		return fmt.Sprintf("%d h", n/3600)
	case n >= 60 && n%60 == 0:
		return fmt.Sprintf("%d min", n/60)
	}
	return fmt.Sprintf("%d s", n)
}

// duration is how long something ran: from start to finish, or to now
// while it runs; "" when it has not started.
func duration(start, finish time.Time) string {
	if start.IsZero() {
		return ""
	}
	if finish.IsZero() {
		finish = time.Now()
	}
	d := finish.Sub(start).Round(time.Second)
	if d < 0 {
		d = 0
	}
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh %02dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

func shortSHA(s string) string {
	if len(s) > 8 {
		return s[:8]
	}
	return s
}

// statusClass is the CSS class of a status: its colour group.
func statusClass(s core.Status) string {
	switch s {
	case core.StatusSuccess:
		return "st-success"
	case core.StatusFailure, core.StatusError, core.StatusKilled, core.StatusDeclined:
		return "st-failure"
	case core.StatusRunning:
		return "st-running"
	case core.StatusBlocked:
		return "st-blocked"
	}
	return "st-pending"
}

// statusIcon is a symbol for the status, shown beside its name (never
// the colour alone).
func statusIcon(s core.Status) string {
	switch s {
	case core.StatusSuccess:
		return "✓"
	case core.StatusFailure, core.StatusError:
		return "✗"
	case core.StatusKilled, core.StatusDeclined:
		return "⊘"
	case core.StatusRunning:
		return "●"
	case core.StatusBlocked:
		return "⏸"
	case core.StatusSkipped:
		return "↷"
	}
	return "○"
}
