package api

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httpreq"
)

// registryAddress is a registry host with an optional port.
var registryAddress = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$`)

// registryRequest is the body of creating (all fields) or changing
// (username and password) a registry credential. The password is
// write-only: no answer carries it.
type registryRequest struct {
	Address  string  `json:"address,omitempty"` // host[:port], e.g. ghcr.io
	Username *string `json:"username,omitempty"`
	Password *string `json:"password,omitempty"`
}

// checkRegistryAddress refuses what is not a registry host.
func checkRegistryAddress(addr string) error {
	if len(addr) > 255 || !registryAddress.MatchString(addr) {
		return core.Errorf(core.CodeInvalid, "address: %q is not a registry host such as ghcr.io or registry.example.com:5000 (no scheme, no path, lower case)", addr)
	}
	return nil
}

// apply checks the request and applies it to reg.
func (req *registryRequest) apply(reg *core.Registry, creating bool) error {
	if creating {
		req.Address = strings.TrimSuffix(strings.TrimPrefix(req.Address, "https://"), "/")
		if err := checkRegistryAddress(req.Address); err != nil {
			return err
		}
		reg.Address = req.Address
		if req.Username == nil || req.Password == nil {
			return core.Errorf(core.CodeInvalid, "username and password: a new registry credential needs both")
		}
	} else if req.Address != "" && req.Address != reg.Address {
		return core.Errorf(core.CodeInvalid, "address: a credential cannot move to another registry (%s to %s)", reg.Address, req.Address)
	}
	if req.Username != nil {
		if *req.Username == "" || len(*req.Username) > 255 {
			return core.Errorf(core.CodeInvalid, "username: 1 to 255 characters")
		}
		reg.Username = *req.Username
	}
	if req.Password != nil {
		if len(*req.Password) > MaxSecretBytes {
			return core.Errorf(core.CodeInvalid, "password: %d bytes, at most %d", len(*req.Password), MaxSecretBytes)
		}
		reg.Password = *req.Password
	}
	return nil
}

// registryHandlers serve the registry credentials of the scope a route's
// middleware found (scopeOf): a repository's or an owner's.
type registryHandlers struct {
	s       *Server
	scopeOf func(c *gin.Context) secretScope
}

func (h registryHandlers) scoped(c *gin.Context) ([]*core.Registry, error) {
	sc := h.scopeOf(c)
	all, err := h.s.store.Registries().List(c.Request.Context(), sc.RepoID, sc.Namespace)
	if err != nil {
		return nil, err
	}
	own := all[:0]
	for _, r := range all {
		if r.RepoID == sc.RepoID && r.Namespace == sc.Namespace {
			own = append(own, r)
		}
	}
	return own, nil
}

func (h registryHandlers) find(c *gin.Context) (*core.Registry, error) {
	addr := c.Param("address")
	if err := checkRegistryAddress(addr); err != nil {
		return nil, err
	}
	all, err := h.scoped(c)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.Address == addr {
			return r, nil
		}
	}
	return nil, core.Errorf(core.CodeNotFound, "registry credential for %s not found", addr)
}

func (h registryHandlers) list(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	all, err := h.scoped(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageSlice(c, p, all))
}

func (h registryHandlers) get(c *gin.Context) {
	r, err := h.find(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (h registryHandlers) create(c *gin.Context) {
	var req registryRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		h.s.fail(c, err)
		return
	}
	sc := h.scopeOf(c)
	reg := &core.Registry{RepoID: sc.RepoID, Namespace: sc.Namespace}
	if err := req.apply(reg, true); err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.s.store.Registries().Create(c.Request.Context(), reg); err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, reg)
}

func (h registryHandlers) update(c *gin.Context) {
	var req registryRequest
	if err := httpreq.BindJSON(c, &req); err != nil {
		h.s.fail(c, err)
		return
	}
	reg, err := h.find(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if err := req.apply(reg, false); err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.s.store.Registries().Update(c.Request.Context(), reg); err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, reg)
}

func (h registryHandlers) delete(c *gin.Context) {
	reg, err := h.find(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if err := h.s.store.Registries().Delete(c.Request.Context(), reg.ID); err != nil {
		h.s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
