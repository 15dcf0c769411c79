package runnerapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/server/httpreq"
)

// heartbeatBody reads a heartbeat's optional body (none is a plain beat).
func heartbeatBody(c *gin.Context) (*runnerproto.HeartbeatRequest, error) {
	req := &runnerproto.HeartbeatRequest{}
	if c.Request.Body == nil {
		return req, nil
	}
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, core.Errorf(core.CodeInvalid, "heartbeat body: %v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return req, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(req); err != nil {
		return nil, core.Errorf(core.CodeInvalid, "heartbeat body is not valid JSON: %v", err)
	}
	return req, nil
}

// mirrorBeat answers a heartbeat's mirror offer (nil without one).
func (s *Server) mirrorBeat(c *gin.Context, runnerID int64, req *runnerproto.HeartbeatRequest) (*core.MirrorDelta, error) {
	if req.Mirror == nil || s.o.Mirrors == nil {
		return nil, nil
	}
	return s.o.Mirrors.Beat(c.Request.Context(), runnerID, *req.Mirror)
}

// mirrorFetch records a fetch of a mirror the runner holds.
func (s *Server) mirrorFetch(c *gin.Context) {
	if s.o.Mirrors == nil {
		s.fail(c, core.Errorf(core.CodeUnavailable, "this server watches no mirrors"))
		return
	}
	id, err := httpreq.PathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var f core.MirrorFetch
	if err := httpreq.BindJSON(c, &f); err != nil {
		s.fail(c, err)
		return
	}
	ans, err := s.o.Mirrors.Report(c.Request.Context(), current(c).ID, id, &f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ans)
}
