package auth

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Unit is one node of the organization tree (HQ, region, store, merchant...).
type Unit struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Code     string `json:"code"`
	ParentID string `json:"parentId,omitempty"`
	// Path is the materialized ancestor path "/<root>/<child>/.../<self>/":
	// a subtree is every unit whose path starts with this one's.
	Path      string    `json:"path"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// UnitInput creates a unit; ParentID "" makes a root.
type UnitInput struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Code     string `json:"code"`
	ParentID string `json:"parentId"`
}

// UnitPatch changes a unit's own fields; nil fields stay. Moving is MoveUnit.
type UnitPatch struct {
	Kind *string `json:"kind"`
	Name *string `json:"name"`
	Code *string `json:"code"`
}

type unitDoc struct {
	ID        string `json:"_id"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Code      string `json:"code"`
	ParentID  string `json:"parentId"`
	Path      string `json:"path"`
	Version   int64  `json:"version"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

func (d *unitDoc) unit() *Unit {
	return &Unit{ID: d.ID, Kind: d.Kind, Name: d.Name, Code: d.Code, ParentID: d.ParentID, Path: d.Path,
		Version: d.Version, CreatedAt: parseTime(d.CreatedAt), UpdatedAt: parseTime(d.UpdatedAt)}
}

var codeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

func getUnit(ctx context.Context, st store.Ops, id string) (*unitDoc, error) {
	return getDoc[unitDoc](ctx, st, CollUnits, id, ErrUnitNotFound)
}

// checkUnitFields validates the unit's kind, name and code, collecting every
// problem; a nil pointer means "not being changed".
func (s *Service) checkUnitFields(ctx context.Context, kind, name, code *string) error {
	var fe []errs.FieldError
	if kind != nil {
		if _, err := s.st.Get(ctx, CollUnitKinds, *kind); *kind == "" || isCode(err, store.ErrNotFound) {
			fe = append(fe, errs.FieldError{Path: "kind", Code: "org.kind_not_found", Message: "unknown unit kind"})
		} else if err != nil {
			return err
		}
	}
	if name != nil && (strings.TrimSpace(*name) == "" || utf8.RuneCountInString(*name) > 100) {
		fe = append(fe, errs.FieldError{Path: "name", Code: "org.invalid", Message: "name is required, at most 100 characters"})
	}
	if code != nil && !codeRe.MatchString(*code) {
		fe = append(fe, errs.FieldError{Path: "code", Code: "org.invalid", Message: "code is required: letters, digits, _ . -, at most 64"})
	}
	return errs.Validation(errs.Unprocessable, "org.invalid_unit", "the unit is invalid", fe)
}

// CreateUnit adds a unit under ParentID (or as a root).
func (s *Service) CreateUnit(ctx context.Context, c Caller, in UnitInput) (*Unit, error) {
	if err := s.authorize(ctx, c, "org.unit_create"); err != nil {
		return nil, err
	}
	// Subtrees and paths in cached Principals change: drop them after the commit.
	defer s.princ.dropAll()
	in.Name, in.Code = strings.TrimSpace(in.Name), strings.TrimSpace(in.Code)
	if err := s.checkUnitFields(ctx, &in.Kind, &in.Name, &in.Code); err != nil {
		return nil, err
	}
	id, now := store.NewID(), s.nowString()
	doc := store.Doc{"_id": id, "kind": in.Kind, "name": in.Name, "code": in.Code,
		"parentId": nil, "version": 1, "createdAt": now, "updatedAt": now}
	err := s.st.Tx(ctx, func(tx store.Ops) error {
		path := "/" + id + "/"
		if in.ParentID != "" {
			parent, err := getUnit(ctx, tx, in.ParentID)
			if isCode(err, ErrUnitNotFound) {
				return errs.Validation(errs.Unprocessable, "org.invalid_unit", "the unit is invalid",
					[]errs.FieldError{{Path: "parentId", Code: ErrUnitNotFound.Code, Message: "no such parent unit"}})
			}
			if err != nil {
				return err
			}
			path = parent.Path + id + "/"
			doc["parentId"] = parent.ID
		}
		doc["path"] = path
		if _, err := tx.Insert(ctx, CollUnits, doc); err != nil {
			if isCode(err, store.ErrDuplicate) {
				return ErrUnitCodeExists
			}
			return err
		}
		if err := bumpOrgVersion(ctx, tx); err != nil {
			return err
		}
		return s.record(ctx, tx, c, "org.unit_create", "unit:"+id,
			map[string]any{"kind": in.Kind, "code": in.Code, "name": in.Name, "parentId": in.ParentID})
	})
	if err != nil {
		return nil, err
	}
	return s.GetUnit(ctx, id)
}

// GetUnit returns one unit.
func (s *Service) GetUnit(ctx context.Context, id string) (*Unit, error) {
	u, err := getUnit(ctx, s.st, id)
	if err != nil {
		return nil, err
	}
	return u.unit(), nil
}

// ListUnits returns the children of parentID ("" lists the roots), by code.
func (s *Service) ListUnits(ctx context.Context, parentID string) ([]*Unit, error) {
	v := query.Str(parentID)
	if parentID == "" {
		v = query.Null(query.KindString)
	}
	docs, err := s.st.Find(ctx, CollUnits, store.Query{
		Filter: query.Eq(fParentID, v),
		Sort:   []query.SortKey{{Field: query.Field{Path: "code", Kind: query.KindString}}},
		Limit:  store.MaxLimit,
	})
	if err != nil {
		return nil, err
	}
	return decodeAll(docs, (*unitDoc).unit)
}

// Subtree returns the ids of unit id and all its descendants.
func (s *Service) Subtree(ctx context.Context, id string) ([]string, error) {
	v, err := orgVersion(ctx, s.st)
	if err != nil {
		return nil, err
	}
	_, ids, err := s.org.subtree(ctx, s.st, v, id)
	return ids, err
}

// UpdateUnit changes a unit's kind, name or code.
func (s *Service) UpdateUnit(ctx context.Context, c Caller, id string, p UnitPatch) (*Unit, error) {
	if err := s.authorize(ctx, c, "org.unit_update"); err != nil {
		return nil, err
	}
	if p.Name != nil {
		*p.Name = strings.TrimSpace(*p.Name)
	}
	if p.Code != nil {
		*p.Code = strings.TrimSpace(*p.Code)
	}
	if err := s.checkUnitFields(ctx, p.Kind, p.Name, p.Code); err != nil {
		return nil, err
	}
	set := map[string]any{"updatedAt": s.nowString()}
	var changed []string
	for field, v := range map[string]*string{"kind": p.Kind, "name": p.Name, "code": p.Code} {
		if v != nil {
			set[field] = *v
			changed = append(changed, field)
		}
	}
	err := s.st.Tx(ctx, func(tx store.Ops) error {
		before, err := getUnit(ctx, tx, id)
		if err != nil {
			return err
		}
		after, err := tx.Update(ctx, CollUnits, id, store.Patch{Set: set, Inc: map[string]int64{"version": 1}}, nil)
		if isCode(err, store.ErrDuplicate) {
			return ErrUnitCodeExists
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, c, "org.unit_update", "unit:"+id, map[string]any{
			"changed": sortedStrings(changed), "beforeVersion": before.Version, "afterVersion": after["version"]})
	})
	if err != nil {
		return nil, err
	}
	return s.GetUnit(ctx, id)
}

// MoveUnit puts unit id under newParentID ("" makes it a root). The paths of
// its whole subtree follow in the same transaction. Moving a unit under
// itself or its own descendant is refused with org.move_cycle.
func (s *Service) MoveUnit(ctx context.Context, c Caller, id, newParentID string) error {
	if err := s.authorize(ctx, c, "org.unit_move"); err != nil {
		return err
	}
	// Subtrees and paths in cached Principals change: drop them after the commit.
	defer s.princ.dropAll()
	return s.st.Tx(ctx, func(tx store.Ops) error {
		u, err := getUnit(ctx, tx, id)
		if err != nil {
			return err
		}
		newPath := "/" + id + "/"
		var parentID any
		if newParentID != "" {
			parent, err := getUnit(ctx, tx, newParentID)
			if err != nil {
				return err
			}
			if strings.HasPrefix(parent.Path, u.Path) {
				return ErrMoveCycle
			}
			newPath, parentID = parent.Path+id+"/", parent.ID
		}
		if newPath == u.Path {
			return nil
		}
		now := s.nowString()
		if _, err := tx.Update(ctx, CollUnits, id, store.Patch{Set: map[string]any{"parentId": parentID, "updatedAt": now},
			Inc: map[string]int64{"version": 1}}, nil); err != nil {
			return err
		}
		moved, err := rewritePaths(ctx, tx, u.Path, newPath)
		if err != nil {
			return err
		}
		if err := bumpOrgVersion(ctx, tx); err != nil {
			return err
		}
		return s.record(ctx, tx, c, "org.unit_move", "unit:"+id, map[string]any{
			"fromParentId": u.ParentID, "toParentId": newParentID, "fromPath": u.Path, "toPath": newPath, "units": moved})
	})
}

// rewritePaths replaces the prefix oldPrefix with newPrefix on every unit
// under it. Each rewritten unit leaves the old prefix, so reading the first
// page again until it comes back empty visits every unit exactly once.
func rewritePaths(ctx context.Context, tx store.Ops, oldPrefix, newPrefix string) (int, error) {
	n := 0
	for {
		docs, err := tx.Find(ctx, CollUnits, store.Query{
			Filter: query.Cmp(fPath, query.OpStartsWith, query.Str(oldPrefix)),
			Limit:  subtreePage,
			Fields: []string{"path"},
		})
		if err != nil {
			return n, err
		}
		if len(docs) == 0 {
			return n, nil
		}
		for _, d := range docs {
			id, _ := d["_id"].(string)
			path, _ := d["path"].(string)
			np := newPrefix + strings.TrimPrefix(path, oldPrefix)
			if _, err := tx.Update(ctx, CollUnits, id, store.Patch{Set: map[string]any{"path": np}}, nil); err != nil {
				return n, err
			}
			n++
		}
	}
}

// DeleteUnit removes a unit that has no sub-units and no members.
func (s *Service) DeleteUnit(ctx context.Context, c Caller, id string) error {
	if err := s.authorize(ctx, c, "org.unit_delete"); err != nil {
		return err
	}
	// Subtrees and paths in cached Principals change: drop them after the commit.
	defer s.princ.dropAll()
	return s.st.Tx(ctx, func(tx store.Ops) error {
		u, err := getUnit(ctx, tx, id)
		if err != nil {
			return err
		}
		kids, err := tx.Count(ctx, CollUnits, query.Eq(fParentID, query.Str(id)))
		if err != nil {
			return err
		}
		members, err := tx.Count(ctx, CollUsers, query.Eq(fUnitIDs, query.Str(id)))
		if err != nil {
			return err
		}
		if kids > 0 || members > 0 {
			return ErrUnitNotEmpty
		}
		if err := tx.Delete(ctx, CollUnits, id, nil); err != nil {
			return err
		}
		if err := bumpOrgVersion(ctx, tx); err != nil {
			return err
		}
		return s.record(ctx, tx, c, "org.unit_delete", "unit:"+id, map[string]any{"code": u.Code, "name": u.Name, "path": u.Path})
	})
}
