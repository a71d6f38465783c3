package form

import (
	"context"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/script"
)

func TestFreeNames(t *testing.T) {
	for expr, want := range map[string]string{
		"price * qty":                           "price,qty",
		"a.b.c + o[k]":                          "a,k,o",
		"({x: y, [z]: 1, w})":                   "w,y,z",
		"[1, 2].map(x => x * n)":                "n",
		"((p, {q, r: s}, ...rest) => p + q)(t)": "t",
		"`${first} ${last}`":                    "first,last",
		"IF(tier == 'gold', 2, 1)":              "IF,tier",
		"'price' + \"qty\"":                     "",
	} {
		if got := strings.Join(freeNames(expr), ","); got != want {
			t.Errorf("freeNames(%q) = %q, want %q", expr, got, want)
		}
	}
}

func TestSandboxGlobals(t *testing.T) {
	eng := script.New(script.Options{})
	defer eng.Close()
	got, err := sandboxGlobals(context.Background(), eng, []string{"ROUND", "Math", "JSON", "DAYS_BETWEEN", "undefined", "NaN", "pricee", "require", "fetch"})
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]bool{"ROUND": true, "Math": true, "JSON": true, "DAYS_BETWEEN": true, "undefined": true, "NaN": true, "pricee": false, "require": false, "fetch": false} {
		if got[n] != want {
			t.Errorf("%s: global %v, want %v", n, got[n], want)
		}
	}
}

func TestKindOpsFollowStorage(t *testing.T) {
	infos, err := FieldTypeInfos()
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != len(FieldTypeKeys()) {
		t.Fatalf("%d infos for %d types", len(infos), len(FieldTypeKeys()))
	}
	for _, in := range infos {
		ft, _ := LookupFieldType(in.Key)
		if st := ft.Stored(&Field{Key: "x", Type: in.Key}); st.Ops != nil && len(in.Operators) != len(st.Ops) {
			t.Errorf("%s: operators %v, type allows %v", in.Key, in.Operators, st.Ops)
		}
	}
}
