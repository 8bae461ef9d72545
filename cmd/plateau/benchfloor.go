package main

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// benchFloorSpec is the campaign a bench claims from, and who works it.
type benchFloorSpec struct {
	label    string // in the orgs' names, after "Bench"
	name     string // the campaign's
	country  string // the client's and the callees'
	timezone string // the client's and the centers' ("": the country's)
	volume   int    // the campaign's announced leads
	// centers, each in centerCountry, offer seats from startsOn; every
	// offer is made while the request is open, and the first contract
	// confirmed closes it.
	centers       int
	centerCountry string
	seats         int
	startsOn      time.Time
}

// benchFloor is a bench's published customer-care campaign, progressive,
// with a confirmed contract per center: its client and its centers acting,
// and their contracts in the centers' order.
type benchFloor struct {
	clientOrg  tenancy.Org
	client     context.Context
	centerOrgs []tenancy.Org
	centers    []context.Context
	campaign   campaign.Campaign
	contracts  []uuid.UUID
}

// newBenchFloor makes the orgs (in db, named with the time so that runs on
// one database do not meet), the campaign and its contracts.
func newBenchFloor(ctx context.Context, db *store.DB, svc store.Services, spec benchFloorSpec) (benchFloor, error) {
	stamp := time.Now().Format("2006-01-02 15:04:05.000")
	org := func(kind tenancy.OrgKind, country, name string) (tenancy.Org, context.Context, error) {
		o, err := db.CreateOrg(ctx, tenancy.NewOrgInput{Kind: kind, Country: country, Timezone: spec.timezone,
			Name: "Bench " + spec.label + " " + name + " " + stamp}, "bench")
		return o, tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(o, "bench")), err
	}
	var f benchFloor
	var err error
	if f.clientOrg, f.client, err = org(tenancy.KindClient, spec.country, "client"); err != nil {
		return f, err
	}
	if f.campaign, err = svc.Campaigns.Create(f.client, campaign.Input{Name: spec.name, Kind: "customer_care", Audience: "b2c",
		Country: spec.country, Languages: []string{"fr"}, Volume: spec.volume, DialingMode: string(campaign.Progressive)}); err != nil {
		return f, err
	}
	if f.campaign, err = svc.Campaigns.Move(f.client, f.campaign.ID, campaign.Publish); err != nil {
		return f, err
	}
	offers := make([]uuid.UUID, spec.centers)
	for i := range spec.centers {
		o, center, err := org(tenancy.KindCenter, spec.centerCountry, fmt.Sprintf("center %d", i+1))
		if err != nil {
			return f, err
		}
		f.centerOrgs, f.centers = append(f.centerOrgs, o), append(f.centers, center)
		made, err := svc.Market.SubmitOffer(center, f.campaign.ID, market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerAttempt: 100_000},
			Seats: spec.seats, Languages: []string{"fr"}, StartsOn: &spec.startsOn})
		if err != nil {
			return f, err
		}
		offers[i] = made.Offers[0].Offer.ID
	}
	for i, center := range f.centers {
		k, err := svc.Market.Accept(f.client, f.campaign.ID, offers[i])
		if err != nil {
			return f, err
		}
		if _, err := svc.Market.Confirm(center, k.ID); err != nil {
			return f, err
		}
		f.contracts = append(f.contracts, k.ID)
	}
	return f, nil
}

// start starts the campaign and queues its leads, all of them; it returns
// how many were queued.
func (f *benchFloor) start(svc store.Services) (int, error) {
	var err error
	if f.campaign, err = svc.Campaigns.Move(f.client, f.campaign.ID, campaign.Start); err != nil {
		return 0, err
	}
	queued := 0
	for {
		n, err := svc.Dispatch.Fill(f.client, f.campaign.ID)
		if err != nil || n == 0 {
			return queued, err
		}
		queued += n
	}
}
