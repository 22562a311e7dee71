package domain_test

import (
	"errors"
	"slices"
	"testing"

	"fugong/domain"
)

// storeless is every service built without stores, for the rules they check before reading
// anything: a store call would panic on a nil interface.
func storeless() domain.Services { return domain.NewServices(domain.Stores{}, domain.Options{}) }

// fieldNames returns the fields a *domain.Error names, sorted, or nil for any other error.
func fieldNames(err error) []string {
	var de *domain.Error
	if !errors.As(err, &de) {
		return nil
	}
	var out []string
	for _, f := range de.Fields {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

// wantErr fails the test unless err is of kind and, when fields are given, names exactly those
// fields (in any order).
func wantErr(t *testing.T, err, kind error, fields ...string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("got error %v, want kind %v", err, kind)
	}
	if len(fields) == 0 {
		return
	}
	want := slices.Clone(fields)
	slices.Sort(want)
	if got := fieldNames(err); !slices.Equal(got, want) {
		t.Fatalf("got fields %v, want %v (error %v)", got, want, err)
	}
}

func ptr[T any](v T) *T { return &v }
