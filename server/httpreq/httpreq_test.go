package httpreq_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httpreq"
)

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64 // 0: refused
	}{
		{"1", 1},
		{"42", 42},
		{"007", 7},
		{"9223372036854775807", 9223372036854775807},
		{"999abc", 0},
		{"1e5", 0},
		{"-1", 0},
		{"+1", 0},
		{"0x10", 0},
		{"0", 0},
		{"", 0},
		{" 1", 0},
		{"1 ", 0},
		{"1.0", 0},
		{"9223372036854775808", 0},
		{"99999999999999999999999", 0},
	} {
		got, err := httpreq.ParseID("id", tc.in)
		if tc.want == 0 {
			if !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), "id ") {
				t.Errorf("ParseID(%q) = %d, %v; want an invalid error naming id", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseID(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestBindJSON(t *testing.T) {
	type body struct {
		Name string `json:"name"`
	}
	for _, tc := range []struct {
		name, in string
		limit    int64
		want     string // "" accepted, else part of the error
	}{
		{"valid", `{"name":"x"}`, 1 << 10, ""},
		{"empty", ``, 1 << 10, "empty"},
		{"unknown field", `{"nme":"x"}`, 1 << 10, "unknown field"},
		{"not JSON", `{name}`, 1 << 10, "not valid JSON"},
		{"trailing data", `{"name":"x"} {}`, 1 << 10, "after the JSON value"},
		{"too large", `{"name":"` + strings.Repeat("x", 100) + `"}`, 16, "too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := gin.New()
			var got error
			r.POST("/", httpreq.LimitBody(tc.limit), func(c *gin.Context) {
				var b body
				got = httpreq.BindJSON(c, &b)
			})
			r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.in)))
			var mbe *http.MaxBytesError
			switch {
			case tc.want == "" && got != nil:
				t.Fatalf("refused: %v", got)
			case tc.want == "":
			case tc.want == "too large":
				if !errors.As(got, &mbe) {
					t.Fatalf("err = %v, want a MaxBytesError", got)
				}
			case !errors.Is(got, core.ErrInvalid) || !strings.Contains(got.Error(), tc.want):
				t.Fatalf("err = %v, want an invalid error with %q", got, tc.want)
			}
		})
	}
}
