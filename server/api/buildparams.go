package api

import (
	"regexp"
	"sort"
	"strings"

	"github.com/drover-ci/drover/core"
)

// Bounds of a build's parameters (manual builds and promotions): they
// become environment variables of every step.
const (
	MaxBuildParams        = 64
	MaxBuildParamKeyBytes = 128
	MaxBuildParamsBytes   = 64 << 10 // keys and values together
)

// reservedParamPrefixes are the variables the compiler sets for every
// step; a parameter of that name would be overwritten, so it is refused.
var reservedParamPrefixes = []string{"DRONE_", "DROVER_", "CI_"}

// commitSHA is what a manual build's commit may be: a hexadecimal id.
var commitSHA = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// validateParams checks a build's parameters: names as environment
// variables ([A-Za-z_][A-Za-z0-9_]*), none the compiler sets, at most
// MaxBuildParams of them and MaxBuildParamsBytes in all.
func validateParams(params map[string]string) error {
	if len(params) > MaxBuildParams {
		return core.Errorf(core.CodeInvalid, "params: %d parameters; at most %d are allowed", len(params), MaxBuildParams)
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the first bad one named is the same every time
	total := 0
	for _, k := range keys {
		if len(k) > MaxBuildParamKeyBytes || !secretName.MatchString(k) {
			return core.Errorf(core.CodeInvalid, "params: %.140q is not a variable name: letters, digits and _, not starting with a digit, at most %d bytes", k, MaxBuildParamKeyBytes)
		}
		if reservedParam(k) {
			return core.Errorf(core.CodeInvalid, "params: %q is set by Drover for every step (%s…, CI, DRONE, DROVER); use another name", k, strings.Join(reservedParamPrefixes, "…, "))
		}
		if strings.IndexByte(params[k], 0) >= 0 {
			return core.Errorf(core.CodeInvalid, "params: the value of %s holds a NUL byte", k)
		}
		total += len(k) + len(params[k])
	}
	if total > MaxBuildParamsBytes {
		return core.Errorf(core.CodeInvalid, "params: %d bytes of names and values; at most %d are allowed", total, MaxBuildParamsBytes)
	}
	return nil
}

func reservedParam(k string) bool {
	u := strings.ToUpper(k)
	if u == "CI" || u == "DRONE" || u == "DROVER" {
		return true
	}
	for _, p := range reservedParamPrefixes {
		if strings.HasPrefix(u, p) {
			return true
		}
	}
	return false
}
