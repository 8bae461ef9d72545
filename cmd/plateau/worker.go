package main

import "github.com/spf13/cobra"

func workerCommand(s *settings) *cobra.Command {
	return &cobra.Command{Use: "worker", Short: "Run the job queue worker and the periodic scheduler"}
}
