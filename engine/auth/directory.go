package auth

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/tangram/tangram/engine/query"
)

// Directory bounds: a picker shows a screenful, and a page of labels for the
// ids already in a record is at most one record's worth.
const (
	DirectoryDefaultLimit = 20
	DirectoryMaxLimit     = 100
	DirectoryMaxIDs       = 100
	DirectoryMaxQuery     = 64 // runes of the search prefix
)

var fDisplayName = query.Field{Path: "displayName", Kind: query.KindString}

// directoryFields are the only stored fields a directory read loads, so a
// password hash or lockout counter never even reaches this code.
var directoryFields = []string{"_id", "username", "displayName", "unitIds"}

// DirectoryQuery selects users for a picker.
type DirectoryQuery struct {
	Q      string   // prefix of the username (often the phone number) or display name; digits only: of the username
	Org    string   // only users of this unit's subtree; it must be visible to the caller
	IDs    []string // only these users (labels for ids already in a record)
	Limit  int      // default DirectoryDefaultLimit, at most DirectoryMaxLimit
	Cursor string   // Next of the previous page
}

// DirectoryUser is what any signed-in user may know about a colleague: who
// they are and where they work, nothing about their account.
type DirectoryUser struct {
	ID          string   `json:"id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"displayName"`
	UnitIDs     []string `json:"unitIds"` // the user's units the caller can see
}

// DirectoryPage is one page of the directory.
type DirectoryPage struct {
	Users []DirectoryUser `json:"users"`
	Next  string          `json:"next,omitempty"`
}

// Directory pages the enabled users visible to the caller, by username.
// Whoever may list users (an admin) sees everyone; anyone else sees the
// members of the units they belong to and of every unit below them, so a
// store manager picks among their store's staff and an HQ user among all.
// A caller outside every unit sees nobody; an org outside the caller's
// subtree is ErrForbidden.
func (s *Service) Directory(ctx context.Context, c Caller, q DirectoryQuery) (*DirectoryPage, error) {
	if c.Principal == nil {
		return nil, ErrUnauthenticated
	}
	all := true
	if err := s.authorize(ctx, c, "user.list"); errors.Is(err, ErrForbidden) {
		all = false
	} else if err != nil {
		return nil, err
	}
	var visible []string // nil: every unit
	if !all {
		visible = append([]string{}, c.Principal.UnitSubtree...) // never nil: [] sees nobody
	}
	if q.Org != "" {
		if !all && !slices.Contains(visible, q.Org) {
			return nil, ErrForbidden
		}
		v, err := orgVersion(ctx, s.st)
		if err != nil {
			return nil, err
		}
		if _, visible, err = s.org.subtree(ctx, s.st, v, q.Org); err != nil {
			return nil, err
		}
	}
	if visible != nil && len(visible) == 0 {
		return &DirectoryPage{Users: []DirectoryUser{}}, nil
	}
	filter := directoryFilter(q, visible)
	keys := query.WithIDTieBreak([]query.SortKey{{Field: fUsername}})
	limit := q.Limit
	if limit <= 0 {
		limit = DirectoryDefaultLimit
	}
	docs, next, err := findPage(ctx, s.st, CollUsers, filter, keys, min(limit, DirectoryMaxLimit), q.Cursor, directoryFields...)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(visible)) // an HQ user's subtree is the whole tree
	for _, u := range visible {
		seen[u] = true
	}
	rows, err := decodeAll(docs, func(d *directoryDoc) DirectoryUser {
		units := uniq(d.UnitIDs)
		if visible != nil {
			units = slices.DeleteFunc(units, func(u string) bool { return !seen[u] })
		}
		return DirectoryUser{ID: d.ID, Username: d.Username, DisplayName: d.DisplayName, UnitIDs: units}
	})
	if err != nil {
		return nil, err
	}
	return &DirectoryPage{Users: rows, Next: next}, nil
}

// directoryFilter is the enabled users among ids, in the units visible (nil:
// all) and whose username or display name starts with the search.
func directoryFilter(q DirectoryQuery, visible []string) *query.Node {
	f := query.Cmp(fDisabled, query.OpNe, query.Bool(true))
	if visible != nil {
		f = query.And(f, &query.Node{Op: query.OpIn, Field: fUnitIDs, Values: strValues(visible)})
	}
	if len(q.IDs) > 0 {
		f = query.And(f, &query.Node{Op: query.OpIn, Field: fID, Values: strValues(q.IDs[:min(len(q.IDs), DirectoryMaxIDs)])})
	}
	if p := strings.TrimSpace(q.Q); p != "" {
		if r := []rune(p); len(r) > DirectoryMaxQuery {
			p = string(r[:DirectoryMaxQuery])
		}
		byUsername := query.Cmp(fUsername, query.OpStartsWith, query.Str(NormalizeUsername(p)))
		if allDigits(p) {
			// A phone number (the usual username at a till): the username
			// alone is a range of its index, which the display name, not
			// indexed, would turn into a scan.
			f = query.And(f, byUsername)
		} else {
			f = query.And(f, query.Or(byUsername, query.Cmp(fDisplayName, query.OpStartsWith, query.Str(p))))
		}
	}
	return f
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func strValues(ss []string) []query.Value {
	out := make([]query.Value, len(ss))
	for i, s := range ss {
		out[i] = query.Str(s)
	}
	return out
}

// directoryDoc is the projection of a userDoc a directory read loads.
type directoryDoc struct {
	ID          string   `json:"_id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"displayName"`
	UnitIDs     []string `json:"unitIds"`
}
