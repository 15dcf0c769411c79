package api

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// stateCookie carries the OAuth2 state of a login in progress, signed,
// for 10 minutes, sent back only to /login/.
const (
	stateCookie = "drover_oauth"
	stateTTL    = 10 * time.Minute
)

// LoginDeps are what the login routes need.
type LoginDeps struct {
	// Remotes finds the remote instance named in /login/{remote}.
	Remotes core.Remotes
	// ServerURL is Drover's external URL (the OAuth2 redirect's base).
	ServerURL string
	// Key signs the OAuth2 state cookie (the server's secret key; empty:
	// a random key of this process).
	Key string
	// OnLogin, when set, is told of every login (e.g. to start a sync).
	OnLogin func(ctx context.Context, user *core.User)
}

type loginHandlers struct {
	s   *Server
	d   LoginDeps
	key []byte
}

// AddLogin serves GET /login/{remote} (the OAuth2 flow: without a code it
// sends the browser to the remote; with one it checks the state, exchanges
// the code, creates or updates the user and starts a session) and POST
// /logout. Call UseSessions first, and AddLogin once, before serving.
func (s *Server) AddLogin(d LoginDeps) {
	h := &loginHandlers{s: s, d: d}
	if d.Key != "" {
		sum := sha256.Sum256([]byte("drover oauth state\x00" + d.Key))
		h.key = sum[:]
	} else {
		h.key = make([]byte, 32)
		_, _ = rand.Read(h.key)
	}
	h.d.ServerURL = strings.TrimSuffix(d.ServerURL, "/")
	s.handle(route{method: "GET", path: "/login/:remote", summary: "Log in through the remote (OAuth2)", access: accessPublic,
		doc: "Without `code` it sends the browser to the remote; the remote sends it back here with `code` and `state`, " +
			"and the answer sets the session cookies and redirects to `next`.",
		query: []param{
			queryString("next", "where to go after the login: a path on this server"),
			queryString("code", "the remote's authorisation code"), queryString("state", "the OAuth2 state"),
			queryString("error", "the remote's refusal"), queryString("error_description", "the remote's explanation"),
		},
		answers: []answer{{status: http.StatusFound, doc: "to the remote, or after the login to next"}}, handlers: []gin.HandlerFunc{h.login}})
	s.handle(route{method: "POST", path: "/logout", summary: "End the browser session", access: accessPublic,
		doc:     "With the session's CSRF token in X-CSRF-Token (or the csrf_token form field). A form is answered 303 to /.",
		answers: []answer{answerNoContent(), {status: http.StatusSeeOther, doc: "a form: to /"}}, handlers: []gin.HandlerFunc{h.logout}})
}

func (h *loginHandlers) login(c *gin.Context) {
	name := c.Param("remote")
	remote, err := h.d.Remotes.Remote(name)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if h.s.sessions == nil {
		h.s.fail(c, core.Errorf(core.CodeUnavailable, "sessions are not enabled on this server"))
		return
	}
	redirect := h.d.ServerURL + "/login/" + name
	if e := c.Query("error"); e != "" {
		h.clearState(c)
		h.s.fail(c, core.Errorf(core.CodeUnauthenticated, "%s refused the login: %s %s", name, e, c.Query("error_description")))
		return
	}
	code := c.Query("code")
	if code == "" {
		h.start(c, remote, name, redirect)
		return
	}
	next, err := h.checkState(c, name)
	h.clearState(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	creds, err := remote.Exchange(ctx, code, redirect)
	if err != nil {
		h.s.fail(c, loginErr(name, "exchange the code", err))
		return
	}
	ru, err := remote.User(ctx, creds)
	if err != nil {
		h.s.fail(c, loginErr(name, "read the user", err))
		return
	}
	user, err := h.upsert(ctx, name, ru, creds)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	secret, sess, err := h.s.sessions.Create(ctx, user.ID)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	h.s.setSessionCookies(c, secret, sess)
	if n, err := h.s.sessions.Prune(ctx); err != nil || n > 0 { // logins are rare: tidy up expired sessions then
		h.s.log.Debug("prune expired sessions", "deleted", n, "err", err)
	}
	h.s.log.Info("user logged in", "user", user.Login, "remote", name)
	if h.d.OnLogin != nil {
		h.d.OnLogin(ctx, user)
	}
	c.Redirect(http.StatusFound, next)
}

// loginErr keeps a remote's refusal a 401 and its outage a 503; anything
// else the remote says about a login is the login failing (401), never a 500.
func loginErr(remote, op string, err error) error {
	if code := core.ErrorCode(err); code == core.CodeUnavailable || code == core.CodeUnauthenticated {
		return fmt.Errorf("login with %s: %s: %w", remote, op, err)
	}
	return core.Errorf(core.CodeUnauthenticated, "login with %s: %s: %v", remote, op, err)
}

// start sends the browser to the remote with a fresh state, remembered
// in a signed cookie.
func (h *loginHandlers) start(c *gin.Context, remote core.Remote, name, redirect string) {
	state := randomToken()
	u, err := remote.AuthURL(c.Request.Context(), state, redirect)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	exp := time.Now().Add(stateTTL).Unix()
	payload := base64.RawURLEncoding.EncodeToString([]byte(strings.Join([]string{state, name, localPath(c.Query("next")), strconv.FormatInt(exp, 10)}, "\n")))
	http.SetCookie(c.Writer, &http.Cookie{Name: stateCookie, Value: payload + "." + h.mac(payload), Path: "/login/",
		MaxAge: int(stateTTL.Seconds()), HttpOnly: true, Secure: h.s.secure, SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusFound, u)
}

// checkState verifies the state cookie (signature, expiry, remote) against
// the state the remote sent back, and returns where to go after login.
func (h *loginHandlers) checkState(c *gin.Context, name string) (string, error) {
	bad := func(why string) error {
		return core.Errorf(core.CodeUnauthenticated, "login with %s: %s; start again at /login/%s", name, why, name)
	}
	cookie, err := c.Cookie(stateCookie)
	if err != nil || cookie == "" {
		return "", bad("no login in progress in this browser (the state cookie is missing)")
	}
	payload, mac, ok := strings.Cut(cookie, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(h.mac(payload))) {
		return "", bad("the state cookie is not valid")
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	parts := strings.Split(string(raw), "\n")
	if err != nil || len(parts) != 4 {
		return "", bad("the state cookie is not valid")
	}
	exp, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil || time.Now().Unix() > exp {
		return "", bad("the login took too long")
	}
	if parts[1] != name {
		return "", bad("the login was started for another remote")
	}
	if got := c.Query("state"); got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(parts[0])) != 1 {
		return "", bad("the OAuth2 state does not match")
	}
	return parts[2], nil
}

func (h *loginHandlers) clearState(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: stateCookie, Value: "", Path: "/login/", MaxAge: -1,
		HttpOnly: true, Secure: h.s.secure, SameSite: http.SameSiteLaxMode})
}

