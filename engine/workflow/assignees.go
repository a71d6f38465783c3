package workflow

import (
	"context"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// maxAssignees bounds the users one assignee source may name (a role held
// by a whole chain's staff is a misconfiguration, not an approval).
const maxAssignees = 200

// resolve turns an approval's assignee sources into steps of user ids. In
// sequential mode each source is one step (a manager chain one step per
// level) and empty steps are dropped; the other modes have one step with
// everyone. Disabled and unknown users are left out.
func (f *fire) resolve(ctx context.Context, a *ApprovalSpec, submitter string) ([][]string, error) {
	var steps [][]string
	for _, as := range a.Assignees {
		lists, err := f.resolveOne(ctx, as, submitter)
		if err != nil {
			return nil, err
		}
		steps = append(steps, lists...)
	}
	if a.mode() == ModeSequential {
		out := steps[:0]
		for _, s := range steps {
			if len(s) > 0 {
				out = append(out, s)
			}
		}
		return out, nil
	}
	var all []string
	for _, s := range steps {
		all = append(all, s...)
	}
	all = uniq(all)
	if len(all) == 0 {
		return nil, nil
	}
	return [][]string{all}, nil
}

// resolveOne returns the users of one source: one list, or one per
// manager level.
func (f *fire) resolveOne(ctx context.Context, as AssigneeSpec, submitter string) ([][]string, error) {
	a := f.svc.auth
	switch {
	case as.User != "":
		ids, err := f.svc.enabled(ctx, []string{as.User})
		return [][]string{ids}, err
	case as.Field != "":
		ids, err := f.svc.enabled(ctx, stringsOf(f.rec[as.Field]))
		return [][]string{ids}, err
	case as.Role != "":
		ids, err := f.svc.withRole(ctx, f.app, as.Role)
		return [][]string{ids}, err
	case as.Unit != nil:
		units := []string{as.Unit.ID}
		if as.Unit.Field != "" {
			units = stringsOf(f.rec[as.Unit.Field])
		}
		var ids []string
		for _, u := range units {
			unit, err := f.svc.ancestor(ctx, u, as.Unit.Up)
			if err != nil {
				return nil, err
			}
			if unit == "" {
				continue
			}
			holders, err := f.svc.holders(ctx, unit, as.Unit.Position)
			if err != nil {
				return nil, err
			}
			ids = append(ids, holders...)
		}
		return [][]string{uniq(ids)}, nil
	case as.Manager != nil:
		levels := max(as.Manager.Levels, 1)
		chain, err := a.ManagerChain(ctx, submitter, levels)
		if errs.ClassOf(err) == errs.NotFound {
			return nil, nil // the system, or a deleted user, has no managers
		}
		if err != nil {
			return nil, err
		}
		out := make([][]string, 0, len(chain))
		for _, l := range chain {
			out = append(out, l.UserIDs)
		}
		return out, nil
	}
	return nil, nil
}

// enabled keeps the ids of existing, enabled users, in order.
func (s *Service) enabled(ctx context.Context, ids []string) ([]string, error) {
	var out []string
	for _, id := range uniq(ids) {
		u, err := s.auth.GetUser(ctx, id)
		if errs.ClassOf(err) == errs.NotFound || errs.ClassOf(err) == errs.Invalid {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !u.Disabled {
			out = append(out, id)
		}
		if len(out) == maxAssignees {
			break
		}
	}
	return out, nil
}

// withRole lists the enabled users holding role of app.
func (s *Service) withRole(ctx context.Context, app, role string) ([]string, error) {
	fields := auth.UserFields()
	filter := query.Cmp(fields["disabled"], query.OpNe, query.Bool(true))
	var out []string
	cursor := ""
	for {
		page, err := s.auth.ListUsers(ctx, auth.System(), auth.UserList{Filter: filter, Limit: auth.MaxPageSize, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, u := range page.Users {
			for _, r := range u.Roles {
				if r.App == app && r.Role == role {
					out = append(out, u.ID)
					break
				}
			}
		}
		if page.Next == "" || len(out) >= maxAssignees {
			return out[:min(len(out), maxAssignees)], nil
		}
		cursor = page.Next
	}
}

// holders lists the enabled users holding position in unit.
func (s *Service) holders(ctx context.Context, unit, position string) ([]string, error) {
	fields := auth.UserFields()
	filter := query.And(query.Eq(fields["unitIds"], query.Str(unit)), query.Eq(fields["positions"], query.Str(position)),
		query.Cmp(fields["disabled"], query.OpNe, query.Bool(true)))
	page, err := s.auth.ListUsers(ctx, auth.System(), auth.UserList{Filter: filter, Limit: maxAssignees})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range page.Users {
		// unitIds and positions are matched separately; the membership
		// must pair them.
		for _, m := range u.Memberships {
			if m.UnitID == unit && m.Position == position {
				out = append(out, u.ID)
				break
			}
		}
	}
	return out, nil
}

// ancestor walks up levels parents from unit; "" when the unit does not
// exist or the tree is not that deep.
func (s *Service) ancestor(ctx context.Context, unit string, up int) (string, error) {
	for i := 0; unit != "" && i <= up; i++ {
		u, err := s.auth.GetUnit(ctx, unit)
		if errs.ClassOf(err) == errs.NotFound || errs.ClassOf(err) == errs.Invalid {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		if i == up {
			return u.ID, nil
		}
		unit = u.ParentID
	}
	return "", nil
}

// stringsOf reads a user or unit field: one id or a list.
func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		if x != "" {
			return []string{x}
		}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// uniq keeps the first of each id, in order.
func uniq(ids []string) []string {
	seen := map[string]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
