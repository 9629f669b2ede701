package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/internal/output"
	"github.com/zoomsync/zoomsync/load"
	"github.com/zoomsync/zoomsync/pipelines"
)

// dryRunFlags are --dry-run, --diff and --diff-format of the commands that
// load (sync, backfill, load).
func dryRunFlags(usage string) []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "dry-run", Usage: usage},
		&cli.StringFlag{Name: "diff", Usage: "with --dry-run: write what would be sent, per object (created; updated, with the CRM's old → new values of contacts; skipped, with the reason) to this file, - for standard output"},
		&cli.StringFlag{Name: "diff-format", Usage: "format of --diff: table, csv or json (default: from the file's extension, else table)"},
	}
}

// diffOut is where --diff writes the dry run's diff.
type diffOut struct {
	path   string
	format output.Format
	diff   pipelines.Diff
}

// diffOption reads --diff and --diff-format; nil without --diff.
func diffOption(c *cli.Context) (*diffOut, error) {
	path := c.String("diff")
	if path == "" {
		if c.IsSet("diff-format") {
			return nil, usageError{fmt.Errorf("--diff-format needs --diff FILE")}
		}
		return nil, nil
	}
	if !c.Bool("dry-run") {
		return nil, usageError{fmt.Errorf("--diff needs --dry-run: a real run's outcomes are in the load_log table")}
	}
	d := &diffOut{path: path, format: output.FormatTable}
	if f, ok := output.FormatOf(path); ok {
		d.format = f
	}
	if v := c.String("diff-format"); v != "" {
		f, err := output.ParseFormat(v)
		if err != nil {
			return nil, usageError{fmt.Errorf("--diff-format: %w", err)}
		}
		d.format = f
	}
	if d.format.Binary() {
		return nil, usageError{fmt.Errorf("--diff: format %s: want table, csv or json", d.format)}
	}
	return d, nil
}

// hook is SyncOptions.Diff: nil without --diff.
func (d *diffOut) hook() func(load.DiffRow) {
	if d == nil {
		return nil
	}
	return d.diff.Add
}

// write writes the diff once the run ended.
func (d *diffOut) write(c *cli.Context, cfg *pipelines.Config) error {
	if d == nil {
		return nil
	}
	rows, err := d.diff.Rows(c.Context, cfg)
	if err != nil {
		return err
	}
	if d.path == "-" {
		_, err := output.WriteValues(c.App.Writer, pipelines.DiffColumns, rows, d.format)
		return err
	}
	return lakefile.WriteAtomic(d.path, func(w io.Writer) error {
		_, err := output.WriteValues(w, pipelines.DiffColumns, rows, d.format)
		return err
	})
}

// dryRunWriter writes "DRY RUN " at the start of every line (after its
// indentation), so that no line of a dry run's summary reads as a real
// run's.
type dryRunWriter struct {
	w   io.Writer
	mid bool // within a line
}

func (d *dryRunWriter) Write(p []byte) (int, error) {
	var out bytes.Buffer
	for rest := p; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		rest = rest[len(line):]
		if !d.mid {
			body := bytes.TrimLeft(line, " ")
			out.Write(line[:len(line)-len(body)])
			out.WriteString("DRY RUN ")
			line = body
		}
		out.Write(line)
		if len(line) > 0 {
			d.mid = line[len(line)-1] != '\n'
		}
	}
	if _, err := d.w.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}
