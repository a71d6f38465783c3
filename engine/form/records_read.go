package form

import (
	"context"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Reading. Every record leaves the service through present: lookups are
// resolved (under the reader's rights on the related form) and the
// reader's field rules applied (hidden fields removed, masked ones masked).

type langKey struct{}

// WithLang returns a context whose operations report errors in lang
// ("zh-CN" or "en"); WriteOptions.Lang, when set, wins for writes.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

// LangOf returns the language set by WithLang ("" for the default, zh-CN).
func LangOf(ctx context.Context) string {
	s, _ := ctx.Value(langKey{}).(string)
	return s
}

// langFor picks the language of a write's messages.
func langFor(ctx context.Context, o WriteOptions) string {
	if o.Lang != "" {
		return o.Lang
	}
	return LangOf(ctx)
}

// Get returns one live record as the caller may see it. A record outside
// the caller's row scope is record.not_found, exactly like a missing one.
func (r *Records) Get(ctx context.Context, p *auth.Principal, app, form, id string) (store.Doc, error) {
	f, d, err := r.open(ctx, p, app, form, access.Read)
	if err != nil {
		return nil, err
	}
	scope, err := scopeOf(f, d, false)
	if err != nil {
		return nil, err
	}
	doc, err := loadScoped(ctx, r.reads(), f, scope, id, LangOf(ctx))
	return r.presentOne(ctx, p, f, d, doc, err)
}

// presentOne presents a single record (passing err through).
func (r *Records) presentOne(ctx context.Context, p *auth.Principal, f *Form, d *access.Decision, doc store.Doc, err error) (store.Doc, error) {
	if err != nil || doc == nil {
		return nil, err
	}
	doc = deepCopy(doc).(map[string]any)
	if err := r.present(ctx, p, f, d, []store.Doc{doc}); err != nil {
		return nil, err
	}
	return doc, nil
}

// present resolves lookups, drops values of fields the published form no
// longer has (see evolution.go) and applies field rules to docs in place.
func (r *Records) present(ctx context.Context, p *auth.Principal, f *Form, d *access.Decision, docs []store.Doc) error {
	if err := r.resolveLookups(ctx, p, f, docs); err != nil {
		return err
	}
	for _, doc := range docs {
		f.hideRemoved(doc)
		delete(doc, SysFiles)
		d.Read(doc)
	}
	return nil
}

// lookupBatch bounds the ids fetched by one query when resolving lookups.
const lookupBatch = 500

// resolveLookups fills the lookup fields of a page of records with one
// query per relation field (per lookupBatch ids). The related records are
// read under the caller's own rights on their form: outside the caller's
// scope (or without the read right) a lookup shows null, and the related
// form's field rules mask or hide the looked-up value.
func (r *Records) resolveLookups(ctx context.Context, p *auth.Principal, f *Form, docs []store.Doc) error {
	if len(f.lookups) == 0 || len(docs) == 0 {
		return nil
	}
	byRel := map[string][]*lookupDef{}
	for _, lk := range f.lookups {
		byRel[lk.relation] = append(byRel[lk.relation], lk)
	}
	for _, relKey := range sortedKeys(byRel) {
		lks := byRel[relKey]
		related, err := r.relatedRecords(ctx, p, f, relKey, lks, docs)
		if err != nil {
			return err
		}
		for _, doc := range docs {
			for _, lk := range lks {
				doc[lk.key] = lookupValue(doc[relKey], related, lk.field)
			}
		}
	}
	return nil
}

// relatedRecords loads, under the caller's rights, the records that the
// docs' relation field relKey points at, by id.
func (r *Records) relatedRecords(ctx context.Context, p *auth.Principal, f *Form, relKey string, lks []*lookupDef, docs []store.Doc) (map[string]store.Doc, error) {
	rel, ok := f.relations[relKey]
	if !ok {
		return nil, nil
	}
	seen := map[string]bool{}
	var ids []query.Value
	for _, doc := range docs {
		list, _, _ := relationIDs(relKey, doc[relKey])
		for _, id := range list {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, query.Str(id))
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	d, err := r.decide(ctx, p, f.App, rel.target, access.Read)
	if err != nil {
		if ec := errs.ClassOf(err); ec == errs.Forbidden || ec == errs.NotFound {
			return nil, nil
		}
		return nil, err
	}
	tf, err := r.Form(ctx, f.App, rel.target)
	if errs.ClassOf(err) == errs.NotFound {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	scope, err := scopeOf(tf, d, false)
	if err != nil {
		return nil, err
	}
	fields := make([]string, 0, len(lks))
	for _, lk := range lks {
		if _, ok := tf.byKey[lk.field]; ok && !tf.virtual[lk.field] {
			fields = append(fields, lk.field)
		}
	}
	out := map[string]store.Doc{}
	for start := 0; start < len(ids); start += lookupBatch {
		batch := ids[start:min(start+lookupBatch, len(ids))]
		found, err := r.reads().Find(ctx, tf.Coll, store.Query{
			Filter: query.And(&query.Node{Op: query.OpIn, Field: fID, Values: batch}, scope),
			Fields: fields, Limit: len(batch),
		})
		if err != nil {
			return nil, err
		}
		for _, rd := range found {
			d.Read(rd)
			if id, ok := rd[SysID].(string); ok {
				out[id] = rd
			}
		}
	}
	return out, nil
}

// lookupValue is the looked-up field of the related record(s): one value
// for a single relation, a list for a multiple one.
func lookupValue(relValue any, related map[string]store.Doc, field string) any {
	switch x := relValue.(type) {
	case string:
		if rd, ok := related[x]; ok {
			return rd[field]
		}
		return nil
	case []any:
		out := make([]any, 0, len(x))
		for _, it := range x {
			if id, ok := it.(string); ok {
				if rd, ok := related[id]; ok && rd[field] != nil {
					out = append(out, rd[field])
				}
			}
		}
		return out
	}
	return nil
}
