package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/login"
)

// Cookies and headers of browser sessions.
const (
	// SessionCookie holds the session secret: HttpOnly, SameSite=Lax,
	// Secure when the server URL is https.
	SessionCookie = "drover_session"
	// CSRFCookie holds the session's CSRF token, readable by the page
	// (not HttpOnly) so that it can send it back in CSRFHeader.
	CSRFCookie = "drover_csrf"
	// CSRFHeader must carry the CSRF token on every state-changing request
	// authenticated by the session cookie.
	CSRFHeader = "X-CSRF-Token"
)

const sessionKey = "drover.session"

// UseSessions lets the session cookie authenticate API requests beside
// Bearer tokens; secure marks the cookies the server sets Secure (an https
// server URL). Call it once, before serving.
func (s *Server) UseSessions(sessions *login.Sessions, secure bool) {
	s.sessions, s.secure = sessions, secure
	s.handle(route{method: "GET", path: "/api/user/session", summary: "The current browser session's CSRF token and expiry", access: accessUser,
		doc:     "404 when the request was authenticated by a token rather than the session cookie.",
		answers: []answer{answerOK(sessionView{})}, handlers: []gin.HandlerFunc{s.sessionInfo}})
}

// safeMethod reports whether a request method changes nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sessionUser authenticates a request by its session cookie (clearing
// the cookies of a session that ended). A state-changing request must
// also carry the session's CSRF token in X-CSRF-Token (double submit,
// bound to the session), and is refused when the browser says it comes
// from another site (Sec-Fetch-Site).
func (s *Server) sessionUser(c *gin.Context, secret string) (*core.User, *login.Session, error) {
	ctx := c.Request.Context()
	sess, err := s.sessions.Find(ctx, secret)
	if err != nil {
		s.clearSessionCookies(c)
		return nil, nil, err
	}
	if !safeMethod(c.Request.Method) {
		if site := c.GetHeader("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
			return nil, nil, core.Errorf(core.CodeForbidden, "cross-site request refused (Sec-Fetch-Site: %s)", site)
		}
		if !sess.CheckCSRF(c.GetHeader(CSRFHeader)) {
			return nil, nil, core.Errorf(core.CodeForbidden, "missing or wrong CSRF token: send the %s cookie's value in the %s header", CSRFCookie, CSRFHeader)
		}
	}
	user, err := s.store.Users().Find(ctx, sess.UserID)
	if err != nil {
		return nil, nil, core.Errorf(core.CodeUnauthenticated, "the session's user no longer exists")
	}
	if !user.Active {
		return nil, nil, core.Errorf(core.CodeForbidden, "user %s is deactivated", user.Login)
	}
	return user, sess, nil
}

// sessionView answers GET /api/user/session.
type sessionView struct {
	Login   string    `json:"login"`
	Remote  string    `json:"remote"`
	CSRF    string    `json:"csrf_token"`
	Expires time.Time `json:"expires"`
}

// sessionInfo is GET /api/user/session: the current session's CSRF token
// and expiry; 404 when the request was authenticated by a token.
func (s *Server) sessionInfo(c *gin.Context) {
	v, ok := c.Get(sessionKey)
	sess, _ := v.(*login.Session)
	if !ok || sess == nil {
		s.fail(c, core.Errorf(core.CodeNotFound, "this request was not made with a session cookie"))
		return
	}
	u := currentUser(c)
	c.JSON(http.StatusOK, sessionView{Login: u.Login, Remote: u.Remote, CSRF: sess.CSRF, Expires: sess.Expires})
}

// setSessionCookies sets the session and CSRF cookies.
func (s *Server) setSessionCookies(c *gin.Context, secret string, sess *login.Session) {
	maxAge := int(time.Until(sess.Expires).Seconds())
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	http.SetCookie(c.Writer, &http.Cookie{Name: CSRFCookie, Value: sess.CSRF, Path: "/", MaxAge: maxAge,
		Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// clearSessionCookies removes the session and CSRF cookies.
func (s *Server) clearSessionCookies(c *gin.Context) {
	for _, name := range []string{SessionCookie, CSRFCookie} {
		http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: name == SessionCookie, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	}
}
