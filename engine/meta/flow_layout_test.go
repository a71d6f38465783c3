package meta

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
)

// flowWithLayout is a two-state flow whose designer drawing (layout) is
// kept in the definition.
const flowWithLayout = `{"title":"Approval","form":"members","initial":"a",` +
	`"states":[{"key":"a"},{"key":"b","type":"final"}],` +
	`"transitions":[{"trigger":"go","from":"a","to":"b"}],` +
	`"layout":{"a":{"x":40,"y":-12.5},"b":{"x":320,"y":180}}}`

// layoutOf decodes the layout of a flow spec.
func layoutOf(t *testing.T, spec json.RawMessage) map[string]map[string]float64 {
	t.Helper()
	var f struct {
		Layout map[string]map[string]float64 `json:"layout"`
	}
	if err := json.Unmarshal(spec, &f); err != nil {
		t.Fatal(err)
	}
	return f.Layout
}

// TestFlowLayoutRoundTrips checks that node positions validate, survive
// save, publish and the published read, and travel in an app export to
// another app.
func TestFlowLayoutRoundTrips(t *testing.T) {
	ctx := context.Background()
	if err := Validate(Definition{Kind: KindFlow, App: "crm", Key: "approval", Spec: json.RawMessage(flowWithLayout)}); err != nil {
		t.Fatal(err)
	}
	s, _ := withApp(t)
	mustCreate(t, s, KindForm, "crm", "members", formSpec("members"))
	mustCreate(t, s, KindFlow, "crm", "approval", flowWithLayout)
	mustPublish(t, s, KindFlow, "crm", "approval", 1)
	p, err := s.Published(ctx, "crm", KindFlow, "approval")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]float64{"a": {"x": 40, "y": -12.5}, "b": {"x": 320, "y": 180}}
	if got := layoutOf(t, p.Spec); !sameLayout(got, want) {
		t.Fatalf("published layout %v; want %v", got, want)
	}

	b, err := s.Export(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	file, _ := json.Marshal(b)
	var back Bundle
	if err := json.Unmarshal(file, &back); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, back, ImportOptions{TargetApp: "crm2"}, "importer"); err != nil {
		t.Fatal(err)
	}
	copied, err := s.Published(ctx, "crm2", KindFlow, "approval")
	if err != nil {
		t.Fatal(err)
	}
	if got := layoutOf(t, copied.Spec); !sameLayout(got, want) {
		t.Fatalf("imported layout %v; want %v", got, want)
	}
}

func sameLayout(a, b map[string]map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, p := range a {
		q, ok := b[k]
		if !ok || p["x"] != q["x"] || p["y"] != q["y"] {
			return false
		}
	}
	return true
}

// TestFlowLayoutRejected checks that a malformed layout is a 422 naming the
// offending path, and that nothing is written.
func TestFlowLayoutRejected(t *testing.T) {
	base := `{"title":"F","form":"members","initial":"a","states":[{"key":"a"}],"transitions":[],"layout":%s}`
	cases := []invalidCase{
		{"string x", KindFlow, fmt.Sprintf(base, `{"a":{"x":"40","y":1}}`), []string{"spec.layout.a.x meta.type"}},
		{"missing y", KindFlow, fmt.Sprintf(base, `{"a":{"x":1}}`), []string{"spec.layout.a.y meta.required"}},
		{"extra property", KindFlow, fmt.Sprintf(base, `{"a":{"x":1,"y":2,"z":3}}`), []string{"spec.layout.a.z meta.unknown_property"}},
		{"not an object", KindFlow, fmt.Sprintf(base, `[1,2]`), []string{"spec.layout meta.type"}},
		{"bad state key", KindFlow, fmt.Sprintf(base, `{"1a":{"x":1,"y":2}}`), []string{"spec.layout.1a meta.property_name"}},
		{"huge", KindFlow, fmt.Sprintf(base, `{"a":{"x":1e9,"y":2}}`), []string{"spec.layout.a.x meta.range"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertFields(t, Validate(Definition{Kind: tc.kind, App: "crm", Key: "f", Spec: json.RawMessage(tc.spec)}), tc.want)
		})
	}

	s, _ := withApp(t)
	_, err := s.Create(context.Background(), Definition{Kind: KindFlow, App: "crm", Key: "f", Spec: json.RawMessage(cases[0].spec)}, "alice")
	assertFields(t, err, cases[0].want)
	if _, err := s.Get(context.Background(), "crm", KindFlow, "f"); err == nil {
		t.Fatal("a rejected flow was written")
	}
}
