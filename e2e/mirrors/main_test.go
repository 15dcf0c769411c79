package mirrors_test

import (
	"testing"

	"github.com/drover-ci/drover/e2e/internal/e2eproc"
)

func TestMain(m *testing.M) { e2eproc.Main(m) }
