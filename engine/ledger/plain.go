package ledger

import "time"

// Plain is the entry as the JSON values its encoding decodes to (numbers
// as int64, times as RFC 3339 text, the same fields left out), without
// the encoding: the action host hands an entry to scripts this way after
// every ledger.post. TestEntryPlain keeps it equal to the JSON.
func (e *Entry) Plain() map[string]any {
	return entryMap(e, "id", func(t time.Time) string { return t.Format(time.RFC3339Nano) })
}
