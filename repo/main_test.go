package repo_test

import (
	"os"
	"testing"

	"fugong/repo/dbtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	dbtest.DropTemplates()
	os.Exit(code)
}
