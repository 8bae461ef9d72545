package demo

import (
	"bytes"
	"context"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/leadfile/leadgen"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// Sample lead files: SampleFile is what `plateau dev` leaves for a newcomer
// to upload (a few bad rows included, to see the report); the seed imports
// larger ones into the demo campaigns through the real import job.
const (
	SampleFileName = "exemple-prospects.csv"
	sampleRows     = 250
	cartsRows      = 3000
	meetingsRows   = 600
)

// SampleFile is a French Excel lead file (Windows-1252, ';') of fictitious
// people, some numbers invalid or repeated, each with the date and the
// source of its consent: imported as it is detected into a campaign the
// portal's wizard proposes (B2C prospecting in France, where calling takes
// prior consent), its leads are ready to call.
func SampleFile() []byte {
	g := leadgen.New(1789)
	g.Consent = true
	return g.File(sampleRows)
}

// seedLeads imports generated files into the demo campaigns, as Maison
// Lumière would through the portal: upload, mapping detected, job run.
func seedLeads(client context.Context, leads *store.Leads, campaigns map[uuid.UUID]int) error {
	seed := uint64(1)
	for id, rows := range campaigns {
		seed++
		im, err := leads.Upload(client, id, "clients-2026.csv", bytes.NewReader(leadgen.File(rows, seed)))
		if err != nil {
			return err
		}
		if im, err = leads.Start(client, im.ID, leadfile.Mapping{}); err != nil {
			return err
		}
		// The seed runs the job itself; the task the start announced finds
		// the import ended and does nothing.
		if err := leads.RunImport(client, uuid.Nil, im.ID); err != nil {
			return err
		}
	}
	return nil
}
