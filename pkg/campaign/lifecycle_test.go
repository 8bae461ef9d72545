package campaign_test

import (
	"fmt"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

var (
	clientOwner   = campaign.Actor{Side: tenancy.KindClient, Role: tenancy.RoleOwner}
	clientManager = campaign.Actor{Side: tenancy.KindClient, Role: tenancy.RoleManager}
	clientAnalyst = campaign.Actor{Side: tenancy.KindClient, Role: tenancy.RoleAnalyst}
	clientBilling = campaign.Actor{Side: tenancy.KindClient, Role: tenancy.RoleBilling}
	centerOwner   = campaign.Actor{Side: tenancy.KindCenter, Role: tenancy.RoleOwner}
	centerSuper   = campaign.Actor{Side: tenancy.KindCenter, Role: tenancy.RoleSupervisor}
	centerAgent   = campaign.Actor{Side: tenancy.KindCenter, Role: tenancy.RoleAgent}
	centerQA      = campaign.Actor{Side: tenancy.KindCenter, Role: tenancy.RoleQA}
	platformAdmin = campaign.Actor{Side: tenancy.KindPlatform, Role: tenancy.RolePlatformAdmin}
	everyone      = []campaign.Actor{clientOwner, clientManager, clientAnalyst, clientBilling, centerOwner, centerSuper, centerAgent, centerQA, platformAdmin}
	everyEvent    = []campaign.Event{campaign.Publish, campaign.Unpublish, campaign.Contract, campaign.Start, campaign.Pause, campaign.Resume, campaign.Complete, campaign.Cancel}
)

// allowed is the transition table, written out move by move: from, event,
// to, and who may. Every other combination must be refused.
var allowed = []struct {
	from  campaign.Status
	event campaign.Event
	to    campaign.Status
	who   []campaign.Actor
}{
	{campaign.Draft, campaign.Publish, campaign.Open, []campaign.Actor{clientOwner, clientManager}},
	{campaign.Open, campaign.Unpublish, campaign.Draft, []campaign.Actor{clientOwner, clientManager}},
	{campaign.Open, campaign.Contract, campaign.Contracted, []campaign.Actor{centerOwner, platformAdmin}},
	{campaign.Contracted, campaign.Contract, campaign.Contracted, []campaign.Actor{centerOwner, platformAdmin}},
	{campaign.Contracted, campaign.Start, campaign.Running, []campaign.Actor{clientOwner, clientManager, centerOwner, centerSuper, platformAdmin}},
	{campaign.Running, campaign.Pause, campaign.Paused, []campaign.Actor{clientOwner, clientManager, centerOwner, centerSuper, platformAdmin}},
	{campaign.Paused, campaign.Resume, campaign.Running, []campaign.Actor{clientOwner, clientManager, centerOwner, centerSuper, platformAdmin}},
	{campaign.Running, campaign.Complete, campaign.Completed, []campaign.Actor{clientOwner, clientManager, platformAdmin}},
	{campaign.Paused, campaign.Complete, campaign.Completed, []campaign.Actor{clientOwner, clientManager, platformAdmin}},
	{campaign.Draft, campaign.Cancel, campaign.Cancelled, []campaign.Actor{clientOwner, platformAdmin}},
	{campaign.Open, campaign.Cancel, campaign.Cancelled, []campaign.Actor{clientOwner, platformAdmin}},
	{campaign.Contracted, campaign.Cancel, campaign.Cancelled, []campaign.Actor{clientOwner, platformAdmin}},
	{campaign.Running, campaign.Cancel, campaign.Cancelled, []campaign.Actor{clientOwner, platformAdmin}},
	{campaign.Paused, campaign.Cancel, campaign.Cancelled, []campaign.Actor{clientOwner, platformAdmin}},
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
				who   []campaign.Actor
			}
			for i := range allowed {
				if allowed[i].from == from && allowed[i].event == event {
					row = &allowed[i]
				}
			}
			for _, actor := range everyone {
				name := fmt.Sprintf("%s/%s/%s-%s", from, event, actor.Side, actor.Role)
				to, err := campaign.Next(from, event, actor)
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

func TestRefusalsSayWhy(t *testing.T) {
	_, err := campaign.Next(campaign.Completed, campaign.Pause, clientOwner)
	if err == nil || err.Error() != "conflict: a campaign that is completed cannot be paused (only from running)" {
		t.Errorf("pause a completed campaign: %v", err)
	}
	_, err = campaign.Next(campaign.Draft, campaign.Publish, clientAnalyst)
	if e := apperr.As(err); e == nil || e.Message != "a client analyst cannot publish a campaign; a client owner, a client manager can" {
		t.Errorf("analyst publishing: %v", err)
	}
	if _, err := campaign.Next(campaign.Draft, "launch", clientOwner); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("unknown event: %v", err)
	}
}

func TestAllowedListsTheButtons(t *testing.T) {
	got := campaign.Allowed(campaign.Running, centerSuper)
	if fmt.Sprint(got) != "[pause]" {
		t.Errorf("a center supervisor on a running campaign: %v", got)
	}
	if got := campaign.Allowed(campaign.Running, clientOwner); fmt.Sprint(got) != "[pause complete cancel]" {
		t.Errorf("a client owner on a running campaign: %v", got)
	}
}

func contains(list []campaign.Actor, a campaign.Actor) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}
