// Package rbac is the casbin adapter: role-based access control with
// domains, one domain per org. Policies live in the database (role grants
// and memberships, read through a Source); each org's policies load into
// their own cached enforcer on first use, which is dropped when the org's
// policies change, here or in another process.
//
// It imports casbin and domain packages; no other adapter.
package rbac

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// modelText is casbin's RBAC-with-domains model; the domain check comes
// before g() so foreign-domain policies are rejected before role lookup.
const modelText = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.dom == p.dom && g(r.sub, p.sub, r.dom) && r.obj == p.obj && r.act == p.act
`

// Source reads an org's policies from where they are kept.
type Source interface {
	Policies(ctx context.Context, orgID uuid.UUID) ([]tenancy.Grant, []tenancy.Assignment, error)
}

// Authorizer answers "may this principal do this?".
type Authorizer struct {
	src    Source
	maxAge time.Duration

	mu   sync.Mutex
	orgs map[uuid.UUID]*cached
	// generation counts each org's invalidations: a load that started before
	// one must not be cached after it.
	generation map[uuid.UUID]uint64
}

type cached struct {
	enforcer *casbin.SyncedCachedEnforcer
	loadedAt time.Time
}

// New makes an authorizer. maxAge bounds how long an org's policies are
// trusted without reloading, in case an invalidation message was missed.
func New(src Source, maxAge time.Duration) *Authorizer {
	return &Authorizer{src: src, maxAge: maxAge, orgs: map[uuid.UUID]*cached{}, generation: map[uuid.UUID]uint64{}}
}

// Allowed reports whether p holds perm in its org: the org's grants say
// so, and the policy table lets an org of its kind hold perm at all.
func (a *Authorizer) Allowed(ctx context.Context, p tenancy.Principal, perm tenancy.Permission) (bool, error) {
	switch perm {
	case tenancy.Public:
		return true, nil
	case tenancy.Authenticated:
		return p.OrgID != uuid.Nil, nil
	}
	if !tenancy.KindMayHold(p.OrgKind, perm) {
		return false, nil
	}
	e, err := a.enforcer(ctx, p.OrgID)
	if err != nil {
		return false, err
	}
	return e.Enforce(p.Subject(), p.OrgID.String(), perm.Object(), perm.Action())
}

// Permissions lists what p may do, for pages that show or hide actions.
func (a *Authorizer) Permissions(ctx context.Context, p tenancy.Principal) ([]tenancy.Permission, error) {
	e, err := a.enforcer(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	rules, err := e.GetImplicitPermissionsForUser(p.Subject(), p.OrgID.String())
	if err != nil {
		return nil, err
	}
	out := make([]tenancy.Permission, 0, len(rules))
	for _, r := range rules {
		out = append(out, tenancy.Permission(r[2]+":"+r[3]))
	}
	return out, nil
}

// Invalidate drops an org's enforcer; the next check reloads it.
func (a *Authorizer) Invalidate(orgID uuid.UUID) {
	a.mu.Lock()
	delete(a.orgs, orgID)
	a.generation[orgID]++
	a.mu.Unlock()
}

func (a *Authorizer) enforcer(ctx context.Context, orgID uuid.UUID) (*casbin.SyncedCachedEnforcer, error) {
	a.mu.Lock()
	c, ok := a.orgs[orgID]
	gen := a.generation[orgID]
	a.mu.Unlock()
	if ok && time.Since(c.loadedAt) < a.maxAge {
		return c.enforcer, nil
	}
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewSyncedCachedEnforcer(m, &adapter{ctx: ctx, src: a.src, orgID: orgID})
	if err != nil {
		return nil, fmt.Errorf("load policies of org %s: %w", orgID, err)
	}
	a.mu.Lock()
	if a.generation[orgID] == gen {
		a.orgs[orgID] = &cached{enforcer: e, loadedAt: time.Now()}
	}
	a.mu.Unlock()
	return e, nil
}
