package auth

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// UnitKind is a kind of org unit (总部, 区域, 门店, 商户 ...). Kinds are data,
// so a chain can add its own (e.g. 片区, 专柜) without a release.
type UnitKind struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Position is a job a member holds in a unit. Manager positions make their
// holders part of the manager chain of the unit's members.
type Position struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Manager bool   `json:"manager"`
}

// DefaultUnitKinds and DefaultPositions are seeded by Init on a new store.
var (
	DefaultUnitKinds = []UnitKind{
		{Key: "hq", Name: "总部"},
		{Key: "region", Name: "区域"},
		{Key: "store", Name: "门店"},
		{Key: "merchant", Name: "商户"},
	}
	DefaultPositions = []Position{
		{Key: "store_manager", Name: "店长", Manager: true},
		{Key: "store_clerk", Name: "店员"},
		{Key: "region_manager", Name: "区域经理", Manager: true},
		{Key: "hq_admin", Name: "总部管理员", Manager: true},
		{Key: "merchant_admin", Name: "商户管理员", Manager: true},
	}
)

// seedID marks the seeding as done, so kinds and positions an admin deleted
// are not brought back at the next start.
const seedID = "org_seeded"

func (s *Service) seedOrgData(ctx context.Context) error {
	err := s.st.Tx(ctx, func(tx store.Ops) error {
		if _, err := tx.Get(ctx, collMeta, seedID); err == nil {
			return nil
		} else if !isCode(err, store.ErrNotFound) {
			return err
		}
		for _, k := range DefaultUnitKinds {
			if _, err := tx.Insert(ctx, CollUnitKinds, store.Doc{"_id": k.Key, "name": k.Name}); err != nil && !isCode(err, store.ErrDuplicate) {
				return err
			}
		}
		for _, p := range DefaultPositions {
			if _, err := tx.Insert(ctx, CollPositions, store.Doc{"_id": p.Key, "name": p.Name, "manager": p.Manager}); err != nil && !isCode(err, store.ErrDuplicate) {
				return err
			}
		}
		if _, err := tx.Insert(ctx, collMeta, store.Doc{"_id": orgVersionID, "version": 0}); err != nil && !isCode(err, store.ErrDuplicate) {
			return err
		}
		_, err := tx.Insert(ctx, collMeta, store.Doc{"_id": seedID, "at": s.nowString()})
		return err
	})
	// Two instances starting together: the loser's insert of the marker fails.
	if isCode(err, store.ErrDuplicate) {
		return nil
	}
	return err
}

var keyRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

func checkKeyName(key, name string) error {
	var fe []errs.FieldError
	if !keyRe.MatchString(key) {
		fe = append(fe, errs.FieldError{Path: "key", Code: "org.invalid", Message: "key: lower-case letters, digits and _, starting with a letter, at most 40"})
	}
	if strings.TrimSpace(name) == "" || utf8.RuneCountInString(name) > 50 {
		fe = append(fe, errs.FieldError{Path: "name", Code: "org.invalid", Message: "name is required, at most 50 characters"})
	}
	return errs.Validation(errs.Unprocessable, "org.invalid", "invalid definition", fe)
}

