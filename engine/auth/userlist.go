package auth

import (
	"context"

	"github.com/tangram/tangram/engine/query"
)

// UserFields are the user paths a list filter may name (parse the filter
// with query.ParseFilter against them).
func UserFields() query.Fields {
	return query.NewFields(
		fUsername,
		query.Field{Path: "displayName", Kind: query.KindString},
		query.Field{Path: "admin", Kind: query.KindBool},
		fDisabled,
		fUnitIDs,
		fPositions,
		query.Field{Path: "createdAt", Kind: query.KindTime},
		query.Field{Path: "lastLoginAt", Kind: query.KindTime},
	)
}

// UserList selects a page of users, ordered by username.
type UserList struct {
	Filter *query.Node // built against UserFields; nil lists all
	Limit  int         // default DefaultPageSize, at most MaxPageSize
	Cursor string      // Next of the previous page
}

// UserPage is one page of users.
type UserPage struct {
	Users []*User `json:"users"`
	Next  string  `json:"next,omitempty"`
}

// ListUsers returns a page of users (an administrative read).
func (s *Service) ListUsers(ctx context.Context, c Caller, l UserList) (*UserPage, error) {
	if err := s.authorize(ctx, c, "user.list"); err != nil {
		return nil, err
	}
	keys := query.WithIDTieBreak([]query.SortKey{{Field: fUsername}})
	docs, next, err := findPage(ctx, s.st, CollUsers, l.Filter, keys, l.Limit, l.Cursor)
	if err != nil {
		return nil, err
	}
	users, err := decodeAll(docs, (*userDoc).user)
	if err != nil {
		return nil, err
	}
	return &UserPage{Users: users, Next: next}, nil
}
