package testkit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

func TestClock(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := NewClock(at)
	c.Add(time.Hour)
	if got := c.Now(); !got.Equal(at.Add(time.Hour)) {
		t.Fatalf("after Add: %v", got)
	}
	c.Set(time.Time{})
	if got := c.Now(); got.Year() < 2025 {
		t.Fatalf("a zero clock follows the real one, got %v", got)
	}
}

func TestPublishCreatesThenSaves(t *testing.T) {
	ctx := context.Background()
	ms := Meta(t, Open(t, StoreURI(t, "TANGRAM_TEST_TESTKIT_STORE", "kit.db")))
	if _, err := Publish(ctx, ms, "crm", meta.KindApp, "crm", `{"title": "CRM"}`); err != nil {
		t.Fatal(err)
	}
	d, err := Publish(ctx, ms, "crm", meta.KindApp, "crm", `{"title": "CRM 2"}`)
	if err != nil || d.Version != 2 {
		t.Fatalf("second publish: version %d, %v", d.Version, err)
	}
	if _, err := Publish(ctx, ms, "crm", meta.KindForm, "bad", `{"fields": 7}`); err == nil {
		t.Fatal("an invalid spec was published")
	}
}

func TestErrorHelpers(t *testing.T) {
	err := fmtWrap(&errs.Error{Class: errs.Invalid, Code: "x.bad", Fields: []errs.FieldError{{Path: "a", Code: "c1"}, {Path: "b[0]", Code: "c2"}}})
	if e := WantCode(t, err, "x.bad"); e.Code != "x.bad" {
		t.Fatal(e)
	}
	if got := FieldErrors(err); len(got) != 2 || got[0] != "a c1" || got[1] != "b[0] c2" {
		t.Fatalf("field errors %v", got)
	}
	if FieldErrors(errors.New("plain")) != nil {
		t.Fatal("a plain error has no field errors")
	}
}

func fmtWrap(err error) error { return errors.Join(errors.New("context"), err) }
