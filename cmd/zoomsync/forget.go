package main

import (
	"fmt"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
)

var forgetFlags = []cli.Flag{
	&cli.StringSliceFlag{Name: "email", Usage: "the email of a person to forget (repeat the flag for several)", Required: true},
}

func forgetCommand() *cli.Command {
	return &cli.Command{
		Name:  "forget",
		Usage: "erase a person's rows from the lake (a data-subject erasure request)",
		Description: `forget rewrites every raw and out file that holds rows of the person
(registrations, attendance, absentees, Q&A, the CRM snapshot, the out
tables), each under a temporary name renamed over the old one with its
manifest row updated, removes them from the catalog's audit history, load
state, load log and contact ledger, and records a tombstone (the SHA-256 of
the email, not the email) so that later runs drop the person's rows as they
arrive. It prints what it removed.

The CRM is not changed: delete the contact in HubSpot (GDPR delete) as well.
The account's own Zoom users and CRM users, and webinar hosts, are not
people forget erases.`,
		Flags:  forgetFlags,
		Action: forget,
	}
}

func forget(c *cli.Context) error {
	if c.NArg() != 0 {
		return usageError{fmt.Errorf("forget takes no arguments (got %d): use --email", c.NArg())}
	}
	cfg, err := configFromEnv(c)
	if err != nil {
		return err
	}
	rep, err := pipelines.Forget(c.Context, cfg, c.StringSlice("email"))
	if rep != nil {
		files := make([]string, 0, len(rep.Files))
		for f := range rep.Files {
			files = append(files, f)
		}
		slices.Sort(files)
		for _, f := range files {
			fmt.Fprintf(c.App.Writer, "  %s: %d rows removed\n", f, rep.Files[f])
		}
		fmt.Fprintf(c.App.Writer, "forget: %d emails, %d rows removed from %d files, %d catalog rows removed; tombstones recorded\n",
			rep.Emails, rep.Rows, len(rep.Files), rep.Catalog)
	}
	return err
}
