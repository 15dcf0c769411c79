package cmdutil

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"
)

// FieldsAnnotation holds, on a command, the JSON fields its --json takes
// (comma-separated), so that `--json a,b` (with a space) is read as the
// fields rather than an argument.
const FieldsAnnotation = "drover/json-fields"

// allFields is --json given without fields.
const allFields = "*"

// Exporter is a command's --json [fields], --jq EXPR and --template TEXT:
// the command's data as JSON (the fields of each object, all by
// default), shaped by a jq expression or a Go template.
type Exporter struct {
	fields   []string // the fields the command's objects have
	json     string
	jq, tmpl string
}

// AddExportFlags declares the flags on cmd; sample is a value of the
// objects the command prints (a struct, or a pointer to one), whose JSON
// fields --json may select.
func AddExportFlags(cmd *cobra.Command, sample any) *Exporter {
	e := &Exporter{fields: jsonFields(reflect.TypeOf(sample))}
	fl := cmd.Flags()
	fl.StringVar(&e.json, "json", "", "print JSON: all fields, or --json=FIELD,FIELD of: "+strings.Join(e.fields, ", "))
	fl.Lookup("json").NoOptDefVal = allFields
	fl.StringVar(&e.jq, "jq", "", "print the JSON shaped by a jq expression, such as '.[].number' (implies --json)")
	fl.StringVar(&e.tmpl, "template", "", "print the JSON through a Go template, such as '{{range .}}{{.number}}{{\"\\n\"}}{{end}}' (implies --json)")
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[FieldsAnnotation] = strings.Join(e.fields, ",")
	_ = cmd.RegisterFlagCompletionFunc("json", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return e.fields, cobra.ShellCompDirectiveNoSpace
	})
	return e
}

// Active says the output is JSON rather than a table.
func (e *Exporter) Active() bool { return e != nil && (e.json != "" || e.jq != "" || e.tmpl != "") }

// Check refuses flags that do not go together or name unknown fields;
// commands call it before calling the server.
func (e *Exporter) Check() error {
	if e.jq != "" && e.tmpl != "" {
		return Usagef("--jq and --template do not go together: choose one")
	}
	for _, f := range e.selected() {
		if !slices.Contains(e.fields, f) {
			return Usagef("--json: unknown field %q; the fields are %s", f, strings.Join(e.fields, ", "))
		}
	}
	if e.jq != "" {
		if _, err := gojq.Parse(e.jq); err != nil {
			return Usagef("--jq: %v", err)
		}
	}
	if e.tmpl != "" {
		if _, err := template.New("").Funcs(templateFuncs).Parse(e.tmpl); err != nil {
			return Usagef("--template: %v", err)
		}
	}
	return nil
}

// selected are the fields asked for; nil: all.
func (e *Exporter) selected() []string {
	if e.json == "" || e.json == allFields {
		return nil
	}
	var out []string
	for _, f := range strings.Split(e.json, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Write prints v (an object or a list of objects) as asked.
func (e *Exporter) Write(s *IO, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode the output: %w", err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("encode the output: %w", err)
	}
	doc = pick(doc, e.selected())
	switch {
	case e.jq != "":
		return runJQ(s, e.jq, doc)
	case e.tmpl != "":
		t, err := template.New("").Funcs(templateFuncs).Parse(e.tmpl)
		if err != nil {
			return Usagef("--template: %v", err)
		}
		if err := t.Execute(s.Out, doc); err != nil {
			return fmt.Errorf("--template: %w", err)
		}
		return nil
	}
	enc := json.NewEncoder(s.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// pick keeps the fields of an object, or of each object of a list.
func pick(doc any, fields []string) any {
	if fields == nil {
		return doc
	}
	switch d := doc.(type) {
	case []any:
		for i := range d {
			d[i] = pick(d[i], fields)
		}
	case map[string]any:
		out := make(map[string]any, len(fields))
		for _, f := range fields {
			out[f] = d[f]
		}
		return out
	}
	return doc
}

func runJQ(s *IO, expr string, doc any) error {
	q, err := gojq.Parse(expr)
	if err != nil {
		return Usagef("--jq: %v", err)
	}
	iter := q.Run(doc)
	for {
		v, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, ok := v.(error); ok {
			return fmt.Errorf("--jq: %w", err)
		}
		if str, ok := v.(string); ok { // strings are printed raw, as jq -r does
			fmt.Fprintln(s.Out, str)
			continue
		}
		data, err := gojq.Marshal(v)
		if err != nil {
			return fmt.Errorf("--jq: %w", err)
		}
		fmt.Fprintln(s.Out, string(data))
	}
}

// templateFuncs are the functions --template offers besides Go's.
var templateFuncs = template.FuncMap{
	"join": func(sep string, list []any) string {
		parts := make([]string, len(list))
		for i, v := range list {
			parts[i] = fmt.Sprint(v)
		}
		return strings.Join(parts, sep)
	},
	"json": func(v any) (string, error) {
		data, err := json.Marshal(v)
		return string(data), err
	},
	"upper": strings.ToUpper,
	"lower": strings.ToLower,
	"ago": func(v any) string {
		s, _ := v.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return s
		}
		return Ago(t, time.Now())
	},
}

// jsonFields are the JSON names of a struct type's fields, embedded
// structs' included, sorted.
func jsonFields(t reflect.Type) []string {
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice) {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	seen := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			seen[name] = true
		}
	}
	walk(t)
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
