package campaign_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/i18n"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
	"github.com/plateau-bpo/plateau/web"
)

// actor is a role of an org kind; it may do what tenancy.Policy gives it.
type actor struct {
	Side tenancy.OrgKind
	Role tenancy.Role
}

func (a actor) may(p tenancy.Permission) bool { return tenancy.Holds(a.Side, a.Role, p) }

var (
	clientOwner   = actor{Side: tenancy.KindClient, Role: tenancy.RoleOwner}
	clientManager = actor{Side: tenancy.KindClient, Role: tenancy.RoleManager}
	clientAnalyst = actor{Side: tenancy.KindClient, Role: tenancy.RoleAnalyst}
	clientBilling = actor{Side: tenancy.KindClient, Role: tenancy.RoleBilling}
	centerOwner   = actor{Side: tenancy.KindCenter, Role: tenancy.RoleOwner}
	centerSuper   = actor{Side: tenancy.KindCenter, Role: tenancy.RoleSupervisor}
	centerAgent   = actor{Side: tenancy.KindCenter, Role: tenancy.RoleAgent}
	centerQA      = actor{Side: tenancy.KindCenter, Role: tenancy.RoleQA}
	platformAdmin = actor{Side: tenancy.KindPlatform, Role: tenancy.RolePlatformAdmin}
	everyone      = []actor{clientOwner, clientManager, clientAnalyst, clientBilling, centerOwner, centerSuper, centerAgent, centerQA, platformAdmin}
	everyEvent    = campaign.Events
)

// allowed is the transition table, written out move by move: from, event,
// to, and who may. Every other combination must be refused.
var allowed = []struct {
	from  campaign.Status
	event campaign.Event
	to    campaign.Status
	who   []actor
}{
	{campaign.Draft, campaign.Publish, campaign.Open, []actor{clientOwner, clientManager}},
	{campaign.Open, campaign.Unpublish, campaign.Draft, []actor{clientOwner, clientManager}},
	{campaign.Open, campaign.Contract, campaign.Contracted, []actor{centerOwner}},
	{campaign.Contracted, campaign.Contract, campaign.Contracted, []actor{centerOwner}},
	{campaign.Contracted, campaign.Start, campaign.Running, []actor{clientOwner, clientManager, centerOwner, centerSuper, platformAdmin}},
	{campaign.Running, campaign.Pause, campaign.Paused, []actor{clientOwner, clientManager, centerOwner, centerSuper, platformAdmin}},
	{campaign.Paused, campaign.Resume, campaign.Running, []actor{clientOwner, clientManager, centerOwner, centerSuper, platformAdmin}},
	{campaign.Running, campaign.Complete, campaign.Completed, []actor{clientOwner, clientManager, platformAdmin}},
	{campaign.Paused, campaign.Complete, campaign.Completed, []actor{clientOwner, clientManager, platformAdmin}},
	{campaign.Draft, campaign.Cancel, campaign.Cancelled, []actor{clientOwner, platformAdmin}},
	{campaign.Open, campaign.Cancel, campaign.Cancelled, []actor{clientOwner, platformAdmin}},
	{campaign.Contracted, campaign.Cancel, campaign.Cancelled, []actor{clientOwner, platformAdmin}},
	{campaign.Running, campaign.Cancel, campaign.Cancelled, []actor{clientOwner, platformAdmin}},
	{campaign.Paused, campaign.Cancel, campaign.Cancelled, []actor{clientOwner, platformAdmin}},
}

// TestEveryTransition tries every state × event × actor and checks it
// against the table: allowed moves reach their state; a move the state
// does not allow is a conflict; an actor without the right is forbidden.
func TestEveryTransition(t *testing.T) {
	for _, from := range campaign.Statuses {
		for _, event := range everyEvent {
			var row *struct {
				from  campaign.Status
				event campaign.Event
				to    campaign.Status
				who   []actor
			}
			for i := range allowed {
				if allowed[i].from == from && allowed[i].event == event {
					row = &allowed[i]
				}
			}
			for _, actor := range everyone {
				name := fmt.Sprintf("%s/%s/%s-%s", from, event, actor.Side, actor.Role)
				to, err := campaign.Next(from, event, actor.may)
				switch {
				case row == nil:
					if !apperr.Is(err, apperr.Conflict) || to != from {
						t.Errorf("%s: got %s %v, want a conflict", name, to, err)
					}
				case contains(row.who, actor):
					if err != nil || to != row.to {
						t.Errorf("%s: got %s %v, want %s", name, to, err, row.to)
					}
				default:
					if !apperr.Is(err, apperr.Forbidden) || to != from {
						t.Errorf("%s: got %s %v, want forbidden", name, to, err)
					}
				}
			}
		}
	}
}

