package store_test

import (
	"testing"

	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// forEach runs fn as a subtest on every backend, named after it.
func forEach(t *testing.T, fn func(t *testing.T, s *store.Store)) { storetest.Each(t, fn) }

func openSQLite(t testing.TB) *store.Store { return storetest.SQLite(t) }
