package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestValidationOrdersPathsNaturally(t *testing.T) {
	err := Validation(Unprocessable, "x.invalid", "bad", []FieldError{
		{Path: "fields[10].key"}, {Path: "fields[2].key"}, {Path: "a"}, {Path: "fields[2].type"},
	})
	e, ok := As(err)
	if !ok {
		t.Fatalf("not an *Error: %v", err)
	}
	var got []string
	for _, f := range e.Fields {
		got = append(got, f.Path)
	}
	if fmt.Sprint(got) != "[a fields[2].key fields[2].type fields[10].key]" {
		t.Fatalf("order %v", got)
	}
	if Validation(Invalid, "x", "y", nil) != nil {
		t.Fatal("no fields must give nil")
	}
}

func TestCodesMatchWithErrorsIs(t *testing.T) {
	base := New(NotFound, "store.not_found", "not found")
	wrapped := fmt.Errorf("ctx: %w", Wrap(errors.New("driver said no"), NotFound, "store.not_found", "member %s", "m1"))
	if !errors.Is(wrapped, base) || ClassOf(wrapped) != NotFound || !HasCode(wrapped, "store.not_found") {
		t.Fatalf("coded error not recognised through wrapping: %v", wrapped)
	}
	if ClassOf(errors.New("plain")) != Internal {
		t.Fatal("foreign errors must be internal")
	}
}
