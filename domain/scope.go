package domain

import "context"

// scopeLoader is how the services read an enterprise, or a record of one, that an actor names
// by ID, and check that it is theirs to see (CanSeeEnterprise): one out of their scope is
// "not found", as one that does not exist, so that nobody learns which exist; the platform
// admin, outside every township, is refused before anything is read (tenantOnly). Every
// service that acts on an enterprise's records starts from it.
type scopeLoader struct{ enterprises EnterpriseStore }

// enterprise reads an enterprise the actor may see. ErrForbidden, ErrNotFound.
func (l scopeLoader) enterprise(ctx context.Context, actor Actor, id int64) (Enterprise, error) {
	return l.enterpriseOf(ctx, actor, id, "企业")
}

// enterpriseOf reads the enterprise of a record the actor names (a plan, a check-in), which is
// "not found" by the record's name (what) when the actor may not see the enterprise.
// ErrForbidden, ErrNotFound.
func (l scopeLoader) enterpriseOf(ctx context.Context, actor Actor, id int64, what string) (Enterprise, error) {
	if err := tenantOnly(actor); err != nil {
		return Enterprise{}, err
	}
	e, err := l.enterprises.Get(ctx, id)
	if err != nil {
		return Enterprise{}, err
	}
	if !CanSeeEnterprise(actor, e) {
		return Enterprise{}, NotFound(what)
	}
	return e, nil
}

// recordOf reads a record of an enterprise by get, then its enterprise, both hidden as "not
// found" by the record's name (what) unless the actor may see the enterprise. The platform
// admin is refused before anything is read. ErrForbidden, ErrNotFound.
func recordOf[T any](ctx context.Context, l scopeLoader, actor Actor, id int64, what string,
	get func(context.Context, int64) (T, error), enterpriseID func(T) int64) (T, Enterprise, error) {
	var zero T
	if err := tenantOnly(actor); err != nil {
		return zero, Enterprise{}, err
	}
	r, err := get(ctx, id)
	if err != nil {
		return zero, Enterprise{}, err
	}
	e, err := l.enterpriseOf(ctx, actor, enterpriseID(r), what)
	if err != nil {
		return zero, Enterprise{}, err
	}
	return r, e, nil
}
