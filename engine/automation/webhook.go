package automation

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/xeipuuv/gojsonschema"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Headers of signed webhooks, in and out.
const (
	HeaderTimestamp = "X-Tangram-Timestamp"
	HeaderSignature = "X-Tangram-Signature"
	HeaderSecret    = "X-Tangram-Secret"
	HeaderDelivery  = "X-Tangram-Delivery"
)

// MaxWebhookBody bounds an inbound webhook's body: it travels in an
// outbox event.
const MaxWebhookBody = outbox.MaxDataBytes - 1024

// WebhookRequest is an inbound webhook call.
type WebhookRequest struct {
	App, Automation string
	Body            []byte
	// Header reads a request header.
	Header func(name string) string
	Lang   string
}

// WebhookResult says what became of it.
type WebhookResult struct {
	Event string `json:"event"`
	// Duplicate is set when the delivery id was seen before: nothing new
	// was written.
	Duplicate bool `json:"duplicate,omitempty"`
}

// Sign is the HMAC-SHA256 signature of body at timestamp ts (Unix
// seconds), as X-Tangram-Signature carries it.
func Sign(secret []byte, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Webhook verifies an inbound call of a webhook automation and writes its
// event. Refusals write nothing: 404 for an automation that is not a
// published webhook, 409 disabled, 401 a bad signature or timestamp, 413
// a body too large, 400 a body that is not a JSON object, 422 one that
// breaks the schema (with paths). A call repeating a delivery id
// (X-Tangram-Delivery) is answered with the first call's event.
func (s *Service) Webhook(ctx context.Context, req WebhookRequest) (WebhookResult, error) {
	lang := req.Lang
	a, err := s.cat.published(ctx, req.App, req.Automation)
	if err != nil && errs.ClassOf(err) != errs.NotFound {
		return WebhookResult{}, err
	}
	t, ok := (*webhookTrigger)(nil), false
	if a != nil {
		t, ok = a.Trigger.(*webhookTrigger)
	}
	if !ok {
		return WebhookResult{}, coded(lang, errs.NotFound, "automation.not_found", req.Automation)
	}
	if len(req.Body) > MaxWebhookBody {
		return WebhookResult{}, coded(lang, errs.TooLarge, "automation.webhook_too_large", MaxWebhookBody)
	}
	if err := s.verify(t, req, lang); err != nil {
		return WebhookResult{}, err
	}
	if !a.Enabled {
		return WebhookResult{}, coded(lang, errs.Conflict, "automation.disabled", a.Key)
	}
	payload, err := decodeObject(req.Body)
	if err != nil {
		return WebhookResult{}, coded(lang, errs.Invalid, "automation.webhook_body")
	}
	if t.schema != nil {
		res, err := t.schema.Validate(gojsonschema.NewBytesLoader(req.Body))
		if err != nil {
			return WebhookResult{}, coded(lang, errs.Invalid, "automation.webhook_body")
		}
		if !res.Valid() {
			return WebhookResult{}, schemaProblem(lang, res.Errors())
		}
	}
	delivery := req.Header(HeaderDelivery)
	if len(delivery) > 100 || strings.ContainsFunc(delivery, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return WebhookResult{}, coded(lang, errs.Invalid, "automation.webhook_delivery")
	}
	id := ""
	if delivery != "" {
		sum := sha256.Sum256([]byte(req.App + "/" + req.Automation + "/" + delivery))
		id = "wh" + hex.EncodeToString(sum[:12])
	}
	e := outbox.Event{ID: id, Type: EventWebhook, App: req.App, Actor: "webhook:" + req.Automation, At: s.now(),
		Data: map[string]any{"automation": req.Automation, "payload": payload, "delivery": delivery}}
	err = s.st.Tx(ctx, func(tx store.Ops) error {
		var err error
		id, err = outbox.Write(ctx, tx, e)
		return err
	})
	if errs.HasCode(err, store.ErrDuplicate.Code) {
		return WebhookResult{Event: e.ID, Duplicate: true}, nil
	}
	if err != nil {
		return WebhookResult{}, err
	}
	return WebhookResult{Event: id}, nil
}

// verify checks the signature (or the secret) of a call.
func (s *Service) verify(t *webhookTrigger, req WebhookRequest, lang string) error {
	key := t.key()
	if key == "" {
		return coded(lang, errs.Unavailable, "automation.webhook_unconfigured")
	}
	bad := coded(lang, errs.Unauthorized, "automation.webhook_signature")
	if t.mode == SignatureSecret {
		if subtle.ConstantTimeCompare([]byte(req.Header(HeaderSecret)), []byte(key)) != 1 {
			return bad
		}
		return nil
	}
	ts, err := strconv.ParseInt(req.Header(HeaderTimestamp), 10, 64)
	if err != nil || s.now().Sub(time.Unix(ts, 0)).Abs() > t.tolerance {
		return coded(lang, errs.Unauthorized, "automation.webhook_timestamp", int(t.tolerance/time.Second))
	}
	want := Sign([]byte(key), ts, req.Body)
	if !hmac.Equal([]byte(req.Header(HeaderSignature)), []byte(want)) {
		return bad
	}
	return nil
}

// decodeObject reads a JSON object with exact numbers, bounded in depth
// by the size limit already applied.
func decodeObject(raw []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, errs.New(errs.Invalid, "automation.webhook_body", "not a JSON object")
	}
	if d.More() {
		return nil, errs.New(errs.Invalid, "automation.webhook_body", "data after the JSON object")
	}
	if depth(m, 0) > query.MaxDepth*2 {
		return nil, errs.New(errs.Invalid, "automation.webhook_body", "nested too deeply")
	}
	return m, nil
}

// depth is how deeply a decoded JSON value nests.
func depth(v any, d int) int {
	out := d
	switch t := v.(type) {
	case map[string]any:
		for _, e := range t {
			out = max(out, depth(e, d+1))
		}
	case []any:
		for _, e := range t {
			out = max(out, depth(e, d+1))
		}
	}
	return out
}

// schemaProblem is a 422 listing each schema violation with its path.
func schemaProblem(lang string, list []gojsonschema.ResultError) error {
	fe := make([]errs.FieldError, 0, len(list))
	for _, e := range list {
		p := e.Field()
		if p == "(root)" {
			p = ""
		}
		if prop, ok := e.Details()["property"].(string); ok && e.Type() == "required" {
			// A missing property is reported at its parent; point at it.
			if p != "" {
				p += "."
			}
			p += prop
		}
		fe = append(fe, errs.FieldError{Path: p, Code: "automation.webhook_schema", Message: e.Description()})
	}
	return errs.Validation(errs.Unprocessable, "automation.webhook_schema", msg(lang, "automation.webhook_schema"), fe)
}
