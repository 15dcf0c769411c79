package server_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/drover-ci/drover/server/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.Cleanup() // also stops a Postgres cluster a benchmark started
	os.Exit(code)
}

func strconvItoa(n int64) string { return strconv.FormatInt(n, 10) }
