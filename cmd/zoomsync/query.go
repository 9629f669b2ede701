package main

import (
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/internal/output"
	"github.com/zoomsync/zoomsync/pipelines"
	"github.com/zoomsync/zoomsync/schema"
)

func queryCommand() *cli.Command {
	return &cli.Command{
		Name:      "query",
		Usage:     "run a read-only SQL query over the lake",
		ArgsUsage: `"SQL" | - | --file FILE.sql`,
		Description: `query opens zoomsync.duckdb read-only, so a segment query can never change
state, and writes the rows in the chosen format. The documented views (see
the README, "Segment queries"): contacts, registrations, attendance, webinars,
instances and audit. Also: raw_<stream> (every raw row of every run), the
de-duplicated staging views stg_*, and the tables runs, load_state and
load_log.

Formats: table (default), csv, json (one object per line, keys in column
order), parquet (one file) and arrow (an Arrow IPC stream, for pyarrow and
polars). Without --format, the format comes from the extension of --out
(.csv, .json, .parquet, .arrow), else table. Binary formats are not written
to a terminal: use --out or a pipe. With --out the file is written under a
temporary name and renamed when complete. The SQL is the argument, or the
text of --file FILE, or standard input when the argument is -. One
statement only: a text with several is refused.

Examples:
  zoomsync query "SELECT email, zoom_total_webinars_attended FROM contacts
                  WHERE zoom_average_webinar_attendance_percent >= 75"
  zoomsync query --out engaged.parquet "SELECT * FROM attendance"
  zoomsync query -f no_shows.sql --out no_shows.csv
  echo "SELECT count(*) FROM contacts" | zoomsync query -
  zoomsync query --format arrow "SELECT * FROM contacts" | python -c \
    'import pyarrow as pa,sys; print(pa.ipc.open_stream(sys.stdin.buffer).read_all())'`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "table", Usage: "table, csv, json (one JSON object per line), parquet or arrow (IPC stream); default: from the extension of --out, else table"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write to this file (atomically) instead of standard output"},
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "read the SQL from this file"},
		},
		Action: func(c *cli.Context) error {
			query, err := queryText(c)
			if err != nil {
				return err
			}
			format, err := queryFormat(c)
			if err != nil {
				return err
			}
			out := c.String("out")
			if out == "" && format.Binary() && isTerminal(c.App.Writer) {
				return usageError{fmt.Errorf("--format %s writes binary data: not to a terminal; use --out FILE or a pipe", format)}
			}
			sess, err := pipelines.OpenSQLSession(c.Context, schema.Lake{Dir: c.String("data-dir")})
			if err != nil {
				return err
			}
			defer sess.Close()
			if out != "" {
				_, err = sess.QueryToFile(c.Context, query, format, out)
				return err
			}
			_, err = sess.Query(c.Context, query, format, c.App.Writer)
			return err
		},
	}
}

// queryText is the SQL of query: its argument, the text of --file, or
// standard input for the argument -.
func queryText(c *cli.Context) (string, error) {
	if path := c.String("file"); path != "" {
		if c.NArg() != 0 {
			return "", usageError{fmt.Errorf("query takes the SQL from --file or from its argument, not both")}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("--file: %w", err)
		}
		return string(b), nil
	}
	if c.NArg() != 1 {
		return "", usageError{fmt.Errorf("query takes one argument, the SQL text, - for standard input, or --file FILE (got %d arguments)", c.NArg())}
	}
	if c.Args().First() != "-" {
		return c.Args().First(), nil
	}
	b, err := io.ReadAll(c.App.Reader)
	if err != nil {
		return "", fmt.Errorf("reading the SQL from standard input: %w", err)
	}
	return string(b), nil
}

// queryFormat is --format, or the format the extension of --out names.
func queryFormat(c *cli.Context) (output.Format, error) {
	if !c.IsSet("format") {
		if f, ok := output.FormatOf(c.String("out")); ok {
			return f, nil
		}
	}
	f, err := output.ParseFormat(c.String("format"))
	if err != nil {
		return "", usageError{fmt.Errorf("--format: %w", err)}
	}
	return f, nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