func (h *loginHandlers) mac(payload string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// localPath keeps a post-login destination on this server: a path, never
// another host ("//evil", "https://…"); anything else is "/".
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// upsert creates or updates the Drover user of the remote account,
// recognised by its remote id (so a renamed account keeps its user) and
// storing its credentials. A login now held by another remote account is
// refused rather than handed over.
func (h *loginHandlers) upsert(ctx context.Context, remote string, ru *core.RemoteUser, creds core.Creds) (*core.User, error) {
	users := h.s.store.Users()
	u, err := users.FindLogin(ctx, remote, ru.Login)
	switch {
	case err == nil:
		if u.RemoteID != "" && ru.ID != "" && u.RemoteID != ru.ID {
			return nil, core.Errorf(core.CodeConflict, "the %s login %s belonged to another account; an admin must rename or delete that Drover user first", remote, ru.Login)
		}
	case errors.Is(err, core.ErrNotFound):
		if u, err = h.byRemoteID(ctx, remote, ru.ID); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	now := time.Now().UTC()
	if u == nil {
		u = &core.User{Remote: remote, RemoteID: ru.ID, Login: ru.Login, Email: ru.Email, Avatar: ru.Avatar,
			Active: true, Creds: creds, LastLogin: now}
		if err := users.Create(ctx, u); err != nil {
			return nil, fmt.Errorf("create user %s: %w", ru.Login, err)
		}
		return u, nil
	}
	if !u.Active {
		return nil, core.Errorf(core.CodeForbidden, "user %s is deactivated", u.Login)
	}
	u.RemoteID, u.Login, u.Email, u.Avatar, u.Creds, u.LastLogin = ru.ID, ru.Login, ru.Email, ru.Avatar, creds, now
	if err := users.Update(ctx, u); err != nil {
		return nil, fmt.Errorf("update user %s: %w", u.Login, err)
	}
	return u, nil
}

// byRemoteID finds the user of the remote account under an older login.
func (h *loginHandlers) byRemoteID(ctx context.Context, remote, id string) (*core.User, error) {
	if id == "" {
		return nil, nil
	}
	all, err := h.s.store.Users().List(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range all {
		if u.Remote == remote && u.RemoteID == id {
			return u, nil
		}
	}
	return nil, nil
}

// logout is POST /logout: it ends the session of the cookie (with its CSRF
// token in X-CSRF-Token or the csrf_token form field) and clears the
// cookies; 204, or 303 to / for a form.
func (h *loginHandlers) logout(c *gin.Context) {
	secret, err := c.Cookie(SessionCookie)
	if err == nil && secret != "" && h.s.sessions != nil {
		ctx := c.Request.Context()
		sess, err := h.s.sessions.Find(ctx, secret)
		if err == nil {
			token := c.GetHeader(CSRFHeader)
			if token == "" {
				token = c.PostForm("csrf_token")
			}
			if !sess.CheckCSRF(token) {
				h.s.fail(c, core.Errorf(core.CodeForbidden, "missing or wrong CSRF token: send the %s cookie's value in the %s header", CSRFCookie, CSRFHeader))
				return
			}
			if err := h.s.sessions.Delete(ctx, secret); err != nil {
				h.s.fail(c, err)
				return
			}
		}
	}
	h.s.clearSessionCookies(c)
	if strings.HasPrefix(c.ContentType(), "application/x-www-form-urlencoded") {
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	c.Status(http.StatusNoContent)
}
