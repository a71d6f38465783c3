package auth

import (
	"context"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// ManagerLevel is one step of a manager chain: the enabled users holding a
// manager position in one unit.
type ManagerLevel struct {
	UnitID  string   `json:"unitId"`
	UserIDs []string `json:"userIds"`
}

// ManagerChain walks up from the user's first membership unit: the users
// holding a manager position there (other than the user), then in its
// parent, and so on to the root. Units with no such manager are skipped, so
// the first level is always the nearest actual manager (a store manager's
// chain starts at the region). levels <= 0 walks to the root; otherwise at
// most levels steps are returned. A user without units has no chain.
func (s *Service) ManagerChain(ctx context.Context, userID string, levels int) ([]ManagerLevel, error) {
	u, err := getUserDoc(ctx, s.st, userID)
	if err != nil {
		return nil, err
	}
	if len(u.Memberships) == 0 {
		return nil, nil
	}
	unit, err := getUnit(ctx, s.st, u.Memberships[0].UnitID)
	if err != nil {
		return nil, err
	}
	positions, err := listPositions(ctx, s.st)
	if err != nil {
		return nil, err
	}
	var managerPositions []string
	for _, p := range positions {
		if p.Manager {
			managerPositions = append(managerPositions, p.Key)
		}
	}
	if len(managerPositions) == 0 {
		return nil, nil
	}
	ancestors := pathIDs(unit.Path)
	var chain []ManagerLevel
	for i := len(ancestors) - 1; i >= 0; i-- {
		unitID := ancestors[i]
		keys := make([]query.Value, len(managerPositions))
		for j, p := range managerPositions {
			keys[j] = query.Str(unitID + ":" + p)
		}
		docs, err := s.st.Find(ctx, CollUsers, store.Query{
			Filter: query.And(
				&query.Node{Op: query.OpIn, Field: fMemberKeys, Values: keys},
				query.Cmp(fDisabled, query.OpNe, query.Bool(true)),
				query.Cmp(fID, query.OpNe, query.Str(userID)),
			),
			Sort:   []query.SortKey{{Field: fUsername}},
			Limit:  100,
			Fields: []string{"_id"},
		})
		if err != nil {
			return nil, err
		}
		if len(docs) == 0 {
			continue
		}
		level := ManagerLevel{UnitID: unitID}
		for _, d := range docs {
			id, _ := d["_id"].(string)
			level.UserIDs = append(level.UserIDs, id)
		}
		chain = append(chain, level)
		if levels > 0 && len(chain) == levels {
			break
		}
	}
	return chain, nil
}
