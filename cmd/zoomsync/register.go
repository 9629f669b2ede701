package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
)

func registerCommand() *cli.Command {
	return &cli.Command{
		Name:        "register",
		Usage:       "register contacts for a Zoom webinar (first name, last name and email only)",
		UsageText:   "zoomsync register [--webinar ID] (--email E [--first-name F --last-name L] | --csv FILE | --sql SQL) [--format table|csv|json]",
		Description: registerDescription,
		Flags:       registerFlags(),
		Action:      registerAction,
	}
}

const registerDescription = `register adds people as registrants of webinars of the configured Zoom
account, like HubSpot's "add contact to Zoom webinar" workflow action. It sends
first name, last name and email, nothing else.

People come from one --email, from --csv FILE (a header row with email,
first_name, last_name and an optional webinar_id; other columns are ignored),
or from --sql, a query run read-only over the lake that returns the columns
email, first_name, last_name and optionally webinar_id. Emails are trimmed and
lower-cased; duplicates are registered once per webinar.

A row's webinar_id (spaces and dashes allowed: "812 3456 7890",
"812-3456-7890") says which webinar that person registers for, as the
integration's workflow action takes the webinar id from a contact property;
rows without one use --webinar, which --email needs. People are grouped per
webinar, and every check below is made per webinar. A webinar_id that is not
one, or a row with none and no --webinar, stops the command before anything
is sent.

Before sending anything, register reads the webinar, the account's users, the
registration form and the current registrants. It refuses everyone, naming
the reason, when the webinar is unknown or expired, belongs to another Zoom
account, takes no registration, or its form requires a field other than
first name, last name and email or a custom question (the fields are named).
Per person it refuses an invalid email, the webinar's host ("webinar host
cannot register"), and a denied registrant; people already registered
(approved or pending) are reported and not sent again, so a rerun is safe.

Each person is printed with the webinar and the outcome: registered, pending
approval (the webinar approves manually), already registered, or refused, and
the reason; then one summary line per webinar.
Exit code 0 when every person was registered, pending or already
registered; 1 otherwise (or when the run failed); 2 for a usage error.

Examples:
  zoomsync register --webinar "862 1234 5678" --email ada@example.com \
      --first-name Ada --last-name Lovelace
  zoomsync register --webinar 86212345678 --csv people.csv --format csv
  zoomsync register --webinar 862-1234-5678 --sql "SELECT email, first_name,
      last_name FROM contacts WHERE zoom_total_webinars_attended >= 3"
  zoomsync register --csv people.csv     # rows with a webinar_id column`

func registerFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "webinar", Aliases: []string{"w"}, Usage: "webinar id (spaces and dashes are ignored); with --csv or --sql, for the rows without a webinar_id"},
		&cli.StringFlag{Name: "email", Usage: "register one person with this email"},
		&cli.StringFlag{Name: "first-name", Usage: "first name of --email (Zoom requires one)"},
		&cli.StringFlag{Name: "last-name", Usage: "last name of --email"},
		&cli.StringFlag{Name: "csv", Usage: "register the people of this CSV file (header: email, first_name, last_name, optional webinar_id); - reads standard input"},
		&cli.StringFlag{Name: "sql", Usage: "register the people this read-only query over the lake returns (columns email, first_name, last_name, optional webinar_id)"},
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table, csv or json (one JSON object per line)"},
		&cli.StringFlag{Name: "zoom-plan", Value: "pro", EnvVars: []string{"ZOOM_PLAN"}, Usage: "Zoom plan whose rate limits to keep under: pro, business or free"},
		&cli.IntFlag{Name: "concurrency", Value: 4, EnvVars: []string{"ZOOMSYNC_CONCURRENCY"}, Usage: "registrations in flight at once (the rate limits still bound the request rate)"},
	}
}

// registerAction registers the people of --email, --csv or --sql, prints
// one line per person and a summary, and exits 1 when anyone is refused.
func registerAction(c *cli.Context) error {
	format, err := checkRegisterFlags(c)
	if err != nil {
		return err
	}
	cfg, err := configFromEnv(c)
	if err != nil {
		return err
	}
	people, err := registerPeople(c, cfg)
	if err != nil {
		return err
	}
	p := registerProgress(cfg)
	results, err := pipelines.RegisterAll(c.Context, cfg, pipelines.RegisterOptions{Webinar: c.String("webinar"), People: people,
		Progress: func(done, total int) { p.Set("registrations", done, total) }})
	p.Close()
	var outcomes []pipelines.RegisterOutcome
	for _, res := range results {
		outcomes = append(outcomes, res.People...)
	}
	if len(results) > 0 {
		if werr := writeOutcomes(c.App.Writer, outcomes, format); werr != nil && err == nil {
			err = werr
		}
	}
	refused := 0
	for _, res := range results {
		printRegisterSummary(c.App.ErrWriter, res)
		refused += countRefused(res)
	}
	if err != nil {
		return err
	}
	if refused > 0 {
		// main prefixes "zoomsync: ".
		return cli.Exit(fmt.Sprintf("not every person is registered (%d refused)", refused), 1)
	}
	return nil
}

