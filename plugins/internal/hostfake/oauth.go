package hostfake

import (
	"net/http"
	"slices"
	"strings"
)

// The OAuth2 application, code and tokens every fake host accepts.
const (
	ClientID     = "drover-client"
	ClientSecret = "drover-secret"
	Code         = "good-code"
	Token        = "fake-token"
	RefreshToken = "fake-refresh"
)

// Login is how a fake host answers its token endpoint.
type Login struct {
	// BadClient answers unknown client credentials, BadGrant a wrong code or
	// refresh token.
	BadClient, BadGrant Answer
	// Granted adds to the token answer (token_type, expires_in, …).
	Granted map[string]any
}

// TokenHandler serves the token endpoint for ClientID and ClientSecret:
// authorization_code with Code and refresh_token with RefreshToken grant
// Token.
func (l Login) TokenHandler(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		WriteJSON(w, 400, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != ClientID || secret != ClientSecret {
		l.BadClient.Write(w)
		return
	}
	switch {
	case r.PostForm.Get("grant_type") == "authorization_code" && r.PostForm.Get("code") == Code:
	case r.PostForm.Get("grant_type") == "refresh_token" && r.PostForm.Get("refresh_token") == RefreshToken:
	default:
		l.BadGrant.Write(w)
		return
	}
	out := map[string]any{"access_token": Token, "refresh_token": RefreshToken}
	for k, v := range l.Granted {
		out[k] = v
	}
	WriteJSON(w, 200, out)
}

// Auth lets a request through when its Authorization header is Token
// after one of schemes ("Bearer"), and answers deny otherwise.
func Auth(deny func(http.ResponseWriter), schemes ...string) func(http.HandlerFunc) http.HandlerFunc {
	return func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
			if tok != Token || !slices.Contains(schemes, scheme) {
				deny(w)
				return
			}
			next(w, r)
		}
	}
}

// Only lets a request through when match accepts it, and answers deny
// otherwise (an unknown repository).
func Only(match func(*http.Request) bool, deny http.HandlerFunc) func(http.HandlerFunc) http.HandlerFunc {
	return func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !match(r) {
				deny(w, r)
				return
			}
			next(w, r)
		}
	}
}

// OwnerRepo is the {owner}/{repo} of a request's path.
func OwnerRepo(r *http.Request) string { return r.PathValue("owner") + "/" + r.PathValue("repo") }

// Window is one page of a listing of total items: page from the query's
// "page", its size from the query parameter sizeParam (def when absent,
// largest when out of range), the index range [From, To) and the last page.
type Window struct{ Page, Size, From, To, Last int }

// PageWindow reads a listing request's page.
func PageWindow(r *http.Request, sizeParam string, def, largest, total int) Window {
	q := r.URL.Query()
	page := max(Atoi(q.Get("page"), 1), 1)
	size := Atoi(q.Get(sizeParam), def)
	if size <= 0 || size > largest {
		size = largest
	}
	from := min((page-1)*size, total)
	return Window{Page: page, Size: size, From: from, To: min(page*size, total), Last: max((total+size-1)/size, 1)}
}
