package host

import "github.com/drover-ci/drover/core"

// OptionsError is the refusal of an instance whose options its plugin's
// Configure refused as invalid (a mistyped or missing key): a mistake in
// the configuration, which a caller may treat as one (the server stops its
// start), unlike a plugin that is merely unavailable.
type OptionsError struct {
	Instance string
	err      error
}

func (e *OptionsError) Error() string { return e.err.Error() }

// Unwrap returns the refusal, naming the instance and the plugin's message.
func (e *OptionsError) Unwrap() error { return e.err }

// configureRefused is the launch error of a Configure that failed: an
// OptionsError when the plugin said the options are invalid.
func (m *managed) configureRefused(err error) error {
	wrapped := m.fail("configure", err)
	if core.ErrorCode(err) == core.CodeInvalid {
		wrapped = &OptionsError{Instance: m.inst.Name, err: wrapped}
	}
	return &refusal{wrapped}
}

// OptionsErrors returns the OptionsErrors among err's (Start's) causes.
func OptionsErrors(err error) []*OptionsError {
	var out []*OptionsError
	var walk func(error)
	walk = func(e error) {
		switch u := e.(type) {
		case *OptionsError:
			out = append(out, u)
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			if c := u.Unwrap(); c != nil {
				walk(c)
			}
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}