// TestRefusalsAreSaidInFrench: a refusal has a code, and its parameters
// are words of the domain the catalogs translate: the status, the move,
// and the lists of statuses and roles.
func TestRefusalsAreSaidInFrench(t *testing.T) {
	catalog, err := i18n.Load(web.FS, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	fr := apperr.Translator(catalog.In("fr"))
	_, err = campaign.Next(campaign.Completed, campaign.Pause, clientOwner.may)
	said := apperr.Localize(err, fr).Message
	if e := apperr.As(err); e == nil || e.Code != "campaign.move.not_from" || !strings.Contains(said, "«\u00a0Terminée\u00a0»") || !strings.Contains(said, "«\u00a0Mettre en pause\u00a0»") {
		t.Errorf("pause a completed campaign: %v, said %q", err, said)
	}
	if list, ok := apperr.As(err).Args[2].(interface {
		Say(apperr.Translator) string
	}); !ok || list.Say(fr) != "En cours" {
		t.Errorf("the statuses a pause is made from: %#v", apperr.As(err).Args[2])
	}
	_, err = campaign.Next(campaign.Draft, campaign.Publish, clientAnalyst.may)
	if e := apperr.As(err); e == nil || e.Code != "campaign.move.forbidden" || !strings.Contains(apperr.Localize(err, fr).Message, "«\u00a0Publier la demande\u00a0»") {
		t.Errorf("analyst publishing: %v", err)
	} else if list, ok := e.Args[1].(interface {
		Say(apperr.Translator) string
	}); !ok || list.Say(fr) != "Responsable, Chef de projet" {
		t.Errorf("who may publish: %#v", e.Args[1])
	}
	_, err = campaign.Next(campaign.Running, "launch", centerSuper.may)
	if e := apperr.As(err); e == nil || e.Code != "campaign.move.invalid" || e.Fields[0].Code != "campaign.move.unknown" {
		t.Errorf("unknown event: %v", err)
	}
}

func TestRefusalsSayWhy(t *testing.T) {
	_, err := campaign.Next(campaign.Completed, campaign.Pause, clientOwner.may)
	if err == nil || err.Error() != "conflict: a campaign that is completed cannot be paused (only from running)" {
		t.Errorf("pause a completed campaign: %v", err)
	}
	_, err = campaign.Next(campaign.Draft, campaign.Publish, clientAnalyst.may)
	if e := apperr.As(err); e == nil || e.Message != "your role cannot publish a campaign; a client owner, a client manager can" {
		t.Errorf("analyst publishing: %v", err)
	}
	// An unknown move lists the moves open to the caller now, not every move.
	_, err = campaign.Next(campaign.Running, "launch", centerSuper.may)
	if e := apperr.As(err); e == nil || e.Kind != apperr.Invalid || len(e.Fields) != 1 ||
		e.Fields[0].Message != `must be one of pause (got "launch")` {
		t.Errorf("unknown event: %v", err)
	}
	_, err = campaign.Next(campaign.Running, "launch", clientAnalyst.may)
	if e := apperr.As(err); e == nil || e.Fields[0].Message != "no move is open to you on a campaign that is running" {
		t.Errorf("unknown event for an analyst: %v", err)
	}
}

func TestAllowedListsTheButtons(t *testing.T) {
	got := campaign.Allowed(campaign.Running, centerSuper.may)
	if fmt.Sprint(got) != "[pause]" {
		t.Errorf("a center supervisor on a running campaign: %v", got)
	}
	if got := campaign.Allowed(campaign.Running, clientOwner.may); fmt.Sprint(got) != "[pause complete cancel]" {
		t.Errorf("a client owner on a running campaign: %v", got)
	}
}

func contains(list []actor, a actor) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}
