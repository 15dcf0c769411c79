package runnerapi

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/httpreq"
)

// MaxCapacity bounds what a runner may announce.
const MaxCapacity = 1000

var engineName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,62}$`)

// register exchanges a registration token for a runner token.
func (s *Server) register(c *gin.Context) {
	secret := bearer(c)
	if secret == "" {
		s.fail(c, core.Errorf(core.CodeUnauthenticated, "missing registration token: send Authorization: Bearer <registration token>"))
		return
	}
	var req runnerproto.RegisterRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 100 {
		s.fail(c, core.Errorf(core.CodeInvalid, "name: give the runner a name of 1 to 100 characters"))
		return
	}
	if err := validate(req.Engines, req.Labels, req.Capacity); err != nil {
		s.fail(c, err)
		return
	}
	tok, hash, _ := auth.NewSecret(auth.RunnerTokenPrefix)
	r := &core.Runner{Name: req.Name, TokenHash: hash, Labels: req.Labels, Engines: req.Engines,
		OS: req.OS, Arch: req.Arch, Capacity: req.Capacity, Version: req.Version}
	if err := s.o.Store.RunnerTokens().Register(c.Request.Context(), auth.Hash(secret), r); err != nil {
		s.fail(c, err)
		return
	}
	s.log.Info("runner registered", "runner", r.ID, "name", r.Name, "engines", r.Engines)
	c.JSON(http.StatusCreated, runnerproto.RegisterResponse{ID: r.ID, Name: r.Name, Token: tok})
}

// validate checks what a runner says it offers.
func validate(engines []string, labels map[string]string, capacity int) error {
	if capacity < 0 || capacity > MaxCapacity {
		return core.Errorf(core.CodeInvalid, "capacity: %d is outside 0..%d", capacity, MaxCapacity)
	}
	if len(engines) > 100 || len(labels) > 100 {
		return core.Errorf(core.CodeInvalid, "at most 100 engines and 100 labels")
	}
	for _, e := range engines {
		if !engineName.MatchString(e) {
			return core.Errorf(core.CodeInvalid, "engines: %q is not an engine instance name (lower-case letters, digits, - _ .)", e)
		}
	}
	for k, v := range labels {
		if k == "" || len(k) > 100 || len(v) > 200 {
			return core.Errorf(core.CodeInvalid, "labels: %q=%q: keys need 1 to 100 characters, values at most 200", k, v)
		}
	}
	return nil
}

// remember records what the runner offers now, when it changed.
func (s *Server) remember(c *gin.Context, r *core.Runner, b *runnerproto.RequestBody) {
	changed := !slices.Equal(r.Engines, b.Engines) || !maps.Equal(r.Labels, b.Labels) ||
		(b.OS != "" && r.OS != b.OS) || (b.Arch != "" && r.Arch != b.Arch) ||
		(b.Capacity != 0 && r.Capacity != b.Capacity) || (b.Version != "" && r.Version != b.Version)
	if !changed {
		return
	}
	cp := *r
	cp.Engines, cp.Labels = b.Engines, b.Labels
	if b.OS != "" {
		cp.OS = b.OS
	}
	if b.Arch != "" {
		cp.Arch = b.Arch
	}
	if b.Capacity != 0 {
		cp.Capacity = b.Capacity
	}
	if b.Version != "" {
		cp.Version = b.Version
	}
	if err := s.o.Store.Runners().Update(c.Request.Context(), &cp); err != nil {
		s.log.Warn("record runner offer", "runner", r.ID, "err", err)
	}
	s.auth.forget(r.ID)
}
