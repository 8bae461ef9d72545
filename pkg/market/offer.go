package market

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
)

// OfferStatus is where a center's offer stands.
type OfferStatus string

const (
	OfferSubmitted OfferStatus = "submitted"
	OfferWithdrawn OfferStatus = "withdrawn" // by the center, before acceptance
	OfferAccepted  OfferStatus = "accepted"  // a contract holds its rate card
	OfferDeclined  OfferStatus = "declined"  // by the client, or the campaign closed
)

// TermKey names the status in the catalogs.
func (s OfferStatus) TermKey() string { return "campaigns.offer_status." + string(s) }

// Offer is a center's answer to a published campaign.
type Offer struct {
	ID         uuid.UUID   `json:"id"`
	CampaignID uuid.UUID   `json:"campaign_id"`
	CenterID   uuid.UUID   `json:"center_id"`
	RateCard   RateCard    `json:"rate_card"`
	Seats      int         `json:"seats"`
	Hours      string      `json:"hours"` // the center's calling hours, as it describes them ("lun–ven 9h–20h")
	Languages  []string    `json:"languages"`
	StartsOn   time.Time   `json:"starts_on"`
	Message    string      `json:"message"`
	Status     OfferStatus `json:"status"`
	CreatedAt  time.Time   `json:"created_at"`
}

// OfferInput is what a center sends.
type OfferInput struct {
	RateCard  RateCard   `json:"rate_card"`
	Seats     int        `json:"seats"`
	Hours     string     `json:"hours"`
	Languages []string   `json:"languages"`
	StartsOn  *time.Time `json:"starts_on"`
	Message   string     `json:"message"`
}

// Validate checks an offer against the campaign's languages and returns
// it, every problem named by its field.
func (in OfferInput) Validate(campaignLanguages []string, now time.Time) (Offer, error) {
	f := in.RateCard.Validate("rate_card.")
	o := Offer{RateCard: in.RateCard, Seats: in.Seats, Hours: strings.TrimSpace(in.Hours),
		Message: strings.TrimSpace(in.Message), Status: OfferSubmitted}
	if in.Seats < 1 || in.Seats > 2000 {
		f.Add("seats", "market.seats.out_of_range", "must be between 1 and 2 000 (got %d)", in.Seats)
	}
	if utf8.RuneCountInString(o.Hours) > 200 {
		f.Add("hours", "market.hours.too_long", "must be at most 200 characters")
	}
	if utf8.RuneCountInString(o.Message) > 5000 {
		f.Add("message", "market.message.too_long", "must be at most 5 000 characters")
	}
	if len(in.Languages) == 0 {
		f.Add("languages", "market.languages.required", "name the languages the center calls in")
	}
	for i, l := range in.Languages {
		l = strings.ToLower(strings.TrimSpace(l))
		if !slices.Contains(campaignLanguages, l) {
			f.Add("languages["+strconv.Itoa(i)+"]", "market.language.not_the_campaigns", "the campaign calls in %s, not %q", strings.Join(campaignLanguages, ", "), in.Languages[i])
			continue
		}
		o.Languages = append(o.Languages, l)
	}
	switch {
	case in.StartsOn == nil:
		f.Add("starts_on", "market.starts_on.required", "is required: the day the center can start")
	case in.StartsOn.Before(now.AddDate(0, 0, -1)):
		f.Add("starts_on", "market.starts_on.past", "is in the past (%s)", in.StartsOn.Format("2006-01-02"))
	default:
		o.StartsOn = in.StartsOn.UTC()
	}
	return o, f.Err("market.offer.invalid", "the offer is not valid")
}

// ContractStatus is where a contract stands.
type ContractStatus string

const (
	ContractPending ContractStatus = "pending" // accepted by the client; the center has to confirm
	ContractActive  ContractStatus = "active"  // the center sees the campaign, its script and leads
	ContractEnded   ContractStatus = "ended"
)

// TermKey names the status in the catalogs.
func (s ContractStatus) TermKey() string { return "campaigns.contract_status." + string(s) }

