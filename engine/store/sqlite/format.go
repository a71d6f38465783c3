package sqlite

// Documents are stored as SQLite JSONB (binary JSON, SQLite 3.45+), chosen
// by measurement (docs/perf-sqlite-driver.md): with the chosen driver a
// GROUP BY over 200k documents ran in 0.62 s against 0.89 s for JSON text,
// because json_extract reads JSONB without re-parsing the document for
// every call; batched inserts cost the same (about 155k rows/s for both),
// and an indexed point find pays about 0.8 µs more (5.6 against 4.8 µs)
// to turn JSONB back into text. Reports scan many rows, so JSONB. JSONB
// keeps each number's literal text: "10.50", 1e5, -0 and
// 123456789012345678901234567890 come back exactly as written.
const (
	docColumnType = "BLOB"
	docIn         = "?"         // the bound value is JSONB made in Go (jsonb.go)
	docOut        = "doc"       // JSONB, read in Go (jsonb.go)
	jsonSetFn     = "jsonb_set" // keeps the result JSONB
	jsonRemoveFn  = "jsonb_remove"
	jsonValueFn   = "jsonb" // marks bound text as a JSON value, not a string
)

// docArg binds an encoded document (JSONB) for docIn, as a blob.
func docArg(body []byte) any { return body }
