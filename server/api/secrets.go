package api

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httpreq"
)

// MaxSecretBytes caps a secret's value.
const MaxSecretBytes = 64 << 10

// secretName is what a secret (an environment variable) may be named.
var secretName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// secretEvents are the events a secret may be given to; a secret created
// without events is given to all but pull requests.
var secretEvents = []string{core.EventPush, core.EventTag, core.EventPullRequest, core.EventCustom, core.EventCron, core.EventPromote}

// secretRequest is the body of creating (name and value needed) or
// changing a secret. The value is write-only: no answer carries it.
type secretRequest struct {
	Name   string   `json:"name,omitempty"`
	Value  *string  `json:"value,omitempty"`
	Events []string `json:"events,omitempty"` // of push, tag, pull_request, custom, cron, promote
	// Fork lets pull requests from forks use the secret (events must
	// include pull_request).
	Fork *bool `json:"fork,omitempty"`
}

// secretScope says whose secrets a route manages: a repository's
// (RepoID) or an owner's (Namespace).
type secretScope struct {
	RepoID    int64
	Namespace string
}

// checkSecretName refuses a name that is not an environment variable's.
func checkSecretName(name string) error {
	if len(name) > 100 || !secretName.MatchString(name) {
		return core.Errorf(core.CodeInvalid, "name: %q is not a secret name: letters, digits and _, not starting with a digit, at most 100 characters", name)
	}
	return nil
}

// apply checks the request and applies it to sec (new: a creation).
func (req *secretRequest) apply(sec *core.Secret, creating bool) error {
	if creating {
		if err := checkSecretName(req.Name); err != nil {
			return err
		}
		sec.Name = req.Name
		if req.Value == nil {
			return core.Errorf(core.CodeInvalid, "value: a new secret needs a value")
		}
		if req.Events == nil {
			req.Events = slices.DeleteFunc(slices.Clone(secretEvents), func(e string) bool { return e == core.EventPullRequest })
		}
	} else if req.Name != "" && req.Name != sec.Name {
		return core.Errorf(core.CodeInvalid, "name: a secret cannot be renamed (%s to %s); create the new one and delete the old", sec.Name, req.Name)
	}
	if req.Value != nil {
		if len(*req.Value) > MaxSecretBytes {
			return core.Errorf(core.CodeInvalid, "value: %d bytes, at most %d", len(*req.Value), MaxSecretBytes)
		}
		sec.Data = *req.Value
	}
	if req.Events != nil {
		if len(req.Events) == 0 {
			return core.Errorf(core.CodeInvalid, "events: give at least one of %s", strings.Join(secretEvents, ", "))
		}
		for _, e := range req.Events {
			if !slices.Contains(secretEvents, e) {
				return core.Errorf(core.CodeInvalid, "events: %q is not one of %s", e, strings.Join(secretEvents, ", "))
			}
		}
		sec.Events = slices.Compact(slices.Sorted(slices.Values(req.Events)))
	}
	if req.Fork != nil {
		sec.Fork = *req.Fork
	}
	sec.PullRequest = sec.GivenTo(core.EventPullRequest)
	if sec.Fork && !sec.PullRequest {
		return core.Errorf(core.CodeInvalid, "fork: a secret for forks' pull requests must be given to the pull_request event")
	}
	return nil
}

// secretHandlers serve the secrets of the scope a route's middleware
// found (scopeOf).
type secretHandlers struct {
	s       *Server
	scopeOf func(c *gin.Context) secretScope
}

// scoped lists the scope's own secrets.
func (h secretHandlers) scoped(c *gin.Context) ([]*core.Secret, secretScope, error) {
	sc := h.scopeOf(c)
	all, err := h.s.store.Secrets().List(c.Request.Context(), sc.RepoID, sc.Namespace)
	if err != nil {
		return nil, sc, err
	}
	own := all[:0]
	for _, sec := range all {
		if sec.RepoID == sc.RepoID && sec.Namespace == sc.Namespace {
			own = append(own, sec)
		}
	}
	return own, sc, nil
}

// find returns the scope's secret named in the path.
func (h secretHandlers) find(c *gin.Context) (*core.Secret, error) {
	name := c.Param("secret")
	if err := checkSecretName(name); err != nil {
		return nil, err
	}
	all, _, err := h.scoped(c)
	if err != nil {
		return nil, err
	}
	for _, sec := range all {
		if sec.Name == name {
			return sec, nil
		}
	}
	return nil, core.Errorf(core.CodeNotFound, "secret %s not found", name)
}

func (h secretHandlers) list(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	all, _, err := h.scoped(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageSlice(c, p, all))
}

func (h secretHandlers) get(c *gin.Context) {
	sec, err := h.find(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sec)
}

func (h secretHandlers) create(c *gin.Context) {
	var req secretRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		h.s.fail(c, err)
		return
	}
	sc := h.scopeOf(c)
	sec := &core.Secret{RepoID: sc.RepoID, Namespace: sc.Namespace}
	if err := req.apply(sec, true); err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.s.store.Secrets().Create(c.Request.Context(), sec); err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, sec)
}

func (h secretHandlers) update(c *gin.Context) {
	var req secretRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		h.s.fail(c, err)
		return
	}
	sec, err := h.find(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if err := req.apply(sec, false); err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.s.store.Secrets().Update(c.Request.Context(), sec); err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sec)
}

func (h secretHandlers) delete(c *gin.Context) {
	sec, err := h.find(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.s.store.Secrets().Delete(c.Request.Context(), sec.ID); err != nil {
		h.s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
