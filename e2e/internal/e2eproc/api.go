package e2eproc

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Call calls the API at baseURL with the bearer token and decodes a 2xx
// answer into out (when not nil). It returns the status, 0 with the
// error when the server cannot be reached (it may be down on purpose),
// and an error when a 2xx answer does not decode. Safe to call from any
// goroutine.
func Call(baseURL, token, method, path, body string, out any) (int, error) {
	req, err := http.NewRequest(method, baseURL+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w: %s", method, path, err, data)
		}
	}
	return resp.StatusCode, nil
}
