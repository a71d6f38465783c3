package report

import (
	"strings"
)

// Tag write-back: the segment is also a tag on the member (RFMTagPrefix +
// segment in the job's multiselect), so lists, filters, coupon targets
// and automations that work on tags see it. A run keeps every tag without
// the prefix in its place, drops every tag with it, and appends the
// current segment's tag; a member who is no longer a buyer keeps only the
// other tags.

// retag is the tag list a member should hold: cur without RFM tags, plus
// the tag of segment ("" for none). changed reports whether it differs
// from cur.
func retag(cur any, segment string) (next []any, changed bool) {
	list, _ := cur.([]any)
	want := ""
	if segment != "" {
		want = RFMTagPrefix + segment
	}
	next = make([]any, 0, len(list)+1)
	had := false
	for _, t := range list {
		s, ok := t.(string)
		if ok && strings.HasPrefix(s, RFMTagPrefix) {
			// The current tag is kept once; any other RFM tag (or a
			// repeat) goes.
			if s == want && !had {
				had = true
				continue
			}
			changed = true
			continue
		}
		next = append(next, t)
	}
	if want != "" {
		next = append(next, want)
		if !had {
			changed = true
		}
	}
	if !changed {
		// The same tags (the segment's may sit before others): leave the
		// member as it is rather than rewrite it to move the tag.
		return list, false
	}
	return next, true
}
