package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// Kinds of buildForm.
const (
	formManual  = "manual"
	formPromote = "promote"
)

// buildForm is the manual build form or a build's promote form: what
// was typed, and after a refused submission the errors next to their
// fields (key "" for the form as a whole).
type buildForm struct {
	Kind   string
	Action string // where it posts
	CSRF   string
	Number int64 // the promoted build
	Branch string
	Commit string
	Target string
	Params string // KEY=VALUE lines
	Errors map[string]string
}

// Err is the error of the field ("" for none).
func (f *buildForm) Err(field string) string { return f.Errors[field] }

// manualForm is the manual build form of the page's repository.
func manualForm(c *gin.Context, csrf, branch string) *buildForm {
	return &buildForm{Kind: formManual, Action: repoPage(c, "/new", nil), CSRF: csrf, Branch: branch}
}

// promoteForm is the promote form of build b.
func promoteForm(c *gin.Context, csrf string, b *core.Build) *buildForm {
	n := strconv.FormatInt(b.Number, 10)
	return &buildForm{Kind: formPromote, Action: repoPage(c, "/"+n+"/promote", nil), CSRF: csrf, Number: b.Number}
}

// maxParamText bounds the parameters' text (the API bounds them again).
const maxParamText = 64 << 10

// parseParams reads the parameters' lines, KEY=VALUE each; blank lines
// are skipped. The API checks the names and sizes.
func parseParams(text string) (map[string]string, error) {
	if len(text) > maxParamText {
		return nil, core.Errorf(core.CodeInvalid, "params: at most %d KiB", maxParamText>>10)
	}
	var params map[string]string
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, core.Errorf(core.CodeInvalid, "params: line %d is not NAME=value", i+1)
		}
		if params == nil {
			params = map[string]string{}
		}
		params[k] = v
	}
	return params, nil
}

// newBuildPage is GET /{owner}/{name}/new[?branch=]: the manual build
// form, for users with push access.
func (w *Web) newBuildPage(c *gin.Context) {
	v, rights, ok := w.repoFor(c, "")
	if !ok {
		return
	}
	if !rights.Push {
		w.fail(c, core.Errorf(core.CodeForbidden, "you need push access to %s to start builds", rights.Repo.Slug))
		return
	}
	branch := c.Query("branch")
	if branch == "" {
		branch = rights.Repo.Branch
	}
	f := manualForm(c, v.CSRF, branch)
	f.Commit = c.Query("commit")
	w.showForm(c, v, rights, http.StatusOK, f)
}

// showForm renders the form's own page (a refused submission's, with its
// errors).
func (w *Web) showForm(c *gin.Context, v *view, rights *api.Rights, status int, f *buildForm) {
	v.Title = "New build · " + rights.Repo.Slug
	if f.Kind == formPromote {
		v.Title = fmt.Sprintf("Promote #%d · %s", f.Number, rights.Repo.Slug)
	}
	v.Data = struct {
		Rights *api.Rights
		Form   *buildForm
	}{rights, f}
	w.render(c, status, "buildform", v)
}

// createBuild is POST /{owner}/{name}/new, the manual build form: served
// by POST /api/repos/{owner}/{name}/builds.
func (w *Web) createBuild(c *gin.Context) {
	f := manualForm(c, c.PostForm("csrf_token"), strings.TrimSpace(c.PostForm("branch")))
	f.Commit, f.Params = strings.TrimSpace(c.PostForm("commit")), c.PostForm("params")
	w.submitForm(c, f, repoAPI(c, "/builds", nil), func(p map[string]string) any {
		return map[string]any{"branch": f.Branch, "commit": f.Commit, "params": p}
	})
}

// promoteBuild is POST /{owner}/{name}/{number}/promote, a build's
// promote form: served by POST …/builds/{number}/promote.
func (w *Web) promoteBuild(c *gin.Context) {
	f := &buildForm{Kind: formPromote, Action: repoPage(c, "/"+url.PathEscape(c.Param("number"))+"/promote", nil), CSRF: c.PostForm("csrf_token"),
		Target: strings.TrimSpace(c.PostForm("target")), Params: c.PostForm("params")}
	f.Number, _ = strconv.ParseInt(c.Param("number"), 10, 64)
	w.submitForm(c, f, repoAPI(c, "/builds/"+url.PathEscape(c.Param("number"))+"/promote", nil), func(p map[string]string) any {
		return map[string]any{"target": f.Target, "params": p}
	})
}

// submitForm posts the form's body to the API route: a new build is
// shown, a skipped one said so on the repository's page, a refusal of
// the input shown next to its field on the form's page, other errors on
// the error page.
func (w *Web) submitForm(c *gin.Context, f *buildForm, target string, body func(map[string]string) any) {
	params, err := parseParams(f.Params)
	var rec *httptest.ResponseRecorder
	if err == nil {
		rec = w.callAPI(c, http.MethodPost, target, f.CSRF, body(params))
	}
	switch {
	case err != nil:
		f.Errors = map[string]string{"params": err.Error()}
	case rec.Code < 300:
		w.toBuild(c, rec, "")
		return
	case rec.Code == http.StatusBadRequest || rec.Code == http.StatusUnprocessableEntity:
		f.Errors = fieldErrors(apiError(rec), "branch", "commit", "target", "params")
	default:
		w.failAPI(c, rec)
		return
	}
	v, rights, ok := w.repoFor(c, "")
	if !ok {
		return
	}
	f.CSRF = v.CSRF
	w.showForm(c, v, rights, http.StatusBadRequest, f)
}

// decodeBuild reads a build from the API's answer.
func decodeBuild(rec *httptest.ResponseRecorder) (*core.Build, bool) {
	var b core.Build
	if json.Unmarshal(rec.Body.Bytes(), &b) != nil || b.Number < 1 {
		return nil, false
	}
	return &b, true
}
