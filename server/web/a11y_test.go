package web_test

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TestPagesAccessible parses every page (and forms answered with their
// errors) and checks the basics a screen reader and a keyboard need: a
// skip link to the main landmark first, one h1, unique ids, a label for
// every control, a name for every button and link, and the live regions
// announced politely.
func TestPagesAccessible(t *testing.T) {
	f := newFixture(t)
	f.addDiamond(t)
	m := f.addMirrors(t)
	pages := []request{
		{path: "/login"},
		{path: "/", user: "writer"},
		{path: "/repos", user: "owner"},
		{path: "/acme/public", user: "writer"},
		{path: "/acme/public/1", user: "writer"},
		{path: "/acme/public/2", user: "writer"},
		{path: "/acme/public/3", user: "writer"},
		{path: "/acme/public/4", user: "writer"},
		{path: "/acme/public/1/1/1", user: "writer"},
		{path: "/acme/public/3/1/1", user: "writer"},
		{path: "/acme/public/new", user: "writer"},
		{path: "/acme/public/settings", user: "owner"},
		{path: "/acme/public/settings", user: "root"},
		{path: "/acme/public/nothing/here", user: "writer"},
		{method: "POST", path: "/acme/public/new", user: "writer", form: url.Values{"branch": {"a b"}, "params": {"x"}}},
		{method: "POST", path: "/acme/public/1/promote", user: "writer", form: url.Values{}},
		{method: "POST", path: "/acme/public/settings", user: "owner", form: url.Values{"timeout": {"x"}}},
		{method: "POST", path: "/acme/public/settings/secrets", user: "owner", form: url.Values{"name": {"1"}}},
		{path: "/mirrors", user: "reader"},
		{path: "/mirrors", user: "root"},
		{path: m.path("secret", ""), user: "owner"},
		{path: m.path("stalled", ""), user: "root"},
		{path: m.path("upstream", ""), user: "writer"},
		{path: "/runners", user: "root"},
		{method: "POST", path: "/mirrors", user: "root", form: url.Values{"url": {"http://x"}, "interval": {"x"}}},
		{method: "POST", path: m.path("secret", ""), user: "owner", form: url.Values{"branches": {"[x"}}},
		{method: "POST", path: m.path("stalled", "/delete"), user: "owner", form: url.Values{}},
	}
	for _, r := range pages {
		t.Run(r.method+" "+r.path+" "+r.user, func(t *testing.T) {
			if r.form != nil {
				r.form.Set("csrf_token", f.csrf[r.user])
			}
			w := f.serve(t, r)
			if w.Code >= 300 && w.Code < 400 || w.Code >= 500 {
				t.Fatalf("%s %s = %d", r.method, r.path, w.Code)
			}
			doc, err := html.Parse(strings.NewReader(w.Body.String()))
			if err != nil {
				t.Fatal(err)
			}
			checkPage(t, doc)
		})
	}
}

// checkPage reports what the page lacks.
func checkPage(t *testing.T, doc *html.Node) {
	t.Helper()
	ids, labelFor := map[string]int{}, map[string]bool{}
	var all []*html.Node
	walk(doc, func(n *html.Node) {
		all = append(all, n)
		if id := attr(n, "id"); id != "" {
			ids[id]++
		}
		if n.DataAtom == atom.Label && attr(n, "for") != "" {
			labelFor[attr(n, "for")] = true
		}
	})
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q is on %d elements", id, n)
		}
	}
	h1, mains := 0, 0
	var firstFocusable *html.Node
	for _, n := range all {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.H1:
			h1++
		case atom.Main:
			mains++
			if attr(n, "id") != "main" {
				t.Errorf("main has id %q, not the skip link's target", attr(n, "id"))
			}
		case atom.Input, atom.Select, atom.Textarea:
			if attr(n, "type") == "hidden" {
				continue
			}
			if !hasAttr(n, "aria-label") && !hasAttr(n, "aria-labelledby") && !labelFor[attr(n, "id")] && !inside(n, atom.Label) {
				t.Errorf("<%s name=%q id=%q> has no label", n.Data, attr(n, "name"), attr(n, "id"))
			}
			if d := attr(n, "aria-describedby"); d != "" && ids[d] == 0 {
				t.Errorf("<%s name=%q> is described by the missing %q", n.Data, attr(n, "name"), d)
			}
		case atom.Button, atom.A, atom.Summary:
			if strings.TrimSpace(text(n)) == "" && !hasAttr(n, "aria-label") {
				t.Errorf("<%s %v> has no name", n.Data, n.Attr)
			}
		}
		if firstFocusable == nil && (n.DataAtom == atom.A && hasAttr(n, "href") || n.DataAtom == atom.Button) {
			firstFocusable = n
		}
		if hasAttr(n, "data-live-src") && attr(n, "id") == "" {
			t.Errorf("a live region has no id")
		}
		if l := attr(n, "aria-live"); l != "" && l != "polite" {
			t.Errorf("aria-live=%q: live regions should be polite", l)
		}
	}
	if h1 != 1 || mains != 1 {
		t.Errorf("%d h1 and %d main elements, want one of each", h1, mains)
	}
	if firstFocusable == nil || attr(firstFocusable, "href") != "#main" {
		t.Errorf("the first focusable element is not the skip link to #main")
	}
	if ids["live-announce"] == 0 && ids["main"] != 0 && hasStream(all) {
		t.Errorf("a page with live regions has no #live-announce")
	}
}

func hasStream(all []*html.Node) bool {
	for _, n := range all {
		if hasAttr(n, "data-live-src") {
			return true
		}
	}
	return false
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key && strings.TrimSpace(a.Val) != "" {
			return true
		}
	}
	return false
}

func inside(n *html.Node, a atom.Atom) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == a {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}
