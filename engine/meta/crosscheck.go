package meta

import (
	"context"
	"sync"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// CrossCheck validates a definition against the other definitions of its
// app, which a meta-schema cannot see: a role's row scopes and field rules
// must name fields the form has. It returns field errors with paths from
// the definition's root ("spec.permissions[0].scope.storeId").
type CrossCheck func(ctx context.Context, s *Service, d Definition) []errs.FieldError

var (
	crossMu     sync.RWMutex
	crossChecks = map[Kind][]CrossCheck{}
)

// AddCrossCheck registers a cross-definition check for kind, run on Create,
// and Save after the definition's own checks passed. Engines call
// it from init().
func AddCrossCheck(kind Kind, fn CrossCheck) {
	crossMu.Lock()
	defer crossMu.Unlock()
	crossChecks[kind] = append(crossChecks[kind], fn)
}

// Store is the store the definitions live in, which is also where the
// runtime keeps the data they describe. Cross checks read it when a change
// is judged by the data it would strand: a form change against the records
// already stored.
func (s *Service) Store() store.Store { return s.st }

// CrossCheck runs the registered cross-definition checks of d's kind
// against the definitions stored in its app: a 422 meta.invalid listing
// every problem, or nil. Create and Save run it; Import does not, since a
// bundle's definitions refer to each other before any of them is stored,
// so an importer that wants the same guarantee (the template installer's
// tests) calls it on each definition once the import is done.
func (s *Service) CrossCheck(ctx context.Context, d Definition) error {
	crossMu.RLock()
	fns := crossChecks[d.Kind]
	crossMu.RUnlock()
	var fe []errs.FieldError
	for _, fn := range fns {
		fe = append(fe, fn(ctx, s, d)...)
	}
	return invalid(fe)
}
