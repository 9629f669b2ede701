package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
)

func lakeCommand() *cli.Command {
	return &cli.Command{
		Name:  "lake",
		Usage: "check the lake against its manifest, or rebuild the manifest",
		Subcommands: []*cli.Command{lakeRebuildCommand(), {
			Name:  "verify",
			Usage: "check every raw file the manifest records: present, same size, same checksum",
			Description: `verify reads the lake manifest (the raw files each run committed, with their
size and SHA-256, recorded with the cursors that rely on them) and checks each
file under the data directory's lock. A missing, truncated or corrupt file is
named. With --repair, each bad file is moved aside (renamed *.bad) and the
stages its rows backed are marked lost, so the next sync fetches them again;
until then the transform refuses to run rather than produce lower numbers.
A transform runs the same check first.

Exit code 0 when every file matches (or --repair repaired them), 1 otherwise.`,
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "repair", Usage: "move bad files aside and mark their stages lost, for the next sync to fetch again"},
			},
			Action: lakeVerify,
		}},
	}
}

func lakeVerify(c *cli.Context) error {
	if c.NArg() != 0 {
		return usageError{fmt.Errorf("lake verify takes no arguments (got %d)", c.NArg())}
	}
	cfg, err := configFromEnv(c)
	if err != nil {
		return err
	}
	rep, err := pipelines.VerifyLake(c.Context, cfg, c.Bool("repair"))
	if err != nil {
		return err
	}
	w := c.App.Writer
	fmt.Fprintf(w, "lake %s: %d files in the manifest, %d bad\n", cfg.DataDir, rep.Files, len(rep.Bad))
	for _, b := range rep.Bad {
		fmt.Fprintf(w, "  %s\n", b)
	}
	if rep.Repaired {
		fmt.Fprintf(w, "repaired: the bad files moved aside (*.bad), their stages marked lost\n")
	}
	if len(rep.Lost) > 0 {
		fmt.Fprintf(w, "%d stages lost, fetched again by the next sync: %s\n", len(rep.Lost), strings.Join(rep.Lost, "; "))
	}
	if len(rep.Bad) > 0 && !rep.Repaired {
		return cli.Exit(fmt.Sprintf("%d raw files do not match the manifest (zoomsync lake verify --repair)", len(rep.Bad)), 1)
	}
	return nil
}

func lakeRebuildCommand() *cli.Command {
	return &cli.Command{
		Name:  "rebuild",
		Usage: "rebuild the lake manifest from the raw files on disk (after a lost catalog)",
		Description: `rebuild records every raw part file on disk that the manifest lacks (a lost
or deleted zoomsync.duckdb, or a lake older than the manifest), with its
stream, run, rows, size and SHA-256, so that every later run verifies it
again; a file DuckDB cannot read as Parquet is moved aside (*.bad).

Sync state is not guessed from the rows: a stage wrongly taken for settled
would never be fetched again. The next sync fetches every stage once more
(the Zoom calls of a first run), and the CRM side, written by upserts by
unique keys, creates nothing twice.`,
		Action: lakeRebuild,
	}
}

func lakeRebuild(c *cli.Context) error {
	if c.NArg() != 0 {
		return usageError{fmt.Errorf("lake rebuild takes no arguments (got %d)", c.NArg())}
	}
	cfg, err := configFromEnv(c)
	if err != nil {
		return err
	}
	rep, err := pipelines.RebuildLake(c.Context, cfg)
	if err != nil {
		return err
	}
	w := c.App.Writer
	fmt.Fprintf(w, "lake %s: %d raw files adopted into the manifest (%d rows), %d already in it, %d unreadable moved aside\n",
		cfg.DataDir, rep.Adopted, rep.Rows, rep.Known, len(rep.Unread))
	for _, u := range rep.Unread {
		fmt.Fprintf(w, "  %s (not readable Parquet: moved aside as .bad)\n", u)
	}
	if !rep.Stateful {
		fmt.Fprintln(w, "no sync state: the next sync fetches every stage once more; the CRM writes nothing twice")
	}
	return nil
}
