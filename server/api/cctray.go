package api

import (
	"encoding/xml"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// ccProjects is a CCTray feed (cc.xml) of one project.
type ccProjects struct {
	XMLName  xml.Name    `xml:"Projects"`
	Projects []ccProject `xml:"Project"`
}

// ccProject is one CCTray project: a repository's branch.
type ccProject struct {
	Name            string `xml:"name,attr"`
	Activity        string `xml:"activity,attr"`        // Sleeping or Building
	LastBuildStatus string `xml:"lastBuildStatus,attr"` // Success, Failure, Exception or Unknown
	LastBuildLabel  string `xml:"lastBuildLabel,attr,omitempty"`
	LastBuildTime   string `xml:"lastBuildTime,attr,omitempty"`
	WebURL          string `xml:"webUrl,attr"`
}

// finishedStatuses are those of builds CCTray reports as the last one.
var finishedStatuses = []core.Status{core.StatusSuccess, core.StatusFailure, core.StatusError, core.StatusKilled, core.StatusDeclined}

// ccStatus is CCTray's name of a finished build's status.
func ccStatus(s core.Status) string {
	switch s {
	case core.StatusSuccess:
		return "Success"
	case core.StatusFailure:
		return "Failure"
	case core.StatusError, core.StatusKilled, core.StatusDeclined:
		return "Exception"
	}
	return "Unknown"
}

// ccXML is GET /api/badges/{owner}/{name}/cc.xml[?branch=]: the branch's
// activity (Building while its latest build is unfinished) and its last
// finished build.
func (h *badgeHandlers) ccXML(c *gin.Context) {
	t, ok := h.target(c)
	if !ok {
		return
	}
	p := ccProject{Name: t.repo.Slug, Activity: "Sleeping", LastBuildStatus: "Unknown", WebURL: h.d.ServerURL + "/" + t.repo.Slug}
	last := t.latest
	if last != nil && !last.Status.Done() {
		p.Activity = "Building"
		done, err := h.s.store.Builds().ListRef(c.Request.Context(), t.repo.ID, "refs/heads/"+t.branch, finishedStatuses, 1)
		if err != nil {
			h.s.fail(c, err)
			return
		}
		last = nil
		if len(done) > 0 {
			last = done[0]
		}
	}
	if last != nil {
		p.LastBuildStatus, p.LastBuildLabel = ccStatus(last.Status), strconv.FormatInt(last.Number, 10)
		p.WebURL += "/" + p.LastBuildLabel
		if at := last.Finished; !at.IsZero() {
			p.LastBuildTime = at.UTC().Format(time.RFC3339)
		} else {
			p.LastBuildTime = last.Created.UTC().Format(time.RFC3339)
		}
	}
	body, err := xml.Marshal(ccProjects{Projects: []ccProject{p}})
	if err != nil {
		h.s.fail(c, err)
		return
	}
	serveCacheable(c, t, "application/xml", append([]byte(xml.Header), body...))
}
