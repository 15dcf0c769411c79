// Package rpcclient is the runner's HTTP client for the runner protocol
// (core/runnerproto): a runner.Client speaking JSON to the server's /rpc/v1.
package rpcclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/runner"
)

// Client calls the server as one runner. Safe for concurrent use.
type Client struct {
	base  string // server URL without a trailing slash
	token string
	http  *http.Client
	// Offer fills the parts of a request body the Filter does not carry.
	Capacity int
	Version  string
}

var _ runner.Client = (*Client)(nil)

// New returns a client for the server at url (http://host:port) with the
// runner token.
func New(url, token string) *Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	t.ResponseHeaderTimeout = 0 // long-polls hold the answer back
	return &Client{base: strings.TrimRight(url, "/"), token: token, http: &http.Client{Transport: t}}
}

// callTimeout bounds a call that is not a long-poll.
const callTimeout = 30 * time.Second

// pollTimeout bounds a long-poll: the server's hold plus slack.
const pollTimeout = runnerproto.LongPoll*time.Second + 15*time.Second

// do sends a JSON body (nil: none) and decodes a JSON answer into out
// (nil: ignored). It returns the status; 204 leaves out untouched. A
// status ≥ 400 becomes a coded error carrying the server's message.
func (c *Client) do(ctx context.Context, timeout time.Duration, method, path string, body, out any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+runnerproto.Prefix+path, rd)
	if err != nil {
		return 0, core.Errorf(core.CodeInvalid, "server URL %q: %w", c.base, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err) // transient: no code
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return resp.StatusCode, decodeError(method, path, resp)
	}
	if resp.StatusCode == http.StatusNoContent || out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return resp.StatusCode, nil
}

// decodeError turns an error answer into a coded error: the server's code
// when it sent one, else one derived from the status. 5xx answers other
// than 503 carry no code, so they are retried as transient.
func decodeError(method, path string, resp *http.Response) error {
	var b runnerproto.ErrorBody
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(raw, &b) != nil || b.Error == "" {
		b.Error = strings.TrimSpace(string(raw))
	}
	code := core.Code(b.Code)
	if code == "" {
		code = codeOf(resp.StatusCode)
	}
	msg := fmt.Sprintf("%s %s: %s: %s", method, path, resp.Status, b.Error)
	if code == "" {
		return fmt.Errorf("%s", msg)
	}
	return &core.Error{Code: code, Message: msg}
}

func codeOf(status int) core.Code {
	switch status {
	case http.StatusNotFound:
		return core.CodeNotFound
	case http.StatusConflict:
		return core.CodeConflict
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return core.CodeInvalid
	case http.StatusForbidden:
		return core.CodeForbidden
	case http.StatusUnauthorized:
		return core.CodeUnauthenticated
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout, http.StatusTooManyRequests:
		return core.CodeUnavailable
	}
	return ""
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// Request implements runner.Client: it long-polls until a stage comes or
// ctx ends.
func (c *Client) Request(ctx context.Context, f core.Filter) (*core.StageDetails, error) {
	body := runnerproto.RequestBody{Engines: f.Engines, Labels: f.Labels, OS: f.OS, Arch: f.Arch,
		Capacity: c.Capacity, Version: c.Version, Machine: f.Machine}
	for {
		var d core.StageDetails
		status, err := c.do(ctx, pollTimeout, http.MethodPost, "/request", body, &d)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, err
		}
		if status == http.StatusOK {
			if d.Stage == nil {
				return nil, fmt.Errorf("POST /request: the answer carries no stage")
			}
			return &d, nil
		}
	}
}

// Details implements runner.Client.
func (c *Client) Details(ctx context.Context, stageID int64) (*core.StageDetails, error) {
	var d core.StageDetails
	if _, err := c.do(ctx, callTimeout, http.MethodGet, "/stages/"+id(stageID), nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Heartbeat implements runner.Client.
func (c *Client) Heartbeat(ctx context.Context) (runner.Beat, error) {
	var out runnerproto.HeartbeatResponse
	if _, err := c.do(ctx, callTimeout, http.MethodPost, "/heartbeat", nil, &out); err != nil {
		return runner.Beat{}, err
	}
	return runner.Beat{Held: out.Held, Every: time.Duration(out.IntervalMS) * time.Millisecond}, nil
}

// UpdateStage implements runner.Client; the stage takes the server's answer.
func (c *Client) UpdateStage(ctx context.Context, stage *core.Stage) error {
	var out core.Stage
	if _, err := c.do(ctx, callTimeout, http.MethodPut, "/stages/"+id(stage.ID), stage, &out); err != nil {
		return err
	}
	stage.Version = out.Version
	return nil
}

// UpdateStep implements runner.Client; the step takes the server's answer.
func (c *Client) UpdateStep(ctx context.Context, step *core.Step) error {
	var out core.Step
	if _, err := c.do(ctx, callTimeout, http.MethodPut, "/steps/"+id(step.ID), step, &out); err != nil {
		return err
	}
	step.Version = out.Version
	return nil
}

// AppendLogs implements runner.Client.
func (c *Client) AppendLogs(ctx context.Context, stepID int64, lines []*core.LogLine) error {
	_, err := c.do(ctx, callTimeout, http.MethodPost, "/steps/"+id(stepID)+"/logs", lines, nil)
	return err
}

// Watch implements runner.Client: one long-poll; nothing when it ends
// without a cancel.
func (c *Client) Watch(ctx context.Context, ignore []int64) ([]int64, error) {
	var w runnerproto.WatchResponse
	status, err := c.do(ctx, pollTimeout, http.MethodPost, "/watch", runnerproto.WatchRequest{Ignore: ignore}, &w)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil || status != http.StatusOK {
		return nil, err
	}
	return w.Cancelled, nil
}

// Register exchanges a registration token for a runner token at the
// server at url.
func Register(ctx context.Context, url, registrationToken string, req runnerproto.RegisterRequest) (*runnerproto.RegisterResponse, error) {
	c := New(url, registrationToken)
	defer c.http.CloseIdleConnections() // a one-off call: keep no connection open
	var out runnerproto.RegisterResponse
	if _, err := c.do(ctx, callTimeout, http.MethodPost, "/register", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
