package main

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// The operator tools act as the platform itself (the system principal of
// the org they touch) through the same store operations as the API, so
// they are validated and audited alike.

func orgCommand(s *settings) *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Create and list tenants (client companies, call centers, the platform)"}
	s.databaseFlag(cmd.PersistentFlags())
	var in tenancy.NewOrgInput
	var kind string
	create := &cobra.Command{Use: "create", Short: "Create an org with the default roles of its kind", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in.Kind = tenancy.OrgKind(kind)
			return s.withAppDB(cmd.Context(), func(db *store.DB) error {
				org, err := db.CreateOrg(cmd.Context(), in, "cli")
				if err != nil {
					return err
				}
				return s.print(org, "ID\tKIND\tNAME\tCOUNTRY\tTIMEZONE", []any{org.ID, org.Kind, org.Name, org.Country, org.Timezone})
			})
		}}
	f := create.Flags()
	f.StringVar(&kind, "kind", "", "client, center or platform (required)")
	f.StringVar(&in.Name, "name", "", "display name (required)")
	f.StringVar(&in.LegalName, "legal-name", "", "registered legal name (default: the name)")
	f.StringVar(&in.Country, "country", "FR", "ISO 3166-1 alpha-2 country code")
	f.StringVar(&in.Timezone, "timezone", "", "IANA time zone, e.g. Europe/Paris or Africa/Casablanca (default UTC)")
	_ = create.MarkFlagRequired("kind")
	_ = create.MarkFlagRequired("name")

	var listKind string
	list := &cobra.Command{Use: "list", Short: "List orgs", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.withAppDB(cmd.Context(), func(db *store.DB) error {
				orgs, err := db.ListOrgs(cmd.Context(), tenancy.OrgKind(listKind))
				if err != nil {
					return err
				}
				rows := make([][]any, 0, len(orgs))
				for _, o := range orgs {
					rows = append(rows, []any{o.ID, o.Kind, o.Name, o.Country, o.Status})
				}
				return s.print(orgs, "ID\tKIND\tNAME\tCOUNTRY\tSTATUS", rows...)
			})
		}}
	list.Flags().StringVar(&listKind, "kind", "", "only orgs of this kind")
	cmd.AddCommand(create, list)
	return cmd
}

func userCommand(s *settings) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Create and list the people of an org"}
	s.databaseFlag(cmd.PersistentFlags())
	var orgID string
	var in store.NewMemberInput
	create := &cobra.Command{Use: "create", Short: "Create a user with a role in an org (invited by mail when no password is given)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.inOrg(cmd.Context(), orgID, func(ctx context.Context, svc store.Services) error {
				m, err := svc.Tenancy.AddMember(ctx, in)
				if err != nil {
					return err
				}
				return s.print(m, "ID\tEMAIL\tROLE\tSTATUS", []any{m.ID, m.Email, m.Role, m.Status})
			})
		}}
	f := create.Flags()
	f.StringVar(&orgID, "org", "", "org id (required)")
	f.StringVar(&in.Email, "email", "", "email address (required)")
	f.StringVar(&in.Name, "name", "", "full name (default: the email)")
	f.StringVar(&in.Role, "role", "", "role in the org: platform_admin; client owner|manager|analyst|billing; center owner|supervisor|agent|qa (required)")
	f.StringVar(&in.Password, "password", "", "initial password, at least 10 characters; empty sends an invitation mail")
	f.StringVar(&in.Locale, "locale", "", "fr or en (default: the org's language)")
	for _, n := range []string{"org", "email", "role"} {
		_ = create.MarkFlagRequired(n)
	}

	var listOrg string
	list := &cobra.Command{Use: "list", Short: "List the people of an org", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.inOrg(cmd.Context(), listOrg, func(ctx context.Context, svc store.Services) error {
				members, _, err := svc.Tenancy.Members(ctx, store.Page{Limit: store.MaxLimit})
				if err != nil {
					return err
				}
				rows := make([][]any, 0, len(members))
				for _, m := range members {
					rows = append(rows, []any{m.ID, m.Email, m.Name, m.Role, m.Status})
				}
				return s.print(members, "ID\tEMAIL\tNAME\tROLE\tSTATUS", rows...)
			})
		}}
	list.Flags().StringVar(&listOrg, "org", "", "org id (required)")
	_ = list.MarkFlagRequired("org")
	cmd.AddCommand(create, list)
	return cmd
}

