package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
)

// webLoginPage is what the browser shows once the CLI has its token.
const webLoginPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Drover CLI</title></head>
<body><h1>The Drover CLI is logged in</h1><p>You can close this tab and go back to the terminal.</p></body></html>`

// webToken gets a new token through the browser: it listens on a free
// loopback port, sends the user to the server's /cli/login page with the
// port and a random state, and waits until the page posts a token with
// that state to http://127.0.0.1:{port}/callback, ctx ends or timeout
// passes. Only a post carrying the state is taken.
func webToken(ctx context.Context, f *cmdutil.Factory, server *url.URL, timeout time.Duration) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listen on a loopback port for the browser: %w", err)
	}
	defer ln.Close()
	raw := make([]byte, 20)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("make a login state: %w", err)
	}
	state := hex.EncodeToString(raw)
	got := make(chan string, 1)
	srv := &http.Server{Handler: callback(state, got), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	page := server.JoinPath("/cli/login")
	page.RawQuery = url.Values{"port": {fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)}, "state": {state}}.Encode()
	fmt.Fprintf(f.IO.Err, "Open this page to log in (it waits %s):\n  %s\n", timeout, page)
	if err := f.OpenBrowser(page.String()); err != nil {
		fmt.Fprintf(f.IO.Err, "(no browser could be opened: %v)\n", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case tok := <-got:
		return tok, nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", fmt.Errorf("no login from the browser within %s: run drover login --web again, or log in with a token", timeout)
		}
		return "", ctx.Err()
	}
}

// callback serves POST /callback: a form with the state and the token.
func callback(state string, got chan<- string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /callback", func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "a malformed form", http.StatusBadRequest)
			return
		}
		tok := r.PostForm.Get("token")
		if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("state")), []byte(state)) != 1 || tok == "" {
			http.Error(w, "this is not the login the CLI waits for: run drover login --web again", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(webLoginPage))
		select {
		case got <- tok:
		default: // a second post of the same form: the first token is kept
		}
	})
	return mux
}
