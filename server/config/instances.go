package config

import (
	"fmt"
	"regexp"

	"github.com/drover-ci/drover/sdk/host"
)

var (
	instanceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	sha256Hex    = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// instances reads the [[remote]] or [[engine]] tables. The fixed keys
// (name, plugin, sha256) are checked here; every other key is an option for
// the plugin's Configure, which validates it.
func instances(kind host.Kind, v any) ([]host.Instance, error) {
	tables, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: want an array of tables ([[%s]]), got %T", kind, kind, v)
	}
	seen := map[string]bool{}
	out := make([]host.Instance, 0, len(tables))
	for i, t := range tables {
		table, ok := t.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s #%d: want a table, got %T", kind, i+1, t)
		}
		in, err := instance(kind, table)
		if err != nil {
			return nil, fmt.Errorf("%s #%d: %w", kind, i+1, err)
		}
		if seen[in.Name] {
			return nil, fmt.Errorf("%s #%d: name %q is used twice", kind, i+1, in.Name)
		}
		seen[in.Name] = true
		out = append(out, in)
	}
	return out, nil
}

func instance(kind host.Kind, table map[string]any) (host.Instance, error) {
	in := host.Instance{Kind: kind, Options: map[string]any{}}
	for k, v := range table {
		switch k {
		case "name", "plugin", "sha256":
			s, ok := v.(string)
			if !ok {
				return in, fmt.Errorf("%s: want a string, got %v (%T)", k, v, v)
			}
			switch k {
			case "name":
				in.Name = s
			case "plugin":
				in.Plugin = s
			case "sha256":
				in.SHA256 = s
			}
		default:
			in.Options[k] = v
		}
	}
	if in.Name == "" {
		return in, fmt.Errorf("name: missing")
	}
	if !instanceName.MatchString(in.Name) {
		return in, fmt.Errorf("name: %q must be lower-case letters, digits, - and _", in.Name)
	}
	if in.Plugin == "" {
		in.Plugin = fmt.Sprintf("drover-%s-%s", kind, in.Name)
	}
	if in.SHA256 != "" && !sha256Hex.MatchString(in.SHA256) {
		return in, fmt.Errorf("sha256: %q is not 64 lower-case hex digits", in.SHA256)
	}
	return in, nil
}
