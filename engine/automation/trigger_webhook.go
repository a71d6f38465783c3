package automation

import (
	"encoding/json"
	"os"
	"regexp"
	"time"

	"github.com/xeipuuv/gojsonschema"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/outbox"
)

// webhook.inbound fires on a POST to /api/hooks/{app}/{automation} that
// proves it knows the secret, either by HMAC (the default) or by sending
// it:
//
//	{"signature": "hmac-sha256", "secretEnv": "POS_HOOK_SECRET", "schema": {"type": "object", "required": ["receiptId"]}}
//
// hmac-sha256: X-Tangram-Timestamp is the Unix time in seconds and
// X-Tangram-Signature "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." +
// body)); a timestamp more than toleranceSeconds (default 300) away from
// now is refused, so a captured request cannot be replayed later.
// secret: X-Tangram-Secret carries the secret itself (for senders that
// cannot sign; use HTTPS). The secret is given in the definition or,
// better, named by secretEnv and read from the server's environment.
// schema, when given, is the JSON Schema the body must match. The body is
// in "$payload".
type webhookTrigger struct {
	mode      string
	secret    string
	secretEnv string
	tolerance time.Duration
	schema    *gojsonschema.Schema
}

type webhookConfig struct {
	Signature        string          `json:"signature,omitempty"`
	Secret           string          `json:"secret,omitempty"`
	SecretEnv        string          `json:"secretEnv,omitempty"`
	ToleranceSeconds int             `json:"toleranceSeconds,omitempty"`
	Schema           json.RawMessage `json:"schema,omitempty"`
}

// Webhook signature modes.
const (
	SignatureHMAC   = "hmac-sha256"
	SignatureSecret = "secret"
)

// MinSecretLength is the shortest accepted webhook secret.
const MinSecretLength = 16

var envNameRe = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,99}$`)

func (t *webhookTrigger) Form() string         { return "" }
func (t *webhookTrigger) EventTypes() []string { return []string{EventWebhook} }

// Match fires on webhook events addressed to the automation.
func (t *webhookTrigger) Match(key string, e *outbox.Event) bool { return e.Data["automation"] == key }

// key returns the secret, "" when its environment variable is unset.
func (t *webhookTrigger) key() string {
	if t.secretEnv != "" {
		return os.Getenv(t.secretEnv)
	}
	return t.secret
}

func init() {
	RegisterTrigger(TriggerType{
		Spec: ext.Spec{Key: "webhook.inbound", Version: 1, Group: "integration",
			Title: map[string]string{"zh-CN": "收到 Webhook 时", "en": "When a webhook is received"},
			Config: json.RawMessage(`{"type":"object","additionalProperties":false,"properties":{"signature":{"enum":["hmac-sha256","secret"]},` +
				`"secret":{"type":"string","minLength":16},"secretEnv":{"type":"string"},"toleranceSeconds":{"type":"integer"},"schema":{"type":"object"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"signature":"hmac-sha256","secretEnv":"POS_HOOK_SECRET"}`)}},
		Compile: func(raw json.RawMessage) (Trigger, []errs.FieldError) {
			var c webhookConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			var fe []errs.FieldError
			t := &webhookTrigger{mode: c.Signature, secret: c.Secret, secretEnv: c.SecretEnv, tolerance: 5 * time.Minute}
			if t.mode == "" {
				t.mode = SignatureHMAC
			}
			if t.mode != SignatureHMAC && t.mode != SignatureSecret {
				fe = append(fe, fieldErr("signature", "automation.bad_signature_mode", "hmac-sha256 or secret")...)
			}
			switch {
			case (c.Secret == "") == (c.SecretEnv == ""):
				fe = append(fe, fieldErr("secret", "automation.secret_required", "give the secret or secretEnv, the environment variable holding it")...)
			case c.Secret != "" && len(c.Secret) < MinSecretLength:
				fe = append(fe, fieldErr("secret", "automation.weak_secret", "at least %d characters", MinSecretLength)...)
			case c.SecretEnv != "" && !envNameRe.MatchString(c.SecretEnv):
				fe = append(fe, fieldErr("secretEnv", "automation.bad_env", "an environment variable name such as POS_HOOK_SECRET")...)
			}
			if c.ToleranceSeconds < 0 || c.ToleranceSeconds > 3600 {
				fe = append(fe, fieldErr("toleranceSeconds", "automation.bad_tolerance", "between 1 and 3600 seconds")...)
			} else if c.ToleranceSeconds > 0 {
				t.tolerance = time.Duration(c.ToleranceSeconds) * time.Second
			}
			if p := localRefs(c.Schema); p != "" {
				fe = append(fe, fieldErr("schema"+p, "automation.remote_ref", "only local references (#/...) are allowed")...)
			} else if len(c.Schema) > 0 {
				sl := gojsonschema.NewSchemaLoader()
				sl.Draft, sl.AutoDetect, sl.Validate = gojsonschema.Draft7, false, true
				sc, err := sl.Compile(gojsonschema.NewBytesLoader(c.Schema))
				if err != nil {
					fe = append(fe, fieldErr("schema", "automation.bad_schema", "not a valid JSON Schema: %s", err.Error())...)
				}
				t.schema = sc
			}
			return t, fe
		},
	})
}

// localRefs returns the path of the first "$ref" that is not local ("" for
// none): a schema must never make the server fetch a URL.
func localRefs(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	var walk func(v any, path string) string
	walk = func(v any, path string) string {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if s, ok := e.(string); ok && k == "$ref" && (len(s) == 0 || s[0] != '#') {
					return path + "." + k
				}
				if p := walk(e, path+"."+k); p != "" {
					return p
				}
			}
		case []any:
			for i, e := range t {
				if p := walk(e, path+"["+itoa(i)+"]"); p != "" {
					return p
				}
			}
		}
		return ""
	}
	return walk(v, "")
}
