// Package demo seeds the tenants `plateau dev` starts with: the platform's
// admin, the client Maison Lumière and the centers Atlas Contact (Tanger)
// and Teranga Relation Client (Dakar), each with its people; Maison
// Lumière's two published campaigns with their scripts, both centers'
// offers, Atlas's active contract, and a few thousand generated leads
// imported through the real job. It goes through the platform's use cases,
// as the people would, and is idempotent.
package demo

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/money"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Password is every demo person's password.
const Password = "plateau-demo"

// ClientName is the demo's client company.
const ClientName = "Maison Lumière"

// Login is one demo person.
type Login struct {
	Org   string
	Role  tenancy.Role
	Name  string
	Email string
}

type person struct {
	name, email string
	role        tenancy.Role
}

type tenant struct {
	in     tenancy.NewOrgInput
	people []person
	extra  func(ctx context.Context, svc store.Services) error // the tenant's compliance records
}

var tenants = []tenant{
	{tenancy.NewOrgInput{Kind: tenancy.KindPlatform, Name: "Plateau", LegalName: "Plateau BPO SAS", Country: "FR", Timezone: "Europe/Paris"},
		[]person{{"Camille Roux", "admin@plateau.test", tenancy.RolePlatformAdmin}}, nil},
	{tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: ClientName, LegalName: "Maison Lumière SAS (Lyon)", Country: "FR", Timezone: "Europe/Paris"},
		[]person{
			{"Sophie Martin", "sophie.martin@maison-lumiere.test", tenancy.RoleOwner},
			{"Julien Bernard", "julien.bernard@maison-lumiere.test", tenancy.RoleManager},
			{"Claire Dubois", "claire.dubois@maison-lumiere.test", tenancy.RoleAnalyst},
			{"Marc Petit", "marc.petit@maison-lumiere.test", tenancy.RoleBilling},
		}, maisonLumiereRecords},
	{tenancy.NewOrgInput{Kind: tenancy.KindCenter, Name: "Atlas Contact", LegalName: "Atlas Contact SARL (Tanger)", Country: "MA", Timezone: "Africa/Casablanca"},
		[]person{
			{"Youssef Alami", "youssef.alami@atlas-contact.test", tenancy.RoleOwner},
			{"Salma Benali", "salma.benali@atlas-contact.test", tenancy.RoleSupervisor},
			{"Karim Idrissi", "karim.idrissi@atlas-contact.test", tenancy.RoleAgent},
			{"Nadia Tazi", "nadia.tazi@atlas-contact.test", tenancy.RoleAgent},
			{"Omar Chraibi", "omar.chraibi@atlas-contact.test", tenancy.RoleAgent},
			{"Leila Fassi", "leila.fassi@atlas-contact.test", tenancy.RoleQA},
		}, atlasProfile},
	{tenancy.NewOrgInput{Kind: tenancy.KindCenter, Name: "Teranga Relation Client", LegalName: "Teranga Relation Client SA (Dakar)", Country: "SN", Timezone: "Africa/Dakar"},
		[]person{
			{"Aminata Diop", "aminata.diop@teranga-rc.test", tenancy.RoleOwner},
			{"Moussa Ndiaye", "moussa.ndiaye@teranga-rc.test", tenancy.RoleSupervisor},
			{"Fatou Sarr", "fatou.sarr@teranga-rc.test", tenancy.RoleAgent},
			{"Ibrahima Fall", "ibrahima.fall@teranga-rc.test", tenancy.RoleAgent},
			{"Awa Diallo", "awa.diallo@teranga-rc.test", tenancy.RoleAgent},
		}, nil},
}

// Logins lists every demo person.
func Logins() []Login {
	var out []Login
	for _, t := range tenants {
		for _, p := range t.people {
			out = append(out, Login{Org: t.in.Name, Role: p.role, Name: p.name, Email: p.email})
		}
	}
	return out
}

// Seed creates the demo tenants that do not exist yet (an org is known by
// its name) and reports whether it created anything.
func Seed(ctx context.Context, db *store.DB, svc store.Services) (bool, error) {
	existing, err := db.ListOrgs(ctx, "")
	if err != nil {
		return false, err
	}
	have := map[string]bool{}
	for _, o := range existing {
		have[o.Name] = true
	}
	created := false
	for _, t := range tenants {
		if have[t.in.Name] {
			continue
		}
		org, err := db.CreateOrg(ctx, t.in, "demo-seed")
		if err != nil {
			return created, err
		}
		sys := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(org, "demo-seed"))
		for _, p := range t.people {
			if _, err := svc.Tenancy.AddMember(sys, store.NewMemberInput{Email: p.email, Name: p.name,
				Role: string(p.role), Password: Password}); err != nil {
				return created, err
			}
		}
		if t.extra != nil {
			if err := t.extra(sys, svc); err != nil {
				return created, err
			}
		}
		created = true
	}
	if !created {
		return false, nil
	}
	return true, seedMarketplace(ctx, db, svc)
}