// Contract is an accepted offer: the only bridge between a client and a
// center. It holds a copy of the offer's rate card, which no later edit of
// the offer changes.
type Contract struct {
	ID          uuid.UUID      `json:"id"`
	CampaignID  uuid.UUID      `json:"campaign_id"`
	ClientID    uuid.UUID      `json:"client_id"`
	CenterID    uuid.UUID      `json:"center_id"`
	OfferID     uuid.UUID      `json:"offer_id"`
	RateCard    RateCard       `json:"rate_card"`
	Seats       int            `json:"seats"`
	Status      ContractStatus `json:"status"`
	AcceptedAt  time.Time      `json:"accepted_at"`
	ConfirmedAt *time.Time     `json:"confirmed_at"`
}

// Snapshot copies a rate card so that the contract's copy shares nothing
// with the offer's (its outcome prices are a map).
func (r RateCard) Snapshot() RateCard {
	c := r
	c.PerOutcome = make(map[string]int64, len(r.PerOutcome))
	for k, v := range r.PerOutcome {
		c.PerOutcome[k] = v
	}
	return c
}

// euCountries hold EU personal data: their callees' numbers and names.
var euCountries = strings.Fields("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE " +
	"GP MQ GF RE YT MF")

// HoldsEUPersonalData reports whether a campaign calling callees of country
// holds EU personal data (GDPR applies to their numbers and names).
func HoldsEUPersonalData(country string) bool { return slices.Contains(euCountries, country) }

// MayActivate checks that a contract may become active: a campaign holding
// EU personal data needs a center whose data-protection profile allows it.
func MayActivate(campaignCountry string, center compliance.CenterProfile, now time.Time) error {
	if !HoldsEUPersonalData(campaignCountry) {
		return nil
	}
	return compliance.MayProcessEUData(center, now) // a Conflict: compliance.eu_data.gaps
}

// Propose checks a center's offer on a campaign: the campaign must still
// take offers, and the offer fit its languages.
func Propose(in OfferInput, c campaign.Campaign, now time.Time) (Offer, error) {
	if !c.Status.TakesOffers() {
		return Offer{}, apperr.New(apperr.Conflict, "market.campaign.closed_to_offers", "the campaign is %s: it takes no more offers", c.Status)
	}
	o, err := in.Validate(c.Languages, now)
	o.CampaignID, o.CreatedAt = c.ID, now
	return o, err
}

// Accept turns a submitted offer on a campaign that still takes offers
// into a pending contract holding a copy of the offer's rate card.
func Accept(o Offer, c campaign.Campaign, now time.Time) (Contract, error) {
	if o.CampaignID != c.ID {
		return Contract{}, apperr.New(apperr.NotFound, "market.offer.not_found", "there is no such offer for this campaign")
	}
	if !c.Status.TakesOffers() {
		return Contract{}, apperr.New(apperr.Conflict, "market.campaign.closed_to_acceptance", "the campaign is %s: no offer can be accepted", c.Status)
	}
	if o.Status != OfferSubmitted {
		return Contract{}, apperr.New(apperr.Conflict, "market.offer.not_open", "the offer is %s, not open to acceptance", o.Status)
	}
	return Contract{CampaignID: c.ID, ClientID: c.OrgID, CenterID: o.CenterID, OfferID: o.ID,
		RateCard: o.RateCard.Snapshot(), Seats: o.Seats, Status: ContractPending, AcceptedAt: now}, nil
}

// Confirm activates a pending contract, if the campaign's data may go to
// the center (its data-protection profile, for EU personal data).
func Confirm(k Contract, c campaign.Campaign, center compliance.CenterProfile, now time.Time) (Contract, error) {
	if k.Status != ContractPending {
		return k, apperr.New(apperr.Conflict, "market.contract.not_pending", "the contract is %s, not waiting for confirmation", k.Status)
	}
	if c.Status.Ended() {
		return k, apperr.New(apperr.Conflict, "market.campaign.ended", "the campaign is %s: its contracts cannot start", c.Status)
	}
	if err := MayActivate(c.Country, center, now); err != nil {
		return k, err
	}
	k.Status, k.ConfirmedAt = ContractActive, &now
	return k, nil
}