func apikeyCommand(s *settings) *cobra.Command {
	cmd := &cobra.Command{Use: "apikey", Short: "Create, list and revoke the API keys of an org"}
	s.databaseFlag(cmd.PersistentFlags())
	var orgID string
	var in store.NewAPIKeyInput
	create := &cobra.Command{Use: "create", Short: "Create a key; its secret is printed once, as key", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.inOrg(cmd.Context(), orgID, func(ctx context.Context, svc store.Services) error {
				k, secretKey, err := svc.Tenancy.CreateAPIKey(ctx, in)
				if err != nil {
					return err
				}
				out := struct {
					tenancy.APIKey
					Key string `json:"key"`
				}{k, secretKey}
				return s.print(out, "ID\tPREFIX\tROLE\tKEY (shown once)", []any{k.ID, k.Prefix, k.Role, secretKey})
			})
		}}
	f := create.Flags()
	f.StringVar(&orgID, "org", "", "org id (required)")
	f.StringVar(&in.Role, "role", "", "role the key acts with (required)")
	f.StringVar(&in.Name, "name", "", "what the key is for (default: its prefix)")
	_ = create.MarkFlagRequired("org")
	_ = create.MarkFlagRequired("role")

	var revokeOrg, revokeID string
	revoke := &cobra.Command{Use: "revoke", Short: "Revoke a key at once", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := uuid.Parse(revokeID)
			if err != nil {
				return fmt.Errorf("--id %q is not a key id", revokeID)
			}
			return s.inOrg(cmd.Context(), revokeOrg, func(ctx context.Context, svc store.Services) error {
				k, err := svc.Tenancy.RevokeAPIKey(ctx, id)
				if err != nil {
					return err
				}
				return s.print(k, "ID\tPREFIX\tREVOKED AT", []any{k.ID, k.Prefix, k.RevokedAt})
			})
		}}
	revoke.Flags().StringVar(&revokeOrg, "org", "", "org id (required)")
	revoke.Flags().StringVar(&revokeID, "id", "", "key id (required)")
	_ = revoke.MarkFlagRequired("org")
	_ = revoke.MarkFlagRequired("id")

	var listOrg string
	list := &cobra.Command{Use: "list", Short: "List keys, revoked ones included", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.inOrg(cmd.Context(), listOrg, func(ctx context.Context, svc store.Services) error {
				keys, _, err := svc.Tenancy.APIKeys(ctx, store.Page{Limit: store.MaxLimit})
				if err != nil {
					return err
				}
				rows := make([][]any, 0, len(keys))
				for _, k := range keys {
					rows = append(rows, []any{k.ID, k.Prefix, k.Name, k.Role, k.LastUsedAt, k.RevokedAt})
				}
				return s.print(keys, "ID\tPREFIX\tNAME\tROLE\tLAST USED\tREVOKED", rows...)
			})
		}}
	list.Flags().StringVar(&listOrg, "org", "", "org id (required)")
	_ = list.MarkFlagRequired("org")
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// withAppDB opens the database as the application (row-level security on).
func (s *settings) withAppDB(ctx context.Context, fn func(db *store.DB) error) error {
	db, err := store.Open(ctx, s.databaseURL, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if s.systemURL != "" {
		if err := db.ConnectSystem(ctx, s.systemURL); err != nil {
			return err
		}
	}
	if err := db.CheckMigrated(ctx); err != nil {
		return err
	}
	return fn(db)
}

// withServices opens the database as the application and builds the use
// cases on it.
func (s *settings) withServices(ctx context.Context, fn func(db *store.DB, svc store.Services) error) error {
	return s.withAppDB(ctx, func(db *store.DB) error {
		log, err := s.logger()
		if err != nil {
			return err
		}
		svc, err := platform.Services(ctx, db, log)
		if err != nil {
			return err
		}
		return fn(db, svc)
	})
}

// inOrg runs fn acting in an org as the platform itself.
func (s *settings) inOrg(ctx context.Context, orgID string, fn func(ctx context.Context, svc store.Services) error) error {
	id, err := uuid.Parse(orgID)
	if err != nil {
		return fmt.Errorf("--org %q is not an org id (see `plateau org list`)", orgID)
	}
	return s.withServices(ctx, func(db *store.DB, svc store.Services) error {
		org, err := db.OrgByID(ctx, id)
		if err != nil {
			return err
		}
		return fn(tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(org, "cli")), svc)
	})
}
