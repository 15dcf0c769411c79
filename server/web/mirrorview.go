package web

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/drover-ci/drover/core"
)

// shortError is how much of a mirror's last error the list shows.
const shortError = 80

// mirrorItem is a mirror as the pages show it: never its credential
// (the API does not send it), its URL without a user in it, and its
// runner's name when the viewer may know it.
type mirrorItem struct {
	*core.Mirror
	RunnerName string // "": not known to the viewer (only admins list runners)
}

// State is "paused" (after failed fetches, until resumed), "failing"
// (the last fetches failed) or "active".
func (m mirrorItem) State() string {
	switch {
	case m.Paused:
		return "paused"
	case m.Failures > 0:
		return "failing"
	}
	return "active"
}

// ShownURL is the upstream URL without the user part of an https URL,
// which may be a token (https://TOKEN@host/…); an SSH user is a login
// and stays.
func (m mirrorItem) ShownURL() string { return shownURL(m.URL) }

// shownURL drops the user information of an https URL.
func shownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil || u.Scheme != "https" {
		return raw
	}
	u.User = nil
	return u.String()
}

// RepoPath is the page of the mirror's repository (its builds).
func (m mirrorItem) RepoPath() string {
	return "/" + m.Repo + "?remote=" + core.RemoteMirror
}

// ShortError is the first line of the last error, cut to shortError
// characters ("…" when cut); the mirror's page shows it whole.
func (m mirrorItem) ShortError() string {
	first, _, more := strings.Cut(strings.TrimSpace(m.LastError), "\n")
	if utf8.RuneCountInString(first) > shortError {
		first, more = string([]rune(first)[:shortError]), true
	}
	if more {
		first += "…"
	}
	return first
}

// Watching says which branches are built: the patterns, or every branch.
func (m mirrorItem) Watching() string {
	if len(m.Branches) == 0 {
		return "every branch"
	}
	return strings.Join(m.Branches, ", ")
}
