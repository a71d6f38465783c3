package automation

import (
	"context"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Message statuses.
const (
	MessagePending = "pending" // waiting for (another) delivery attempt at due
	MessageSent    = "sent"    // delivered (or kept, on a Keeper channel)
	MessageFailed  = "failed"  // gave up after MaxDeliveryAttempts
)

// Delivery retries: the wait doubles from deliveryBackoff up to an hour;
// after MaxDeliveryAttempts the message is failed, visible in the
// messages list.
const (
	MaxDeliveryAttempts = 12
	deliveryBackoff     = 30 * time.Second
	deliveryTimeout     = 30 * time.Second
)

// newMessage is the stored form of a message the message.send action
// writes (in its transaction); messages of Keeper channels are done at
// once.
func (s *Service) newMessage(m *Message, step string, now time.Time) store.Doc {
	stamp := query.FormatTime(now)
	doc := store.Doc{"_id": m.ID, "app": m.App, "channel": m.Channel, "to": m.To, "subject": m.Subject, "text": m.Text,
		"lang": m.Lang, "automation": m.Automation, "run": m.Run, "step": step, "attempts": 0, "createdAt": stamp}
	if len(m.Data) > 0 {
		doc["data"] = keepable(m.Data)
	}
	ch, _ := s.channels.get(m.Channel)
	if _, keeps := ch.(Keeper); keeps {
		doc["status"], doc["sentAt"] = MessageSent, stamp
	} else {
		doc["status"], doc["due"] = MessagePending, stamp
	}
	return doc
}

// deliver hands the messages that are due to their channels, each claimed
// first (its due moved past the attempt's timeout, so a runner that dies
// mid-send leaves it due again), several at once: a slow or dead channel
// holds up only its own messages.
func (s *Service) deliver(ctx context.Context) (int, error) {
	now := s.now()
	docs, err := s.st.Find(ctx, CollMessages, store.Query{
		Filter: query.Cmp(fDue, query.OpLte, query.TimeV(query.FormatTime(now))),
		Sort:   []query.SortKey{{Field: fDue}}, Limit: s.opt.Batch})
	if err != nil || len(docs) == 0 {
		return 0, err
	}
	until := query.FormatTime(now.Add(2 * deliveryTimeout))
	var claimed []store.Doc
	for _, d := range docs {
		id, _ := d["_id"].(string)
		due, _ := d["due"].(string)
		doc, err := s.st.Update(ctx, CollMessages, id, store.Patch{Set: map[string]any{"due": until, "holder": s.opt.Holder}},
			query.Eq(fDue, query.TimeV(due)))
		if errs.HasCode(err, store.ErrConditionFailed.Code) || errs.HasCode(err, store.ErrNotFound.Code) {
			continue
		}
		if err != nil {
			return 0, err
		}
		claimed = append(claimed, doc)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(4, s.opt.Workers))
	for _, d := range claimed {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s.send(ctx, d, until)
		}()
	}
	wg.Wait()
	return len(claimed), nil
}

// send makes one delivery attempt and records its outcome on condition
// that the claim still holds.
func (s *Service) send(ctx context.Context, d store.Doc, claim string) {
	m := messageOf(d)
	attempts, _ := query.ToInt(d["attempts"])
	attempts++
	var rec Receipt
	ch, ok := s.channels.get(m.Channel)
	err := error(coded("", errs.Unavailable, "automation.channel_unknown", m.Channel))
	if ok {
		sctx, cancel := context.WithTimeout(ctx, deliveryTimeout)
		rec, err = ch.Send(sctx, m)
		cancel()
	}
	if ctx.Err() != nil {
		return // shutting down: the claim ends and another attempt follows
	}
	now := s.now()
	stamp := query.FormatTime(now)
	set := map[string]any{"attempts": attempts, "updatedAt": stamp}
	unset := []string{"holder"}
	switch {
	case err == nil:
		set["status"], set["sentAt"] = MessageSent, stamp
		if rec.ProviderID != "" {
			set["receipt"] = rec.ProviderID
		}
		unset = append(unset, "due", "error")
	case attempts >= MaxDeliveryAttempts:
		set["status"], set["error"] = MessageFailed, errText(err)
		unset = append(unset, "due")
	default:
		wait := RetrySpec{BackoffSeconds: int(deliveryBackoff / time.Second), MaxBackoffSeconds: 3600}.backoff(int(attempts), m.ID)
		set["due"], set["error"] = query.FormatTime(now.Add(wait)), errText(err)
	}
	_, uerr := s.st.Update(ctx, CollMessages, m.ID, store.Patch{Set: set, Unset: unset}, query.Eq(fDue, query.TimeV(claim)))
	if uerr != nil && !errs.HasCode(uerr, store.ErrConditionFailed.Code) {
		s.log.Warn("automation: message outcome not recorded", "message", m.ID, "err", uerr.Error())
	}
	if err != nil {
		s.log.Info("automation: message not delivered", "message", m.ID, "channel", m.Channel, "attempt", attempts, "err", err.Error())
	}
}

// errText is a delivery error for the messages list (an admin's view; the
// provider's answer is what they need to fix a channel).
func errText(err error) string {
	s := err.Error()
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}

// messageOf reads a stored message.
func messageOf(d store.Doc) *Message {
	str := func(k string) string { v, _ := d[k].(string); return v }
	m := &Message{ID: str("_id"), App: str("app"), Channel: str("channel"), To: str("to"), Subject: str("subject"),
		Text: str("text"), Lang: str("lang"), Automation: str("automation"), Run: str("run")}
	m.Data, _ = d["data"].(map[string]any)
	return m
}
