package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
	"github.com/zoomsync/zoomsync/schema"
)

func segmentsCommand() *cli.Command {
	return &cli.Command{
		Name:  "segments",
		Usage: "run the named segment queries of zoomsync.yaml and write each to CSV or Parquet",
		Description: `segments reads the segments: list of zoomsync.yaml (see
zoomsync.example.yaml), checks every segment (name, sql, format csv or
parquet, out) and prepares every query before it runs any, then runs each on
zoomsync.duckdb opened read-only and writes its rows to its out file under a
temporary name, renamed when complete. It prints one line per segment: name,
rows and file. Relative out paths are relative to the folder of
zoomsync.yaml.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Value: "zoomsync.yaml", EnvVars: []string{"ZOOMSYNC_CONFIG"}, Usage: "the YAML file with the segments: list (default: the global --config)"},
			&cli.StringSliceFlag{Name: "only", Usage: "run only the segment of this name (repeat for more)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usageError{fmt.Errorf("segments takes no arguments (got %d); select segments with --only NAME", c.NArg())}
			}
			path := configPath(c)
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("reading config: %w", err)
			}
			fc, err := pipelines.ParseFileConfig(path, data)
			if err != nil {
				return err
			}
			segs, err := fc.Select(c.StringSlice("only"))
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			sess, err := pipelines.OpenSQLSession(c.Context, schema.Lake{Dir: c.String("data-dir")})
			if err != nil {
				return err
			}
			defer sess.Close()
			w := c.App.Writer
			_, err = pipelines.RunSegments(c.Context, sess, segs, func(r pipelines.SegmentResult) {
				fmt.Fprintf(w, "segment %s: %d rows → %s (%s, %s)\n", r.Name, r.Rows, r.Out, r.Format, r.Duration.Round(1e6))
			})
			return err
		},
	}
}

// configPath is the --config that applies: the segments command's own when
// set, else the global one (zoomsync --config FILE segments), else the
// default. The command's flag of the same name would otherwise hide the
// global one.
func configPath(c *cli.Context) string {
	for _, ctx := range c.Lineage() {
		if ctx.IsSet("config") {
			return ctx.String("config")
		}
	}
	return c.String("config")
}
