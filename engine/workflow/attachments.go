package workflow

import (
	"context"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// fAttachments is the timeline entries' list of attached file ids.
var fAttachments = query.Field{Path: "attachments", Kind: query.KindString}

// maxAttachmentEntries bounds the timeline entries one download looks at:
// a file is attached once, so more than a few is never legitimate.
const maxAttachmentEntries = 20

// AttachmentReadable reports whether p may download file id of app because
// it is attached to a comment in the timeline of a record whose workflow p
// may see (p reads the record, or holds one of its tasks): the files
// service asks it when no record field holds the file (files.Reader).
func (s *Service) AttachmentReadable(ctx context.Context, p *auth.Principal, app, id string) (bool, error) {
	docs, err := s.st.Find(ctx, collHistory, store.Query{
		Filter: query.And(query.Eq(fApp, query.Str(app)), query.Cmp(fAttachments, query.OpContains, query.Str(id))),
		Limit:  maxAttachmentEntries,
	})
	if err != nil {
		return false, err
	}
	for _, d := range docs {
		formKey, _ := d["form"].(string)
		record, _ := d["record"].(string)
		if _, err := s.View(ctx, p, app, formKey, record); err == nil {
			return true, nil
		}
	}
	return false, nil
}
