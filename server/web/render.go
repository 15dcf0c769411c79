package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

//go:embed templates
var templatesFS embed.FS

// pages are the parsed templates: each page with the layout and partials.
type pages struct {
	set map[string]*template.Template
}

// view is what every page's template gets.
type view struct {
	Title string
	User  *core.User // nil: nobody is logged in
	CSRF  string     // the session's CSRF token, for forms
	Nav   string     // the nav entry to mark current
	Path  string     // the page's path and query (what live updates fetch)
	Data  any        // the page's own data
}

// loadPages parses templates/pages/*.html, each with the layout and the
// partials.
func loadPages(a *assets) (*pages, error) {
	base, err := template.New("").Funcs(funcs(a)).ParseFS(templatesFS, "templates/layout/*.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	files, err := fs.Glob(templatesFS, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	p := &pages{set: map[string]*template.Template{}}
	for _, f := range files {
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(templatesFS, f)
		}
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", f, err)
		}
		p.set[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return p, nil
}

// formActionKey is the gin key of the one other address a page's forms
// may post to (the CLI's loopback listener); the page is then not stored.
const formActionKey = "web.formAction"

// securityHeaders are set on every page: scripts and styles only from
// this server (no inline script can run), no framing, no sniffing; forms
// post only here, or also to formAction when it is not empty.
func securityHeaders(h http.Header, formAction string) {
	action := "'self'"
	if formAction != "" {
		action += " " + formAction
	}
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "+
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action "+action+"; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "private, no-cache")
	if formAction != "" {
		h.Set("Cache-Control", "no-store")
	}
}

// render answers with the page: executed into a buffer first, so that a
// template error is a whole error page, never half a page.
func (w *Web) render(c *gin.Context, status int, name string, v *view) {
	t, ok := w.pages.set[name]
	var buf bytes.Buffer
	err := fmt.Errorf("no page template %q", name)
	if ok {
		err = t.ExecuteTemplate(&buf, "layout", v)
	}
	if err != nil {
		w.log.Error("render page", "page", name, "err", err)
		c.Abort()
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("internal error: the page could not be drawn"))
		return
	}
	securityHeaders(c.Writer.Header(), c.GetString(formActionKey))
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}
