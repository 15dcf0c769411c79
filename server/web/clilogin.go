package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

// cliState is the CLI's random state: hex, long enough not to be guessed.
var cliState = regexp.MustCompile(`^[0-9a-f]{32,128}$`)

// cliLogin is what the CLI login pages show and post: the loopback port
// the waiting `drover login --web` listens on and its state.
type cliLogin struct {
	Port     int
	State    string
	Callback string // http://127.0.0.1:{port}/callback
	Token    string // the new token, on the hand-over page only
}

// cliLoginRequest reads and checks the port and state of the request
// (query on GET, form on POST); false: answered with a 400 page.
func (w *Web) cliLoginRequest(c *gin.Context) (*cliLogin, bool) {
	port, err := strconv.Atoi(c.Request.FormValue("port"))
	state := c.Request.FormValue("state")
	switch {
	case err != nil || port < 1 || port > 65535:
		w.failStatus(c, http.StatusBadRequest, "port: want the number of the port `drover login --web` listens on (1–65535); run drover login --web again")
		return nil, false
	case !cliState.MatchString(state):
		w.failStatus(c, http.StatusBadRequest, "state: want the hexadecimal state `drover login --web` printed; run drover login --web again")
		return nil, false
	}
	return &cliLogin{Port: port, State: state, Callback: fmt.Sprintf("http://127.0.0.1:%d/callback", port)}, true
}

// cliLoginView is the view of a CLI login page with the request's port
// and state as its data; false: the request was answered.
func (w *Web) cliLoginView(c *gin.Context) (*view, *cliLogin, bool) {
	l, ok := w.cliLoginRequest(c)
	if !ok {
		return nil, nil, false
	}
	v, ok := w.viewFor(c, "Log in the CLI", "")
	if !ok {
		return nil, nil, false
	}
	v.Data = l
	return v, l, true
}

// cliLoginPage is GET /cli/login?port=&state=: asks the logged-in user
// whether the CLI waiting on that loopback port may have a new token.
// Nothing is created before the user confirms (a link alone cannot
// make a token).
func (w *Web) cliLoginPage(c *gin.Context) {
	v, _, ok := w.cliLoginView(c)
	if !ok {
		return
	}
	w.render(c, http.StatusOK, "clilogin", v)
}

// cliLoginConfirm is POST /cli/login: creates a token for the user
// through POST /api/user/tokens and answers with a page whose form hands
// it to the CLI on 127.0.0.1 (sent at once by app.js, or with its
// button). The page is never stored and may post only to that port.
func (w *Web) cliLoginConfirm(c *gin.Context) {
	v, l, ok := w.cliLoginView(c)
	if !ok {
		return
	}
	name := "drover login " + time.Now().UTC().Format("2006-01-02 15:04:05") + " " + l.State[:8]
	rec := w.callAPI(c, http.MethodPost, "/api/user/tokens", c.PostForm("csrf_token"), map[string]any{"name": name})
	if rec.Code >= 300 {
		w.failAPI(c, rec)
		return
	}
	var created struct {
		Token string `json:"token"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &created) != nil || created.Token == "" {
		w.failStatus(c, http.StatusInternalServerError, "")
		return
	}
	l.Token = created.Token
	c.Set(formActionKey, l.Callback) // the page holds a token: not stored, posted only there
	w.render(c, http.StatusOK, "clilogin_done", v)
}
