package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

// OpenAPIPath serves the OpenAPI 3.1 document of every route declared
// with Server.handle.
const OpenAPIPath = "/api/openapi.json"

// undocumentedPrefixes are the routes other packages add to the router
// that the document leaves out on purpose, and why. Every other route
// must be declared with handle (CheckDocument).
var undocumentedPrefixes = map[string]string{
	"/rpc/v1/": "the runner protocol, spoken by Drover's runners only and versioned with them (sdk/wire)",
}

func (s *Server) openAPIRoute() {
	s.handle(route{method: "GET", path: OpenAPIPath, summary: "This API's OpenAPI 3.1 document", access: accessPublic,
		answers: []answer{answerOK(map[string]any{})}, handlers: []gin.HandlerFunc{func(c *gin.Context) {
			b, err := s.OpenAPI()
			if err != nil {
				s.fail(c, err)
				return
			}
			c.Data(http.StatusOK, "application/json", b)
		}}})
}

// OpenAPI returns the OpenAPI 3.1 document (JSON) of the declared routes.
func (s *Server) OpenAPI() ([]byte, error) {
	s.docMu.Lock()
	defer s.docMu.Unlock()
	if s.docCache != nil {
		return s.docCache, nil
	}
	doc, err := s.buildDocument()
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	s.docCache = b
	return b, nil
}

// LoadOpenAPI parses and validates the document (kin-openapi's loader and
// validator), for tests and tools.
func (s *Server) LoadOpenAPI(ctx context.Context) (*openapi3.T, error) {
	b, err := s.OpenAPI()
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("openapi: load: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("openapi: invalid document: %w", err)
	}
	return doc, nil
}

// CheckDocument compares the router's routes with the document: it lists
// every route that is neither documented nor under undocumentedPrefixes,
// and every documented operation the router does not serve.
func (s *Server) CheckDocument() []string {
	s.docMu.Lock()
	declared := map[string]bool{}
	for _, r := range s.routes {
		declared[r.method+" "+r.path] = true
	}
	for key := range s.pages {
		declared[key] = true
	}
	s.docMu.Unlock()
	var problems []string
	served := map[string]bool{}
	for _, ri := range s.router.Routes() {
		key := ri.Method + " " + ri.Path
		served[key] = true
		if declared[key] || undocumentedPrefix(ri.Path) != "" {
			continue
		}
		problems = append(problems, key+" is served but not in the OpenAPI document: declare it with Server.handle")
	}
	for key := range declared {
		if !served[key] && !s.pages[key] {
			problems = append(problems, key+" is in the OpenAPI document but not served")
		}
	}
	sort.Strings(problems)
	return problems
}

// undocumentedPrefix returns the prefix of undocumentedPrefixes the path
// is under, or "".
func undocumentedPrefix(path string) string {
	for p := range undocumentedPrefixes {
		if strings.HasPrefix(path, p) {
			return p
		}
	}
	return ""
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_]+)`)

// openAPIPath turns a gin path into an OpenAPI one: /a/:b → /a/{b}.
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

func (s *Server) buildDocument() (*openapi3.T, error) {
	doc := &openapi3.T{
		OpenAPI: "3.1.0",
		Info: &openapi3.Info{Title: "Drover API", Version: orDefault(s.version, "dev"),
			Description: "Drover's HTTP API. Authenticate with `Authorization: Bearer <token>` or the session cookie; see docs/api.md."},
		Paths: openapi3.NewPaths(),
		Components: &openapi3.Components{
			SecuritySchemes: openapi3.SecuritySchemes{
				"token": &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{Type: "http", Scheme: "bearer",
					Description: "an API token (POST /api/user/tokens) or the first admin's token"}},
				"session": &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{Type: "apiKey", In: "cookie", Name: SessionCookie,
					Description: "the browser session of GET /login/{remote}; state-changing requests also send " + CSRFHeader}},
			},
		},
	}
	errSchema, err := schemaOf(errorBody{})
	if err != nil {
		return nil, err
	}
	doc.Components.Schemas = openapi3.Schemas{"Error": errSchema}
	for _, r := range s.routes {
		op, err := r.operation()
		if err != nil {
			return nil, fmt.Errorf("openapi: %s %s: %w", r.method, r.path, err)
		}
		path := openAPIPath(r.path)
		item := doc.Paths.Value(path)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(path, item)
		}
		item.SetOperation(r.method, op)
	}
	return doc, nil
}
