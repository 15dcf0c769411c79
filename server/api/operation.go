package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// pathParams describe the path parameters by name, for every route.
var pathParams = map[string]struct {
	typ, doc string
}{
	"owner":    {"string", "the repository's owner (user or organisation)"},
	"name":     {"string", "the repository's name"},
	"number":   {"integer", "the build's number in the repository"},
	"stage":    {"integer", "the stage's number in the build"},
	"step":     {"integer", "the step's number in the stage"},
	"id":       {"integer", "the id"},
	"login":    {"string", "the user's login"},
	"remote":   {"string", "the remote's name in the server's configuration"},
	"secret":   {"string", "the secret's name"},
	"address":  {"string", "the registry host, e.g. ghcr.io"},
	"cron":     {"string", "the schedule's name"},
	"delivery": {"integer", "the webhook delivery's id"},
}

// operation is the route's OpenAPI operation.
func (r route) operation() (*openapi3.Operation, error) {
	if r.summary == "" || len(r.answers) == 0 {
		return nil, fmt.Errorf("a route needs a summary and at least one answer")
	}
	op := &openapi3.Operation{
		Summary:     r.summary,
		Description: strings.TrimSpace(r.doc + "\n\nNeeds: " + r.access.describe() + "."),
		OperationID: operationID(r.method, r.path),
		Tags:        []string{tagOf(r.path)},
		Extensions:  map[string]any{"x-drover-access": r.access.String()},
		Responses:   openapi3.NewResponses(),
	}
	if len(r.answers) > 0 {
		op.Extensions["x-drover-success"] = r.answers[0].status // the usual answer
	}
	if r.access >= accessUser {
		op.Security = &openapi3.SecurityRequirements{{"token": {}}, {"session": {}}}
	} else {
		op.Security = &openapi3.SecurityRequirements{}
	}
	for _, m := range ginParam.FindAllStringSubmatch(r.path, -1) {
		pp, ok := pathParams[m[1]]
		if !ok {
			return nil, fmt.Errorf("path parameter %q: describe it in pathParams", m[1])
		}
		p := openapi3.NewPathParameter(m[1]).WithDescription(pp.doc).WithSchema(paramSchema(pp.typ))
		op.AddParameter(p)
	}
	query := r.query
	if r.paged {
		query = append(query, pagingParams...)
	}
	for _, q := range query {
		op.AddParameter(openapi3.NewQueryParameter(q.name).WithDescription(q.doc).WithSchema(paramSchema(q.typ)))
	}
	for _, h := range r.header {
		op.AddParameter(openapi3.NewHeaderParameter(h.name).WithDescription(h.doc).WithSchema(paramSchema(h.typ)))
	}
	if r.body != nil {
		schema, err := schemaOf(r.body)
		if err != nil {
			return nil, fmt.Errorf("request body: %w", err)
		}
		content := openapi3.NewContentWithJSONSchemaRef(schema)
		content.Get("application/json").Example = r.body
		op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithContent(content).WithRequired(!r.bodyOptional)}
	}
	for _, a := range r.answers {
		resp, err := a.response(r.paged)
		if err != nil {
			return nil, fmt.Errorf("answer %d: %w", a.status, err)
		}
		op.AddResponse(a.status, resp)
	}
	errContent := openapi3.NewContentWithJSONSchemaRef(openapi3.NewSchemaRef("#/components/schemas/Error", nil))
	op.Responses.Set("default", &openapi3.ResponseRef{Value: openapi3.NewResponse().
		WithDescription("an error: " + r.errorStatuses()).WithContent(errContent)})
	return op, nil
}

// response is the answer's OpenAPI response.
func (a answer) response(paged bool) (*openapi3.Response, error) {
	desc := a.doc
	if desc == "" {
		desc = http.StatusText(a.status)
	}
	resp := openapi3.NewResponse().WithDescription(desc)
	switch {
	case a.body != nil:
		schema, err := schemaOf(a.body)
		if err != nil {
			return nil, err
		}
		resp.WithContent(openapi3.NewContentWithJSONSchemaRef(schema))
	case a.contentType != "":
		resp.WithContent(openapi3.NewContentWithSchema(openapi3.NewStringSchema(), []string{a.contentType}))
	}
	if paged && a.status == http.StatusOK {
		resp.Headers = openapi3.Headers{
			"Link": &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
				Description: "RFC 8288 links to the first, prev, next and last pages", Schema: openapi3.NewStringSchema().NewRef()}}},
			"X-Total-Count": &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
				Description: "the number of items on every page, when known", Schema: openapi3.NewIntegerSchema().NewRef()}}},
		}
	}
	return resp, nil
}

// errorStatuses names the errors the route answers, for its description.
func (r route) errorStatuses() string {
	var list []string
	if len(r.query) > 0 || r.body != nil || r.paged || strings.Contains(r.path, ":") {
		list = append(list, "400 bad input")
	}
	if r.access == accessWebhook {
		list = append(list, "401 bad signature")
	}
	if r.access >= accessUser {
		list = append(list, "401 no or bad credentials")
	}
	if r.access >= accessPush {
		list = append(list, "403 not allowed")
	}
	if strings.Contains(r.path, ":") {
		list = append(list, "404 not found (or not visible to you)")
	}
	if r.body != nil {
		list = append(list, "413 body too large")
	}
	return strings.Join(list, ", ")
}

func (a access) describe() string {
	switch a {
	case accessPublic:
		return "nothing (anonymous)"
	case accessWebhook:
		return "the remote's signature"
	case accessUser:
		return "a logged-in user"
	case accessPull:
		return "pull access to the repository (any user for a public one)"
	case accessPush:
		return "push access to the repository"
	case accessRepoAdmin:
		return "admin access to the repository"
	default:
		return "a system admin"
	}
}

func paramSchema(typ string) *openapi3.Schema {
	switch typ {
	case "integer":
		return openapi3.NewInt64Schema()
	case "boolean":
		return openapi3.NewBoolSchema()
	default:
		return openapi3.NewStringSchema()
	}
}

// operationID is a stable id from the method and path:
// GET /api/repos/:owner/:name/builds → get-repos-owner-name-builds.
func operationID(method, path string) string {
	parts := []string{strings.ToLower(method)}
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api"), "/") {
		seg = strings.Trim(seg, ":*")
		if seg != "" {
			parts = append(parts, strings.ReplaceAll(seg, ".", "-"))
		}
	}
	return strings.Join(parts, "-")
}

// tagOf groups operations by the path's first resource segment.
func tagOf(path string) string {
	segs := strings.Split(strings.TrimPrefix(strings.TrimPrefix(path, "/api"), "/"), "/")
	switch {
	case segs[0] == "repos" && len(segs) > 3:
		return segs[3]
	case segs[0] == "user" || segs[0] == "users":
		return "users"
	case segs[0] == "healthz" || segs[0] == "readyz" || segs[0] == "version" || segs[0] == "metrics" || segs[0] == "openapi.json":
		return "server"
	case segs[0] == "login" || segs[0] == "logout":
		return "login"
	}
	return segs[0]
}
