package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/apps/worker"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/dialing/routing"
	"github.com/plateau-bpo/plateau/pkg/execution"
	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/smtpmail"
)

func workerCommand(s *settings) *cobra.Command {
	var scheduler bool
	var dialer string
	var sip platform.SIP
	var notice string
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the job queue worker, the periodic scheduler and the campaigns' calls",
		Long: `Run the asynq worker: it sends the platform's mails, reconciles the outbox
(re-enqueueing whatever a lost Redis or a killed worker left unfinished) and
purges finished work. Run as many workers as you like, and the scheduler
(--scheduler, on by default) in one of them.

Beside it runs the execution engine: each running campaign is paced by one
worker (a lease in the database), which places its calls through the SIP
trunks of the center that claimed each lead (--dialer sip, the trunks a
center's supervisors add under /api/v1/center/trunks), or on the call
simulator (--dialer simulator) for a staging floor. The people on the agent
workspace take the calls. The calls of a campaign that records them are
kept where --recordings-url says (a bucket shared with serve, in
production), the callee hearing --recording-notice as they answer.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log, err := s.logger()
			if err != nil {
				return err
			}
			cfg, err := s.platformConfig(false)
			if err != nil {
				return err
			}
			sender, err := s.mailSender(log)
			if err != nil {
				return err
			}
			if dialer != "sip" && dialer != "simulator" {
				return fmt.Errorf("--dialer %q: use sip or simulator", dialer)
			}
			if notice != "" {
				if sip.Notice, err = os.ReadFile(notice); err != nil {
					return fmt.Errorf("--recording-notice: %w", err)
				}
			}
			p, err := platform.Open(ctx, cfg, log)
			if err != nil {
				return fmt.Errorf("cannot run the worker: %w", err)
			}
			defer p.Close()
			// The worker and the engine stop together: when either ends, so
			// does the other.
			ctx, stop := context.WithCancel(ctx)
			defer stop()
			var engine *execution.Engine
			switch dialer {
			case "simulator":
				engine = p.Engine(platform.SimulatedFloor{Seed: uint64(time.Now().UnixNano())})
			case "sip":
				var router *routing.Router
				engine, router = p.SIPEngine(ctx, sip)
				defer func() {
					if err := router.Close(); err != nil {
						log.Warn("closing the SIP lines", "err", err)
					}
				}()
			}
			errs := make(chan error, 2)
			go func() { errs <- runWorker(ctx, p.Worker(sender, scheduler)) }()
			go func() { errs <- engine.Run(ctx) }()
			err = <-errs
			stop()
			return errors.Join(err, <-errs)
		},
	}
	f := cmd.Flags()
	s.databaseFlag(f)
	s.secretFlag(f)
	s.recordingsFlag(f)
	s.redisFlag(f, "redis://127.0.0.1:6379/0")
	s.httpFlags(f, ":8080") // only --base-url matters here: links in mails
	s.mailFlags(f)
	f.BoolVar(&scheduler, "scheduler", true, "also enqueue the periodic tasks (run it in one worker per deployment)")
	option(f, &dialer, "dialer", "PLATEAU_DIALER", "sip",
		"how the engine places calls: sip (through each center's SIP trunks) or simulator (the call simulator, for staging)")
	option(f, &sip.BindHost, "sip-bind-host", "PLATEAU_SIP_BIND_HOST", "0.0.0.0", "address the SIP lines listen on (SIP and RTP, a free port per trunk)")
	option(f, &sip.ExternalHost, "sip-external-host", "PLATEAU_SIP_EXTERNAL_HOST", "",
		"address the trunks and the agents' phones reach the SIP lines at, when it is not --sip-bind-host (behind NAT)")
	option(f, &notice, "recording-notice", "PLATEAU_RECORDING_NOTICE", "",
		"a WAV file (8 kHz, 16-bit mono) played to the callee of a recorded call as it answers (default: a beep)")
	return cmd
}

func runWorker(ctx context.Context, w *worker.Worker) error {
	defer w.Close()
	return w.Run(ctx)
}

// mailSender sends through SMTP, or writes mails to the log when told to
// (dev always is): never silently, since the mails carry sign-in links.
func (s *settings) mailSender(log *slog.Logger) (mail.Sender, error) {
	switch {
	case s.smtpURL != "":
		return smtpmail.New(smtpmail.Config{URL: s.smtpURL, From: s.mailFrom})
	case s.mailToLog:
		log.Warn("mails are written to the log, one-time sign-in links included: set --smtp-url in production")
		return mail.LogSender{Log: log}, nil
	}
	return nil, fmt.Errorf("--smtp-url (PLATEAU_SMTP_URL) is required to send invitations and password resets; --mail-to-log writes them to the log instead (not for production)")
}
