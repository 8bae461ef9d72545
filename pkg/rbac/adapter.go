package rbac

import (
	"context"
	"errors"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/google/uuid"
)

// adapter loads one org's policies into casbin. Writes go through the
// platform's stores (which audit them) rather than through casbin, so the
// write half of casbin's interface refuses.
type adapter struct {
	ctx   context.Context
	src   Source
	orgID uuid.UUID
}

var errReadOnly = errors.New("rbac: policies change through Plateau's stores, not through casbin")

func (a *adapter) LoadPolicy(m model.Model) error {
	grants, assignments, err := a.src.Policies(a.ctx, a.orgID)
	if err != nil {
		return err
	}
	dom := a.orgID.String()
	for _, g := range grants {
		if err := persist.LoadPolicyArray([]string{"p", string(g.Role), dom, g.Permission.Object(), g.Permission.Action()}, m); err != nil {
			return err
		}
	}
	for _, as := range assignments {
		if err := persist.LoadPolicyArray([]string{"g", as.Subject, string(as.Role), dom}, m); err != nil {
			return err
		}
	}
	return nil
}

func (a *adapter) SavePolicy(model.Model) error                { return errReadOnly }
func (a *adapter) AddPolicy(string, string, []string) error    { return errReadOnly }
func (a *adapter) RemovePolicy(string, string, []string) error { return errReadOnly }
func (a *adapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errReadOnly
}
