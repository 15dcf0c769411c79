package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var staticFS embed.FS

// staticPrefix starts every asset's URL; "-" is no account name on any
// of the remotes, so it cannot hide a repository page.
const staticPrefix = "/-/static/"

// asset is one static file, with its content-hashed URL.
type asset struct {
	url         string
	body        []byte
	gzipped     []byte // nil when compressing does not pay
	contentType string
	etag        string
}

// assets are the static files by their path under static/ and by URL.
type assets struct {
	byName map[string]*asset
	byURL  map[string]*asset
}

// loadAssets reads the embedded files and names each by its content's
// hash (css/app.css → /-/static/css/app.1a2b3c4d5e.css), so that a URL
// can be cached for ever and a new release changes it.
func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byURL: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read asset %s: %w", p, err)
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:10]
		ext := path.Ext(name)
		it := &asset{url: staticPrefix + strings.TrimSuffix(name, ext) + "." + hash + ext, body: body,
			contentType: mime.TypeByExtension(ext), etag: `"` + hash + `"`}
		if it.contentType == "" {
			it.contentType = "text/plain; charset=utf-8"
		}
		if ext == ".js" || ext == ".css" || ext == ".svg" {
			it.gzipped = compress(body)
		}
		a.byName[name], a.byURL[it.url] = it, it
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static assets: %w", err)
	}
	return a, nil
}

// compress gzips body, or returns nil when that does not make it smaller.
func compress(body []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(body)
	_ = zw.Close()
	if buf.Len() >= len(body) {
		return nil
	}
	return buf.Bytes()
}

// url is the hashed URL of the asset at name (a path under static/); a
// missing one is a programming error caught when the templates are
// first executed in tests.
func (a *assets) url(name string) (string, error) {
	it, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("no static asset %q", name)
	}
	return it.url, nil
}

// serve answers GET /-/static/…: the asset, cached for a year (its URL
// changes with its content), gzipped when the client accepts it.
func (w *Web) serveAsset(c *gin.Context) {
	it, ok := w.assets.byURL[c.Request.URL.Path]
	if !ok {
		w.notFound(c)
		return
	}
	h := c.Writer.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", it.etag)
	h.Set("Content-Type", it.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	if c.GetHeader("If-None-Match") == it.etag {
		c.Status(http.StatusNotModified)
		return
	}
	body := it.body
	if it.gzipped != nil && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = it.gzipped
	}
	c.Data(http.StatusOK, it.contentType, body)
}
