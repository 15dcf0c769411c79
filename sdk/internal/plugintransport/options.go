package plugintransport

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strings"

	"github.com/drover-ci/drover/core"
)

// DecodeOptions decodes an instance's options into v (a pointer to a struct
// with json tags); an unknown key or a wrong type is ErrInvalid naming it.
func DecodeOptions(options map[string]any, v any) error {
	b, err := json.Marshal(options)
	if err != nil {
		return core.Errorf(core.CodeInvalid, "options: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := strings.TrimPrefix(err.Error(), "json: ")
		return core.Errorf(core.CodeInvalid, "options: %s", msg)
	}
	return nil
}

// NoOptions is the Configure of a plugin that takes no options: any option
// is ErrInvalid naming it.
func NoOptions(_ context.Context, options map[string]any) error {
	if len(options) == 0 {
		return nil
	}
	keys := make([]string, 0, len(options))
	for k := range options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return core.Errorf(core.CodeInvalid, "unknown option(s) %s: this plugin takes no options", strings.Join(keys, ", "))
}
