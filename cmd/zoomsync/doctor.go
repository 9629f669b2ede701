package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
)

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check the configuration, both credentials and their scopes, connectivity, rate-limit headroom and the lake",
		Description: `doctor checks, in order: the configuration (flags, environment,
zoomsync.yaml); the Zoom app (a token fetch, the scopes each enabled feature
needs, one API call, the daily quota left); the HubSpot token (the portal it
writes to, its scopes, the quota left); the lake (the lock, the manifest,
temporary files an interrupted run left). Each problem is printed with its
fix. It spends two calls of each API (a failed call is retried once).

sync runs the cheap part first (the configuration and one call per
credential) and stops with the same messages before it fetches anything.

Exit code 0 when no check failed (warnings allowed), 1 otherwise.`,
		Flags:  apiFlags(),
		Action: doctor,
	}
}

var checkMarks = map[pipelines.CheckStatus]string{pipelines.CheckOK: "ok", pipelines.CheckWarn: "WARN", pipelines.CheckFail: "FAIL"}

func doctor(c *cli.Context) error {
	if c.NArg() != 0 {
		return usageError{fmt.Errorf("doctor takes no arguments (got %d)", c.NArg())}
	}
	cfg, err := buildConfig(c)
	if err != nil {
		return err
	}
	var results []pipelines.CheckResult
	if err := applyFileConfig(c, cfg); err != nil {
		results = append(results, pipelines.CheckResult{Name: "config", Status: pipelines.CheckFail, Detail: err.Error(),
			Fix: "correct zoomsync.yaml (zoomsync config validate; keys: zoomsync config reference)"})
	}
	results = append(results, pipelines.Doctor(c.Context, cfg)...)
	tw := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
	fails := 0
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", checkMarks[r.Status], r.Name, r.Detail)
		if r.Fix != "" {
			fmt.Fprintf(tw, "\t\tfix: %s\n", r.Fix)
		}
		if r.Status == pipelines.CheckFail {
			fails++
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if fails > 0 {
		return cli.Exit(fmt.Sprintf("doctor: %d checks failed", fails), 1)
	}
	return nil
}
