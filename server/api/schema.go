package api

import (
	"encoding/json"
	"path"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
)

// schemaOf reflects the JSON Schema (OpenAPI 3.1) of v's Go type as
// encoding/json writes and reads it: objects refuse unknown properties
// (the API refuses unknown fields), fields without omitempty or omitzero
// are required, and pointers, slices and maps may be null.
func schemaOf(v any) (*openapi3.SchemaRef, error) {
	return openapi3gen.NewSchemaRefForValue(v, nil, openapi3gen.SchemaCustomizer(customizeSchema))
}

var jsonMarshaler = reflect.TypeFor[json.Marshaler]()

// customizeSchema adapts openapi3gen's OpenAPI 3.0 output to 3.1 and
// makes objects strict.
func customizeSchema(name string, t reflect.Type, tag reflect.StructTag, s *openapi3.Schema) error {
	omitted := slices.ContainsFunc(strings.Split(tag.Get("json"), ",")[1:], func(o string) bool { return o == "omitempty" || o == "omitzero" })
	nullable := s.Nullable
	if name != "_root" && !omitted && (t.Kind() == reflect.Slice || t.Kind() == reflect.Map) {
		nullable = true // a nil slice or map is written as null
	}
	s.Nullable = false
	if nullable && s.Type != nil && !s.Type.Includes("null") {
		*s.Type = append(*s.Type, "null")
	}
	if t.Kind() == reflect.Struct && t != reflect.TypeFor[time.Time]() && s.Properties != nil &&
		!t.Implements(jsonMarshaler) && !reflect.PointerTo(t).Implements(jsonMarshaler) {
		no := false
		s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
		s.Required = zeroKeys(t)
		s.Title = typeTitle(t)
	}
	return nil
}

// zeroKeys are the properties encoding/json writes for a zero t (with
// its embedded structs allocated): those it always writes.
func zeroKeys(t reflect.Type) []string {
	v := reflect.New(t).Elem()
	allocEmbedded(v)
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func allocEmbedded(v reflect.Value) {
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		if !sf.Anonymous || !f.CanSet() {
			continue
		}
		if f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.Struct {
			f.Set(reflect.New(f.Type().Elem()))
			f = f.Elem()
		}
		if f.Kind() == reflect.Struct {
			allocEmbedded(f)
		}
	}
}

// typeTitle names a struct type in the document and docs/api.md: Build
// (core), BuildView (api's buildView), HostStatus (another package's).
func typeTitle(t reflect.Type) string {
	n := t.Name()
	if n == "" {
		return ""
	}
	n = strings.ToUpper(n[:1]) + n[1:]
	pkg := path.Base(t.PkgPath())
	if pkg != "core" && pkg != "api" && pkg != "." {
		n = strings.ToUpper(pkg[:1]) + pkg[1:] + n
	}
	return n
}
