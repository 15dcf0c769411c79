// Package grpcerr is the one place where core's coded errors become gRPC
// status codes and back, so that errors.Is(err, core.ErrNotFound) holds on
// the host for an error a plugin returned. Messages cross unchanged.
package grpcerr

import (
	"context"
	"errors"

	"github.com/drover-ci/drover/core"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// domain marks the error details Drover's SDK attaches: an error with them
// was returned by the plugin, one without them by the transport.
const domain = "drover.plugin"

var toGRPC = map[core.Code]codes.Code{
	core.CodeNotFound:        codes.NotFound,
	core.CodeConflict:        codes.AlreadyExists,
	core.CodeInvalid:         codes.InvalidArgument,
	core.CodeForbidden:       codes.PermissionDenied,
	core.CodeUnauthenticated: codes.Unauthenticated,
	core.CodeUnavailable:     codes.Unavailable,
}

var fromGRPC = func() map[codes.Code]core.Code {
	m := make(map[codes.Code]core.Code, len(toGRPC))
	for k, v := range toGRPC {
		m[v] = k
	}
	return m
}()

// ToStatus turns an error returned by a plugin's implementation into a gRPC
// status error carrying its code and message. nil stays nil.
func ToStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && core.ErrorCode(err) == "" {
		return err
	}
	switch {
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	code := core.ErrorCode(err)
	c, ok := toGRPC[code]
	if !ok {
		return status.Error(codes.Unknown, err.Error())
	}
	st, derr := status.New(c, err.Error()).WithDetails(&errdetails.ErrorInfo{Domain: domain, Reason: string(code)})
	if derr != nil {
		return status.Error(c, err.Error())
	}
	return st.Err()
}

// FromStatus turns an error of a gRPC call into the error the plugin
// returned: a *core.Error for coded errors, context.Canceled or
// context.DeadlineExceeded (wrapped, with the message) for those, and
// core.ErrUnavailable for a broken connection. nil stays nil.
func FromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		switch {
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return err
		}
		return &core.Error{Code: core.CodeUnavailable, Message: "plugin unavailable: " + err.Error(), Err: err}
	}
	switch st.Code() {
	case codes.Canceled:
		return &ctxError{msg: st.Message(), err: context.Canceled}
	case codes.DeadlineExceeded:
		return &ctxError{msg: st.Message(), err: context.DeadlineExceeded}
	case codes.Unknown:
		return errors.New(st.Message())
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.Domain == domain {
			return &core.Error{Code: core.Code(info.Reason), Message: st.Message()}
		}
	}
	if st.Code() == codes.Unavailable {
		// Not said by the plugin: the connection broke or the process died.
		return &core.Error{Code: core.CodeUnavailable, Message: "plugin unavailable: " + st.Message(), Err: err}
	}
	if c, ok := fromGRPC[st.Code()]; ok {
		return &core.Error{Code: c, Message: st.Message()}
	}
	// Internal, Unimplemented, ResourceExhausted...: keep the code's name.
	return errors.New(st.Code().String() + ": " + st.Message())
}

// IsTransport reports whether err says the plugin could not be reached
// (the process died or the connection broke), as opposed to an error the
// plugin returned.
func IsTransport(err error) bool {
	var e *core.Error
	return errors.As(err, &e) && e.Code == core.CodeUnavailable && e.Err != nil
}

type ctxError struct {
	msg string
	err error
}

func (e *ctxError) Error() string { return e.msg }
func (e *ctxError) Unwrap() error { return e.err }
