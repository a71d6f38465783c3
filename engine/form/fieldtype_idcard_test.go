package form

import "testing"

func TestIDCard(t *testing.T) {
	ftNormalize(t, "idcard", true, []ntCase{
		{name: "valid X", in: "11010519491231002X", want: "11010519491231002X"},
		{name: "lowercase x", in: "11010519491231002x", want: "11010519491231002X"},
		{name: "spaces", in: "110105 19491231 002X", want: "11010519491231002X"},
		{name: "digit check", in: "310115200002290013", want: "310115200002290013"},
		{name: "Hong Kong permit", in: "810000198001010014", want: "810000198001010014"},
		{name: "Taiwan permit", in: "830000198001010026", want: "830000198001010026"},
		{name: "checksum", in: "110105194912310021", errs: []string{"f field.idcard"}},
		{name: "length", in: "11010519491231002", errs: []string{"f field.idcard"}},
		{name: "15-digit old number", in: "110105491231002", errs: []string{"f field.idcard"}},
		{name: "letters", in: "1101051949123100AX", errs: []string{"f field.idcard"}},
		{name: "region", in: "990105194912310023", errs: []string{"f field.idcard"}},
		{name: "Taiwan region is not an ID", in: "710000198001010010", errs: []string{"f field.idcard"}},
		{name: "birth before 1900", in: "110105189912310023", errs: []string{"f field.idcard"}},
		{name: "birth in the future", in: "110105209901010020", errs: []string{"f field.idcard"}},
		{name: "birth not a date", in: "110105194902310026", errs: []string{"f field.idcard"}},
		{name: "number", in: ftJSON(`110105194912310021`), errs: []string{"f field.type"}},
		{name: "blank", in: "", want: nil},
	})
	ftParse(t, "idcard", []psCase{{cell: "11010519491231002x", want: "11010519491231002x"}, {cell: "", want: nil}})
	ftCheck(t, "idcard", []ckCase{{"fine", `{"mask": "110***********002X"}`, nil}})

	// Each cause has its own message under the one code.
	for in, key := range map[string]string{
		"110105194912310021": "field.idcard.checksum",
		"1101051949123100":   "field.idcard.length",
		"990105194912310023": "field.idcard.region",
		"110105194902310026": "field.idcard.birth",
		"11010519491231002Y": "field.idcard",
		"44030419900307123X": "",
	} {
		if _, got := checkIDCard(in); got != key {
			t.Errorf("checkIDCard(%s) = %q; want %q", in, got, key)
		}
	}
	if d, ok := IDCardBirthDate("44030419900307123x"); !ok || d != "1990-03-07" {
		t.Errorf("IDCardBirthDate = %q %v", d, ok)
	}
	if g, ok := IDCardGender("11010519491231002X"); !ok || g != "female" {
		t.Errorf("IDCardGender = %q %v", g, ok)
	}
	if g, ok := IDCardGender("310115200002290013"); !ok || g != "male" {
		t.Errorf("IDCardGender = %q %v", g, ok)
	}
	if _, ok := IDCardGender("110105194912310021"); ok {
		t.Error("gender of an invalid number")
	}
}
