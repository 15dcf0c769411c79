package web

import "strings"

// fieldErrors places an API's error message by the fields it names: the
// API joins the errors of several fields with "; ", each starting with
// its field's name ("timeout: …", "branch \"a b\" is not …"). Parts that
// name none of fields are the form's (key ""); a part that does not
// start a new field continues the one before.
func fieldErrors(msg string, fields ...string) map[string]string {
	out := map[string]string{}
	key := ""
	for i, part := range strings.Split(msg, "; ") {
		if f, ok := fieldNamed(part, fields); ok {
			key = f
		} else if i > 0 {
			out[key] += "; " + part
			continue
		}
		if out[key] != "" {
			out[key] += "; "
		}
		out[key] += part
	}
	return out
}

// fieldNamed reports which of fields the message part starts with (the
// name then ':' or ' ').
func fieldNamed(part string, fields []string) (string, bool) {
	lower := strings.ToLower(strings.TrimSpace(part))
	for _, f := range fields {
		if rest, ok := strings.CutPrefix(lower, f); ok && (strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, " ")) {
			return f, true
		}
	}
	return "", false
}
