package api

import (
	"bytes"
	"html/template"
	"math"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// badgeSVG is the status badge: a grey label and a coloured status.
// html/template escapes every value (the branch in the title is the
// caller's text).
var badgeSVG = template.Must(template.New("badge").Parse(`<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="20" role="img" aria-label="{{.Label}}: {{.Text}}">` +
	`<title>{{.Title}}</title>` +
	`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
	`<clipPath id="r"><rect width="{{.Width}}" height="20" rx="3" fill="#fff"/></clipPath>` +
	`<g clip-path="url(#r)"><rect width="{{.LabelWidth}}" height="20" fill="#555"/>` +
	`<rect x="{{.LabelWidth}}" width="{{.TextWidth}}" height="20" fill="{{.Color}}"/><rect width="{{.Width}}" height="20" fill="url(#s)"/></g>` +
	`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">` +
	`<text x="{{.LabelX}}" y="14">{{.Label}}</text><text x="{{.TextX}}" y="14">{{.Text}}</text></g></svg>`))

// badgeView fills badgeSVG.
type badgeView struct {
	Title, Label, Text, Color    string
	Width, LabelWidth, TextWidth int
	LabelX, TextX                int
}

// badgeColors of the statuses' texts.
const (
	colorGreen  = "#4c1"
	colorRed    = "#e05d44"
	colorYellow = "#dfb317"
	colorGrey   = "#9f9f9f"
)

// badgeStatus is the text and colour a badge shows for a build (nil: none).
func badgeStatus(b *core.Build) (string, string) {
	if b == nil {
		return "none", colorGrey
	}
	switch b.Status {
	case core.StatusSuccess:
		return "passing", colorGreen
	case core.StatusFailure:
		return "failing", colorRed
	case core.StatusError:
		return "error", colorRed
	case core.StatusRunning:
		return "running", colorYellow
	case core.StatusPending, core.StatusWaiting, core.StatusBlocked:
		return "pending", colorYellow
	case core.StatusKilled:
		return "cancelled", colorGrey
	case core.StatusDeclined:
		return "declined", colorGrey
	}
	return string(b.Status), colorGrey
}

// textWidth estimates the pixels of s in 11px Verdana, with padding.
func textWidth(s string) int {
	return int(math.Ceil(float64(utf8.RuneCountInString(s))*6.5)) + 10
}

// renderBadge is the SVG of the target's badge.
func renderBadge(t *badgeTarget) ([]byte, error) {
	text, color := badgeStatus(t.latest)
	v := badgeView{Title: t.repo.Slug + " (" + t.branch + "): " + text, Label: "build", Text: text, Color: color}
	v.LabelWidth, v.TextWidth = textWidth(v.Label), textWidth(v.Text)
	v.Width = v.LabelWidth + v.TextWidth
	v.LabelX, v.TextX = v.LabelWidth/2, v.LabelWidth+v.TextWidth/2
	var buf bytes.Buffer
	if err := badgeSVG.Execute(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// statusSVG is GET /api/badges/{owner}/{name}/status.svg[?branch=].
func (h *badgeHandlers) statusSVG(c *gin.Context) {
	t, ok := h.target(c)
	if !ok {
		return
	}
	body, err := renderBadge(t)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	serveCacheable(c, t, "image/svg+xml", body)
}
