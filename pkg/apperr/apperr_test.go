package apperr_test

import (
	"slices"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// TestMergeKeepsTheFirstProblemOfEachField: the first problem found with a
// field is the one a caller reads; a field named again adds nothing.
func TestMergeKeepsTheFirstProblemOfEachField(t *testing.T) {
	f := apperr.Fields{{Path: "items[1].captured_at", Message: "has no time zone"}}
	got := f.Merge([]apperr.FieldError{{Path: "items[1].captured_at", Message: "is required"}, {Path: "items[0].phone", Message: "is too short"}})
	want := apperr.Fields{{Path: "items[1].captured_at", Message: "has no time zone"}, {Path: "items[0].phone", Message: "is too short"}}
	if !slices.Equal(got, want) {
		t.Errorf("merged %+v, want %+v", got, want)
	}
}
