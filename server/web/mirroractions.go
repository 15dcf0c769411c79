package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
)

// saveMirror is POST /mirrors/{id}, the settings form: served by PATCH
// /api/mirrors/{id}. Refused values are shown again with the errors
// next to their fields.
func (w *Web) saveMirror(c *gin.Context) {
	f := &mirrorForm{}
	body, ok := mirrorBody(c, f, false)
	if !ok {
		w.showMirror(c, http.StatusBadRequest, &mirrorData{Form: f})
		return
	}
	rec := w.callAPI(c, http.MethodPatch, mirrorAPI(c, ""), c.PostForm("csrf_token"), body)
	switch {
	case rec.Code < 300:
		mirrorBack(c, "saved")
	case rec.Code == http.StatusBadRequest:
		f.Errors = fieldErrors(apiError(rec), mirrorFields...)
		w.showMirror(c, rec.Code, &mirrorData{Form: f})
	default:
		w.failAPI(c, rec)
	}
}

// fetchMirror is POST /mirrors/{id}/fetch, "Update now": served by POST
// /api/mirrors/{id}/fetch. Asked again too soon (429) or while paused
// (409), the page says so and when to try again.
func (w *Web) fetchMirror(c *gin.Context) {
	rec := w.callAPI(c, http.MethodPost, mirrorAPI(c, "/fetch"), c.PostForm("csrf_token"), nil)
	switch rec.Code {
	case http.StatusAccepted, http.StatusOK:
		mirrorBack(c, "fetch")
	case http.StatusTooManyRequests:
		w.showMirror(c, rec.Code, &mirrorData{Failed: true, Notice: retryWords(rec.Header().Get("Retry-After"))})
	case http.StatusConflict:
		w.showMirror(c, rec.Code, &mirrorData{Failed: true, Notice: apiError(rec)})
	default:
		w.failAPI(c, rec)
	}
}

// retryWords says when "Update now" may be pressed again, from a
// Retry-After in seconds.
func retryWords(after string) string {
	secs, err := strconv.Atoi(after)
	switch {
	case err != nil || secs < 1:
		return "An update was asked for a moment ago; try again shortly."
	case secs == 1:
		return "An update was asked for a moment ago; you can ask again in 1 second."
	case secs < 120:
		return "An update was asked for a moment ago; you can ask again in " + strconv.Itoa(secs) + " seconds."
	}
	return "An update was asked for recently; you can ask again in " + strconv.Itoa((secs+59)/60) + " minutes."
}

// resumeMirror is POST /mirrors/{id}/resume: served by POST
// /api/mirrors/{id}/resume.
func (w *Web) resumeMirror(c *gin.Context) {
	rec := w.callAPI(c, http.MethodPost, mirrorAPI(c, "/resume"), c.PostForm("csrf_token"), nil)
	if rec.Code >= 300 {
		w.failAPI(c, rec)
		return
	}
	mirrorBack(c, "resume")
}

// deleteMirror is POST /mirrors/{id}/delete with its confirmation ticked:
// served by DELETE /api/mirrors/{id}, then the mirrors page saying so.
// Unticked, the page asks for it.
func (w *Web) deleteMirror(c *gin.Context) {
	if c.PostForm("confirm") != "on" {
		w.showMirror(c, http.StatusBadRequest, &mirrorData{ConfirmErr: "Tick the box to confirm: the mirror is deleted for good."})
		return
	}
	rec := w.callAPI(c, http.MethodDelete, mirrorAPI(c, ""), c.PostForm("csrf_token"), nil)
	if rec.Code >= 300 {
		w.failAPI(c, rec)
		return
	}
	c.Redirect(http.StatusSeeOther, "/mirrors?deleted="+url.QueryEscape(c.Param("id")))
}