// ListUnitKinds returns every unit kind, by key.
func (s *Service) ListUnitKinds(ctx context.Context) ([]UnitKind, error) {
	docs, err := s.st.Find(ctx, CollUnitKinds, store.Query{Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	out := make([]UnitKind, 0, len(docs))
	for _, d := range docs {
		id, _ := d["_id"].(string)
		name, _ := d["name"].(string)
		out = append(out, UnitKind{Key: id, Name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// PutUnitKind creates or renames a unit kind.
func (s *Service) PutUnitKind(ctx context.Context, c Caller, k UnitKind) error {
	k.Name = strings.TrimSpace(k.Name)
	return s.putEntry(ctx, c, kindList, k.Key, k.Name, map[string]any{"name": k.Name})
}

// DeleteUnitKind removes a kind no unit uses.
func (s *Service) DeleteUnitKind(ctx context.Context, c Caller, key string) error {
	return s.deleteEntry(ctx, c, kindList, key)
}

// ListPositions returns every position, by key.
func (s *Service) ListPositions(ctx context.Context) ([]Position, error) {
	return listPositions(ctx, s.st)
}

func listPositions(ctx context.Context, st store.Ops) ([]Position, error) {
	docs, err := st.Find(ctx, CollPositions, store.Query{Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	out := make([]Position, 0, len(docs))
	for _, d := range docs {
		id, _ := d["_id"].(string)
		name, _ := d["name"].(string)
		mgr, _ := d["manager"].(bool)
		out = append(out, Position{Key: id, Name: name, Manager: mgr})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// PutPosition creates or changes a position.
func (s *Service) PutPosition(ctx context.Context, c Caller, p Position) error {
	p.Name = strings.TrimSpace(p.Name)
	return s.putEntry(ctx, c, positionList, p.Key, p.Name, map[string]any{"name": p.Name, "manager": p.Manager})
}

// DeletePosition removes a position no user holds.
func (s *Service) DeletePosition(ctx context.Context, c Caller, key string) error {
	return s.deleteEntry(ctx, c, positionList, key)
}

// orgList is a keyed list of org data (unit kinds, positions) that other
// documents refer to by key: where it is stored, who refers to it, and the
// names of its actions, audit targets and errors.
type orgList struct {
	coll           string
	refColl        string      // documents referring to an entry
	ref            query.Field // the field of refColl holding the key
	put, del       string      // actions
	target         string      // audit target prefix
	inUse, missing error
}

var (
	kindList = orgList{coll: CollUnitKinds, refColl: CollUnits, ref: fKind,
		put: "org.kind_put", del: "org.kind_delete", target: "unit_kind:", inUse: ErrKindInUse, missing: ErrKindNotFound}
	positionList = orgList{coll: CollPositions, refColl: CollUsers, ref: fPositions,
		put: "org.position_put", del: "org.position_delete", target: "position:", inUse: ErrPositionInUse, missing: ErrPositionMissing}
)

// putEntry creates or changes entry key of l (its fields set, name already
// trimmed) and audits the fields.
func (s *Service) putEntry(ctx context.Context, c Caller, l orgList, key, name string, set map[string]any) error {
	if err := s.authorize(ctx, c, l.put); err != nil {
		return err
	}
	if err := checkKeyName(key, name); err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx store.Ops) error {
		if err := upsert(ctx, tx, l.coll, key, set); err != nil {
			return err
		}
		return s.record(ctx, tx, c, l.put, l.target+key, set)
	})
}

// deleteEntry removes entry key of l unless a document still refers to it.
func (s *Service) deleteEntry(ctx context.Context, c Caller, l orgList, key string) error {
	if err := s.authorize(ctx, c, l.del); err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx store.Ops) error {
		n, err := tx.Count(ctx, l.refColl, query.Eq(l.ref, query.Str(key)))
		if err != nil {
			return err
		}
		if n > 0 {
			return l.inUse
		}
		if err := tx.Delete(ctx, l.coll, key, nil); isCode(err, store.ErrNotFound) {
			return l.missing
		} else if err != nil {
			return err
		}
		return s.record(ctx, tx, c, l.del, l.target+key, nil)
	})
}

// upsert sets fields on document id, creating it when missing.
func upsert(ctx context.Context, tx store.Ops, coll, id string, set map[string]any) error {
	_, err := tx.Update(ctx, coll, id, store.Patch{Set: set}, nil)
	if !isCode(err, store.ErrNotFound) {
		return err
	}
	doc := store.Doc{"_id": id}
	for k, v := range set {
		doc[k] = v
	}
	_, err = tx.Insert(ctx, coll, doc)
	return err
}

func sortedStrings(ss []string) []string {
	sort.Strings(ss)
	return ss
}
