package remote

import (
	"encoding/json"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/proto/pluginpb"
)

func credsToPB(c core.Creds) *pluginpb.CredsMessage {
	m := &pluginpb.CredsMessage{Token: c.Token, Refresh: c.Refresh}
	if !c.Expiry.IsZero() {
		m.ExpiryUnixNano = c.Expiry.UnixNano()
	}
	return m
}

func credsFromPB(m *pluginpb.CredsMessage) core.Creds {
	if m == nil {
		return core.Creds{}
	}
	c := core.Creds{Token: m.Token, Refresh: m.Refresh}
	if m.ExpiryUnixNano != 0 {
		c.Expiry = time.Unix(0, m.ExpiryUnixNano)
	}
	return c
}

func headersToPB(h map[string][]string) []*pluginpb.Header {
	out := make([]*pluginpb.Header, 0, len(h))
	for k, v := range h {
		out = append(out, &pluginpb.Header{Name: k, Values: v})
	}
	return out
}

func headersFromPB(hs []*pluginpb.Header) map[string][]string {
	out := make(map[string][]string, len(hs))
	for _, h := range hs {
		out[h.Name] = append(out[h.Name], h.Values...)
	}
	return out
}

func toJSON(v any) (*pluginpb.JSONResponse, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, core.Errorf(core.CodeInvalid, "encode %T: %v", v, err)
	}
	return &pluginpb.JSONResponse{Json: b}, nil
}

func fromJSON[T any](r *pluginpb.JSONResponse) (*T, error) {
	var v T
	if err := json.Unmarshal(r.Json, &v); err != nil {
		return nil, core.Errorf(core.CodeInvalid, "decode %T: %v", v, err)
	}
	return &v, nil
}