// checkRegisterFlags returns the output format, or a usage error.
func checkRegisterFlags(c *cli.Context) (format string, err error) {
	if c.NArg() > 0 {
		return "", usageError{fmt.Errorf("register takes no arguments (got %q); use --email, --csv or --sql", c.Args().Slice())}
	}
	if strings.TrimSpace(c.String("webinar")) == "" {
		if c.IsSet("email") || (!c.IsSet("csv") && !c.IsSet("sql")) {
			return "", usageError{errors.New("register needs --webinar ID (with --csv or --sql, rows may name theirs in a webinar_id column)")}
		}
	} else if _, err := pipelines.ParseWebinarID(c.String("webinar")); err != nil {
		return "", usageError{fmt.Errorf("--webinar: %w", err)}
	}
	format = c.String("format")
	if format != "table" && format != "csv" && format != "json" {
		return "", usageError{fmt.Errorf("--format %q: want table, csv or json", format)}
	}
	sources := 0
	for _, f := range []string{"email", "csv", "sql"} {
		if c.IsSet(f) {
			sources++
		}
	}
	if sources != 1 {
		return "", usageError{errors.New("register needs exactly one of --email, --csv or --sql")}
	}
	if !c.IsSet("email") && (c.IsSet("first-name") || c.IsSet("last-name")) {
		return "", usageError{errors.New("--first-name and --last-name go with --email")}
	}
	return format, nil
}

// registerPeople reads the people of --email, --csv or --sql.
func registerPeople(c *cli.Context, cfg *pipelines.Config) ([]pipelines.Person, error) {
	switch {
	case c.IsSet("email"):
		return []pipelines.Person{{Email: c.String("email"), FirstName: c.String("first-name"), LastName: c.String("last-name")}}, nil
	case c.IsSet("csv"):
		var r io.Reader = os.Stdin
		if path := c.String("csv"); path != "-" {
			f, err := os.Open(path)
			if err != nil {
				return nil, fmt.Errorf("--csv: %w", err)
			}
			defer f.Close()
			r = f
		}
		people, err := pipelines.ReadPeopleCSV(r)
		if err != nil {
			return nil, fmt.Errorf("--csv %s: %w", c.String("csv"), err)
		}
		return people, nil
	}
	return pipelines.PeopleFromSQL(c.Context, cfg, c.String("sql"))
}

func countRefused(res *pipelines.RegisterResult) int {
	n := 0
	for _, p := range res.People {
		if !p.OK() {
			n++
		}
	}
	return n
}

func printRegisterSummary(w io.Writer, res *pipelines.RegisterResult) {
	if w == nil {
		w = os.Stderr
	}
	counts := map[string]int{}
	for _, p := range res.People {
		counts[p.Outcome]++
	}
	fmt.Fprintf(w, "webinar %d %q: %s: %d registered, %d pending approval, %d already registered, %d refused; %s sent\n",
		res.WebinarID, res.Topic, plural(len(res.People), "person", "people"), counts[pipelines.OutcomeRegistered], counts[pipelines.OutcomePending],
		counts[pipelines.OutcomeAlreadyRegistered], counts[pipelines.OutcomeRefused], plural(res.Sent, "registration request", "registration requests"))
}

// plural is n with the singular or plural noun: "1 person", "2 people".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// writeOutcomes prints one line per person: webinar, email, names,
// outcome, reason.
func writeOutcomes(w io.Writer, people []pipelines.RegisterOutcome, format string) error {
	header := []string{"webinar_id", "email", "first_name", "last_name", "outcome", "reason"}
	row := func(p pipelines.RegisterOutcome) []string {
		return []string{strconv.FormatInt(p.WebinarID, 10), p.Email, p.FirstName, p.LastName, p.Outcome, p.Reason}
	}
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(header) //nolint:errcheck // Flush reports it
		for _, p := range people {
			cw.Write(row(p)) //nolint:errcheck
		}
		cw.Flush()
		return cw.Error()
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, p := range people {
			if err := enc.Encode(p); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(header, "\t")))
	for _, p := range people {
		fmt.Fprintln(tw, strings.Join(row(p), "\t"))
	}
	return tw.Flush()
}
