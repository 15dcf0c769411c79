package script

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"go.starlark.net/starlark"
)

// maxDepth bounds the nesting of main's result.
const maxDepth = 64

// writeJSON writes a Starlark value as JSON, as Drone does: dicts and
// sequences nest, strings are JSON strings; other types are an error.
func writeJSON(w io.StringWriter, v starlark.Value, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("nested deeper than %d levels", maxDepth)
	}
	var err error
	put := func(s string) {
		if err == nil {
			_, err = w.WriteString(s)
		}
	}
	switch v := v.(type) {
	case starlark.NoneType:
		put("null")
	case starlark.Bool:
		put(strconv.FormatBool(bool(v)))
	case starlark.Int:
		put(v.String())
	case starlark.Float:
		data, jerr := json.Marshal(float64(v))
		if jerr != nil {
			return jerr
		}
		put(string(data))
	case starlark.String:
		data, _ := json.Marshal(string(v))
		put(string(data))
	case *starlark.Dict:
		put("{")
		for i, kv := range v.Items() {
			if i > 0 {
				put(", ")
			}
			k, ok := kv[0].(starlark.String)
			if !ok {
				return fmt.Errorf("dict key %s is a %s, not a string", kv[0], kv[0].Type())
			}
			data, _ := json.Marshal(string(k))
			put(string(data) + ": ")
			if err == nil {
				err = writeJSON(w, kv[1], depth+1)
			}
		}
		put("}")
	case starlark.Indexable:
		put("[")
		for i, n := 0, v.Len(); i < n; i++ {
			if i > 0 {
				put(", ")
			}
			if err == nil {
				err = writeJSON(w, v.Index(i), depth+1)
			}
		}
		put("]")
	default:
		return fmt.Errorf("a %s (%s) cannot be written as JSON", v.Type(), v)
	}
	return err
}
