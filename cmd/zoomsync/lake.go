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
		Usage: "check the lake against its manifest",
		Subcommands: []*cli.Command{{
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
