package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The route list of docs/api.md is generated from the OpenAPI document,
// between these markers; TestAPIDocsUpToDate fails when it is stale.
const (
	docsFile    = "../../docs/api.md"
	routesBegin = "<!-- BEGIN ROUTES: generated from the OpenAPI document; update with DROVER_UPDATE_DOCS=1 go test ./server/api -run TestAPIDocsUpToDate -->"
	routesEnd   = "<!-- END ROUTES -->"
)

func TestAPIDocsUpToDate(t *testing.T) {
	doc, err := newMatrixFixture(t).srv.LoadOpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(docsFile)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(text), routesBegin)
	_, after, ok2 := strings.Cut(rest, routesEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the markers %q and %q", docsFile, routesBegin, routesEnd)
	}
	want := before + routesBegin + "\n" + renderRoutes(doc) + routesEnd + after
	if want == string(text) {
		return
	}
	if os.Getenv("DROVER_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(docsFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's route list is not the OpenAPI document's: run DROVER_UPDATE_DOCS=1 go test ./server/api -run TestAPIDocsUpToDate", docsFile)
}

// exampleValues fill path parameters in the examples.
var exampleValues = map[string]string{
	"owner": "acme", "name": "app", "number": "42", "stage": "1", "step": "2", "id": "7", "login": "octocat", "remote": "github",
	"delivery": "12",
}

// renderRoutes is the Markdown of every operation, by tag, with an
// example call.
func renderRoutes(doc *openapi3.T) string {
	type entry struct {
		path, method string
		op           *openapi3.Operation
	}
	byTag := map[string][]entry{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			byTag[op.Tags[0]] = append(byTag[op.Tags[0]], entry{path, method, op})
		}
	}
	tags := make([]string, 0, len(byTag))
	for tag := range byTag {
		tags = append(tags, tag)
	}
	sort.Strings(tags)
	var b strings.Builder
	types := map[string]*openapi3.Schema{}
	for _, tag := range tags {
		list := byTag[tag]
		sort.Slice(list, func(i, j int) bool {
			if list[i].path != list[j].path {
				return list[i].path < list[j].path
			}
			return list[i].method < list[j].method
		})
		fmt.Fprintf(&b, "\n### %s\n", strings.ToUpper(tag[:1])+tag[1:])
		for _, e := range list {
			renderOperation(&b, e.method, e.path, e.op, types)
		}
	}
	renderTypes(&b, types)
	return b.String()
}

// renderTypes lists the fields of every named object the answers use.
func renderTypes(b *strings.Builder, types map[string]*openapi3.Schema) {
	b.WriteString("\n### Types\n\nThe objects of the answers, with their fields (a field marked `?` may be absent).\n")
	names := make([]string, 0, len(types))
	for name := range types {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := types[name]
		fields := make([]string, 0, len(s.Properties))
		for f, ref := range s.Properties {
			typ := "any"
			if v := ref.Value; v != nil && v.Type != nil {
				typ = strings.Join(*v.Type, " or ")
				if v.Format == "date-time" {
					typ = "date-time"
				}
				if v.Title != "" {
					typ = "`" + v.Title + "`"
				} else if v.Type.Includes("array") && v.Items != nil && v.Items.Value != nil && v.Items.Value.Title != "" {
					typ = "list of `" + v.Items.Value.Title + "`"
				}
			}
			opt := "?"
			if slices.Contains(s.Required, f) {
				opt = ""
			}
			fields = append(fields, fmt.Sprintf("`%s`%s %s", f, opt, typ))
		}
		sort.Strings(fields)
		fmt.Fprintf(b, "\n- **%s**: %s.\n", name, strings.Join(fields, ", "))
	}
}

// collectTypes records s and the named objects within it.
func collectTypes(s *openapi3.Schema, types map[string]*openapi3.Schema) {
	if s == nil {
		return
	}
	if s.Title != "" {
		if _, seen := types[s.Title]; seen {
			return
		}
		types[s.Title] = s
	}
	if s.Items != nil {
		collectTypes(s.Items.Value, types)
	}
	for _, p := range s.Properties {
		collectTypes(p.Value, types)
	}
}

func renderOperation(b *strings.Builder, method, path string, op *openapi3.Operation, types map[string]*openapi3.Schema) {
	fmt.Fprintf(b, "\n#### `%s %s`\n\n%s.", method, path, op.Summary)
	if desc := strings.TrimSpace(op.Description); desc != "" {
		fmt.Fprintf(b, " %s", strings.ReplaceAll(desc, "\n\n", " "))
	}
	b.WriteString("\n")
	for _, in := range []string{"query", "header"} {
		var list []string
		for _, p := range op.Parameters {
			if p.Value.In == in {
				list = append(list, fmt.Sprintf("`%s` (%s): %s", p.Value.Name, (*p.Value.Schema.Value.Type)[0], p.Value.Description))
			}
		}
		if len(list) > 0 {
			fmt.Fprintf(b, "\n%s: %s.\n", map[string]string{"query": "Query", "header": "Headers"}[in], strings.Join(list, "; "))
		}
	}
	fmt.Fprintf(b, "\n```sh\n%s\n```\n", curlExample(method, path, op))
	var answers []string
	for code, resp := range op.Responses.Map() {
		if code == "default" {
			continue
		}
		answers = append(answers, code+answerFields(resp.Value, types))
	}
	sort.Strings(answers)
	fmt.Fprintf(b, "\nAnswers %s.\n", strings.Join(answers, "; "))
}

// curlExample is a call of the operation with example values.
func curlExample(method, path string, op *openapi3.Operation) string {
	for name, v := range exampleValues {
		path = strings.ReplaceAll(path, "{"+name+"}", v)
	}
	for _, p := range op.Parameters {
		if p.Value.In == "query" && (*p.Value.Schema.Value.Type)[0] == "boolean" {
			path += "?" + p.Value.Name + "=true" // show how a query parameter is passed
			break
		}
	}
	cmd := "curl"
	if method != "GET" {
		cmd += " -X " + method
	}
	if op.Security != nil && len(*op.Security) > 0 {
		cmd += ` -H "Authorization: Bearer $DROVER_TOKEN"`
	}
	if op.RequestBody != nil {
		if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Example != nil {
			body, _ := json.Marshal(mt.Example)
			cmd += fmt.Sprintf(" -H 'Content-Type: application/json' -d '%s'", body)
		}
	}
	return cmd + ` "$DROVER_SERVER` + path + `"`
}

// answerFields describes a JSON answer: its type, recorded in types.
func answerFields(resp *openapi3.Response, types map[string]*openapi3.Schema) string {
	mt := resp.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		if len(resp.Content) > 0 {
			for ct := range resp.Content {
				return " (" + ct + ")"
			}
		}
		return ""
	}
	s, prefix := mt.Schema.Value, " with a "
	if s.Type.Is("array") && s.Items != nil && s.Items.Value != nil {
		s, prefix = s.Items.Value, " with a list of "
	}
	collectTypes(s, types)
	if s.Title == "" {
		return " with JSON"
	}
	return prefix + "`" + s.Title + "`"
}
