package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/apps/worker"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/smtpmail"
)

func workerCommand(s *settings) *cobra.Command {
	var scheduler bool
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the job queue worker and the periodic scheduler",
		Long: `Run the asynq worker: it sends the platform's mails, reconciles the outbox
(re-enqueueing whatever a lost Redis or a killed worker left unfinished) and
purges finished work. Run as many workers as you like, and the scheduler
(--scheduler, on by default) in one of them.`,
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
			p, err := platform.Open(ctx, cfg, log)
			if err != nil {
				return fmt.Errorf("cannot run the worker: %w", err)
			}
			defer p.Close()
			return runWorker(ctx, p.Worker(sender, scheduler))
		},
	}
	f := cmd.Flags()
	s.databaseFlag(f)
	s.redisFlag(f, "redis://127.0.0.1:6379/0")
	s.httpFlags(f, ":8080") // only --base-url matters here: links in mails
	s.mailFlags(f)
	f.BoolVar(&scheduler, "scheduler", true, "also enqueue the periodic tasks (run it in one worker per deployment)")
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
