package mirrors_test

import (
	"os"
	"testing"

	"github.com/drover-ci/drover/e2e/internal/e2eproc"
)

func TestMain(m *testing.M) {
	code := m.Run()
	e2eproc.Cleanup()
	os.Exit(code)
}
