package client

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/drover-ci/drover/core"
)

// Logs are the step log routes.
type Logs struct{ c *Client }

// StepRef names a step of a build: stage and step numbers, from 1.
type StepRef struct {
	Repo  Ref
	Build int64
	Stage int
	Step  int
}

func (s StepRef) path() string {
	return fmt.Sprintf("%s/logs/%d/%d", s.Repo.build(s.Build), s.Stage, s.Step)
}

// pageLimit is the most lines the server sends in one page.
const pageLimit = 10000

// Lines returns the step's log lines, reading page after page.
func (s *Logs) Lines(ctx context.Context, st StepRef) ([]*core.LogLine, error) {
	out := []*core.LogLine{}
	offset := int64(0)
	for {
		q := s.c.repoQuery("offset", strconv.FormatInt(offset, 10), "limit", strconv.Itoa(pageLimit))
		resp, err := s.c.send(ctx, request{method: http.MethodGet, path: st.path(), query: q})
		if err != nil {
			return nil, err
		}
		var page []*core.LogLine
		err = json.NewDecoder(resp.Body).Decode(&page)
		next := resp.Header.Get("X-Next-Offset")
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", st.path(), err)
		}
		out = append(out, page...)
		switch {
		case next != "":
			n, err := strconv.ParseInt(next, 10, 64)
			if err != nil || n <= offset {
				return out, nil
			}
			offset = n
		case len(page) == pageLimit:
			offset = page[len(page)-1].Number + 1
		default:
			return out, nil
		}
	}
}

// Raw returns the step's whole log as text; the caller closes it.
func (s *Logs) Raw(ctx context.Context, st StepRef) (io.ReadCloser, error) {
	resp, err := s.c.send(ctx, request{method: http.MethodGet, path: st.path() + "/raw", query: s.c.repoQuery(),
		header: http.Header{"Accept": {"text/plain"}}})
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Follow calls fn with each of the step's lines from offset, as they are
// printed, until the step finished (the server's end event), ctx ends or
// fn fails.
func (s *Logs) Follow(ctx context.Context, st StepRef, offset int64, fn func(*core.LogLine) error) error {
	q := s.c.repoQuery("offset", strconv.FormatInt(offset, 10))
	resp, err := s.c.send(ctx, request{method: http.MethodGet, path: st.path() + "/stream", query: q,
		header: http.Header{"Accept": {"text/event-stream"}}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return readEvents(resp.Body, func(event, data string) (bool, error) {
		switch event {
		case "end":
			return true, nil
		case "line":
			var l core.LogLine
			if err := json.Unmarshal([]byte(data), &l); err != nil {
				return false, fmt.Errorf("a log line of %s: %w", st.path(), err)
			}
			return false, fn(&l)
		}
		return false, nil
	})
}

// readEvents reads server-sent events, calling fn with each one's event
// name and data until fn says it is done or fails, or the stream ends.
func readEvents(r io.Reader, fn func(event, data string) (bool, error)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var event string
	var data []string
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if event != "" || data != nil {
				done, err := fn(event, strings.Join(data, "\n"))
				if done || err != nil {
					return err
				}
			}
			event, data = "", nil
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			event = value
		case "data":
			data = append(data, value)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("the event stream broke off: %w", err)
	}
	return nil
}