// seedMarketplace publishes Maison Lumière's two campaigns, has both
// centers answer the first, makes Atlas Contact's offer an active
// contract (its data-protection file verified by the platform), starts it
// and assigns Atlas's agents to it: `plateau dev` dials it.
func seedMarketplace(ctx context.Context, db *store.DB, svc store.Services) error {
	orgs, err := db.ListOrgs(ctx, "")
	if err != nil {
		return err
	}
	as := map[string]context.Context{}
	byName := map[string]tenancy.Org{}
	for _, o := range orgs {
		byName[o.Name] = o
		p := tenancy.SystemPrincipal(o, "demo-seed")
		as[o.Name] = tenancy.WithPrincipal(ctx, p)
	}
	client, atlas, teranga := as[ClientName], as["Atlas Contact"], as["Teranga Relation Client"]
	if client == nil || atlas == nil || teranga == nil {
		return nil // a partial seed (some demo orgs existed already): no marketplace
	}
	start := time.Now().UTC().AddDate(0, 0, 7).Truncate(24 * time.Hour)
	carts, err := svc.Campaigns.Create(client, campaign.Input{Name: "Relance paniers abandonnés", Kind: "customer_care",
		Audience: "b2c", Country: "FR", Languages: []string{"fr"}, StartsOn: &start, TargetOutcome: "sale",
		Volume: 4000, BudgetCap: 6_000 * money.Micro, DialingMode: "progressive"})
	if err != nil {
		return err
	}
	meetings, err := svc.Campaigns.Create(client, campaign.Input{Name: "Rendez-vous architectes et décorateurs", Kind: "appointment_setting",
		Audience: "b2b", Country: "FR", Languages: []string{"fr"}, StartsOn: &start, TargetOutcome: "appointment",
		Volume: 800, BudgetCap: 3_000 * money.Micro, DialingMode: "preview"})
	if err != nil {
		return err
	}
	if err := seedScripts(client, svc.Scripts, carts.ID, meetings.ID); err != nil {
		return err
	}
	for _, c := range []campaign.Campaign{carts, meetings} {
		if _, err := svc.Campaigns.Move(client, c.ID, campaign.Publish); err != nil {
			return err
		}
	}
	offer := func(ctx context.Context, perMinute int64, sale int64, seats int, message string) (market.Offer, error) {
		made, err := svc.Market.SubmitOffer(ctx, carts.ID, market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerMinute: perMinute,
			Minimum: 30, Increment: 6, PerOutcome: map[string]int64{"sale": sale}}, Seats: seats, Languages: []string{"fr"},
			StartsOn: &start, Hours: "lun–ven 9h–20h, sam 9h–13h", Message: message})
		if err != nil {
			return market.Offer{}, err
		}
		return made.Offers[0].Offer, nil
	}
	atlasOffer, err := offer(atlas, 420_000, 9*money.Micro, 12, "Équipe francophone dédiée au e-commerce, superviseur bilingue.")
	if err != nil {
		return err
	}
	if _, err := offer(teranga, 380_000, 11*money.Micro, 8, "Plateau à Dakar, agents formés à la relance client."); err != nil {
		return err
	}
	contract, err := svc.Market.Accept(client, carts.ID, atlasOffer.ID)
	if err != nil {
		return err
	}
	if _, err := svc.Compliance.VerifyCenterProfile(as["Plateau"], byName["Atlas Contact"].ID); err != nil {
		return err
	}
	if _, err := svc.Market.Confirm(atlas, contract.ID); err != nil {
		return err
	}
	if err := seedLeads(client, svc.Leads, map[uuid.UUID]int{carts.ID: cartsRows, meetings.ID: meetingsRows}); err != nil {
		return err
	}
	if _, err = svc.Campaigns.Move(client, carts.ID, campaign.Start); err != nil {
		return err
	}
	return assignAgents(atlas, svc, carts.ID)
}

// assignAgents puts the center's agents on the campaign, as its
// supervisor would: a demo agent who goes ready takes its calls.
func assignAgents(center context.Context, svc store.Services, campaignID uuid.UUID) error {
	members, _, err := svc.Tenancy.Members(center, store.Page{Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.Role != tenancy.RoleAgent {
			continue
		}
		if _, err := svc.Assignments.Assign(center, m.ID, campaignID); err != nil {
			return err
		}
	}
	return nil
}

// maisonLumiereRecords: consents captured at checkout and one opt-out, so
// the portal's compliance pages have something to show.
func maisonLumiereRecords(ctx context.Context, svc store.Services) error {
	captured := time.Date(2026, 6, 2, 14, 30, 0, 0, time.UTC)
	if _, err := svc.Compliance.RecordConsents(ctx, "FR", []compliance.NewConsent{
		{Phone: "06 12 34 56 78", Source: "commande sur le site", CapturedAt: &captured, ProofRef: "order-10482"},
		{Phone: "06 98 76 54 32", Source: "formulaire de la lettre d'information", CapturedAt: &captured, ProofRef: "form-7731",
			Kinds: []string{string(compliance.CustomerCare)}},
	}); err != nil {
		return err
	}
	_, err := svc.Compliance.AddSuppressions(ctx, "FR", []compliance.NewSuppression{
		{Phone: "06 11 22 33 44", Reason: "ne souhaite plus être appelée", Source: "appel du 10 juin 2026"}})
	return err
}

// atlasProfile: Atlas Contact's data-protection file, complete but not yet
// verified by the platform.
func atlasProfile(ctx context.Context, svc store.Services) error {
	signed := time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)
	expires := time.Date(2027, 11, 3, 0, 0, 0, 0, time.UTC)
	_, err := svc.Compliance.SaveCenterProfile(ctx, compliance.CenterProfile{SCCSignedAt: &signed, SCCModule: "2", TIAOnFile: true,
		AuthorityRef: "D-GC-248/2025", AuthorityExpiresAt: &expires,
		Documents: []string{"CCT module 2 signées 2025-11-03.pdf", "Autorisation CNDP D-GC-248-2025.pdf", "Analyse d'impact des transferts Atlas 2025.pdf"}})
	return err
}
