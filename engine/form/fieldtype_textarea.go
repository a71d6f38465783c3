package form

// textarea is long, multi-line text (notes, descriptions, follow-up
// records). It behaves as text without a pattern, with line breaks kept
// and a larger default limit.
func init() {
	registerType(&textType{
		defaultMax: 10000,
		multiline:  true,
		typeSpec: newSpec("textarea", "多行文本", "Long text", "input.textarea", "basic", `{
  "type": "object",
  "properties": {
    "maxLength": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 10000, "description": "at most this many characters"},
    "minLength": {"type": "integer", "minimum": 0, "maximum": 100000, "description": "at least this many characters when filled in"},
    "rows": {"type": "integer", "minimum": 1, "maximum": 50, "description": "height of the input in lines"}
  }
}`, `{"key": "note", "type": "textarea", "label": {"zh-CN": "备注", "en": "Note"}, "maxLength": 2000, "rows": 4}`),
	})
}
