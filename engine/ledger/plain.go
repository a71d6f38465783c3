package ledger

import "time"

// Plain is the entry as the JSON values its encoding decodes to (numbers
// as int64, times as RFC 3339 text, the same fields left out), without
// the encoding: the action host hands an entry to scripts this way after
// every ledger.post. TestEntryPlain keeps it equal to the JSON.
func (e *Entry) Plain() map[string]any {
	m := map[string]any{"id": e.ID, "account": e.Account, "app": e.App, "owner": e.Owner, "kind": e.Kind,
		"unit": string(e.Unit), "amount": e.Amount, "balanceAfter": e.BalanceAfter, "key": e.Key, "type": e.Type,
		"at": e.At.Format(time.RFC3339Nano)}
	for k, v := range map[string]string{"ref": e.Ref, "lot": e.Lot, "reverses": e.Reverses, "requestKey": e.RequestKey, "by": e.By} {
		if v != "" {
			m[k] = v
		}
	}
	if !e.ExpiresAt.IsZero() {
		m["expiresAt"] = e.ExpiresAt.Format(time.RFC3339Nano)
	}
	if len(e.Lots) > 0 {
		lots := make([]any, len(e.Lots))
		for i, a := range e.Lots {
			lots[i] = map[string]any{"lot": a.Lot, "amount": a.Amount}
		}
		m["lots"] = lots
	}
	if len(e.Meta) > 0 {
		m["meta"] = e.Meta
	}
	return m
}
