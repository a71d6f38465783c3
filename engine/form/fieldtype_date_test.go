package form

import "testing"

func TestDate(t *testing.T) {
	const bounds = `{"min": "2000-01-01", "max": "2030-12-31"}`
	ftNormalize(t, "date", true, []ntCase{
		{name: "canonical", in: "2026-11-23", want: "2026-11-23"},
		{name: "trimmed", in: " 2024-02-29 ", want: "2024-02-29"},
		{name: "not a leap year", in: "2026-02-29", errs: []string{"f field.date"}},
		{name: "month 13", in: "2026-13-01", errs: []string{"f field.date"}},
		{name: "single digits", in: "2026-1-5", errs: []string{"f field.date"}},
		{name: "slashes are Parse's", in: "2026/11/23", errs: []string{"f field.date"}},
		{name: "time refused", in: "2026-11-23T10:00:00Z", errs: []string{"f field.date"}},
		{name: "year zero", in: "0000-01-01", errs: []string{"f field.date"}},
		{name: "number", in: ftJSON(`46349`), errs: []string{"f field.type"}},
		{name: "blank", in: "", want: nil},
		{name: "min", settings: bounds, in: "1999-12-31", errs: []string{"f field.min"}},
		{name: "max", settings: bounds, in: "2031-01-01", errs: []string{"f field.max"}},
		{name: "within", settings: bounds, in: "2030-12-31", want: "2030-12-31"},
	})
	ftParse(t, "date", []psCase{
		{cell: "2026/11/23", want: "2026-11-23"},
		{cell: "2026-11-23", want: "2026-11-23"},
		{cell: "2026/1/5", want: "2026-01-05"},
		{cell: "2026.1.5", want: "2026-01-05"},
		{cell: "2026年11月23日", want: "2026-11-23"},
		{cell: "20261123", want: "2026-11-23"},
		{cell: "46349", want: "2026-11-23"},
		{cell: "46349.0", want: "2026-11-23"},
		{cell: "1", want: "1900-01-01"},
		{cell: "59", want: "1900-02-28"},
		{cell: "61", want: "1900-03-01"},
		{cell: "60", want: "60"},
		{cell: "2026/11/23 00:00:00", want: "2026-11-23"},
		{cell: "2026/11/23 14:30", want: "2026/11/23 14:30"},
		{cell: "2026/2/30", want: "2026/2/30"},
		{cell: "明天", want: "明天"},
		{cell: " ", want: nil},
	})
	ftCheck(t, "date", []ckCase{
		{"fine", bounds, nil},
		{"not a date", `{"min": "2026-02-30"}`, []string{"min field.config"}},
		{"shape", `{"max": "2026/01/01"}`, []string{"max field.config"}},
		{"order", `{"min": "2027-01-01", "max": "2026-01-01"}`, []string{"min field.config.range"}},
	})
}

func TestDatetime(t *testing.T) {
	ftNormalize(t, "datetime", true, []ntCase{
		{name: "utc", in: "2026-11-23T06:30:00Z", want: "2026-11-23T06:30:00.000Z"},
		{name: "offset", in: "2026-11-23T14:30:00+08:00", want: "2026-11-23T06:30:00.000Z"},
		{name: "fraction", in: "2026-11-23T14:30:00.123456+08:00", want: "2026-11-23T06:30:00.123Z"},
		{name: "canonical", in: "2026-11-23T06:30:00.000Z", want: "2026-11-23T06:30:00.000Z"},
		{name: "naive in Shanghai", in: "2026-11-23 14:30", want: "2026-11-23T06:30:00.000Z"},
		{name: "naive with T and seconds", in: "2026-11-23T14:30:05", want: "2026-11-23T06:30:05.000Z"},
		{name: "date is midnight", in: "2026-11-23", want: "2026-11-22T16:00:00.000Z"},
		{name: "field zone", settings: `{"timeZone": "UTC"}`, in: "2026-11-23 14:30", want: "2026-11-23T14:30:00.000Z"},
		{name: "zone with DST", settings: `{"timeZone": "America/New_York"}`, in: "2026-07-01 12:00", want: "2026-07-01T16:00:00.000Z"},
		{name: "offset wins over zone", settings: `{"timeZone": "UTC"}`, in: "2026-11-23T14:30:00+08:00", want: "2026-11-23T06:30:00.000Z"},
		{name: "hour 24", in: "2026-11-23 24:00", errs: []string{"f field.datetime"}},
		{name: "garbage", in: "yesterday", errs: []string{"f field.datetime"}},
		{name: "epoch number", in: ftJSON(`1763879400000`), errs: []string{"f field.type"}},
		{name: "blank", in: " ", want: nil},
	})
	ftParse(t, "datetime", []psCase{
		{cell: "2026/11/23 14:30", want: "2026-11-23T06:30:00.000Z"},
		{cell: "2026年11月23日 14:30:05", want: "2026-11-23T06:30:05.000Z"},
		{cell: "2026-11-23 14:30", want: "2026-11-23T06:30:00.000Z"},
		{cell: "2026/11/23", want: "2026-11-22T16:00:00.000Z"},
		{cell: "46349.6041666667", want: "2026-11-23T06:30:00.000Z"},
		{settings: `{"timeZone": "UTC"}`, cell: "46349.5", want: "2026-11-23T12:00:00.000Z"},
		{cell: "2026-11-23T14:30:00+08:00", want: "2026-11-23T06:30:00.000Z"},
		{cell: "2026/11/23 25:00", want: "2026/11/23 25:00"},
		{cell: "", want: nil},
	})
	ftCheck(t, "datetime", []ckCase{
		{"fine", `{"timeZone": "Asia/Urumqi"}`, nil},
		{"unknown zone", `{"timeZone": "Mars/Olympus"}`, []string{"timeZone field.config.zone"}},
		{"server zone refused", `{"timeZone": "Local"}`, []string{"timeZone field.config.zone"}},
		{"empty", `{"timeZone": ""}`, []string{"timeZone field.config"}},
	})
}
