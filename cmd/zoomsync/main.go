// Command zoomsync moves Zoom webinar activity into HubSpot: extract from
// the Zoom API into a Parquet lake, transform with DuckDB SQL, load by batch
// upsert. Run `zoomsync --help` for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
)

func main() {
	os.Exit(runMain())
}

// runMain is main without os.Exit, so that its deferred calls run. A panic
// becomes a short message and exit code 3, with the stack for a bug report;
// what a run wrote before it stays in the lake (files are renamed only when
// whole), and the data directory's lock goes with the process.
func runMain() (code int) {
	ctx, stop := interruptContext(context.Background())
	defer stop()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "zoomsync: internal error: %v\nPlease report it with this stack:\n%s", r, debug.Stack())
			code = 3
		}
	}()
	app := newApp()
	err := app.RunContext(ctx, os.Args)
	if err == nil {
		return 0
	}
	if s, ok := interruptedBy(ctx); ok {
		fmt.Fprintf(os.Stderr, "zoomsync: interrupted by %s: stopped at a safe point; what was fetched is kept, run again to resume\n", s.name)
		return s.exitCode
	}
	if !printedByLog(err) {
		reportError(os.Stderr, app, os.Args[1:], err)
	}
	return exitCode(err)
}

// reportError prints the error a command returned on standard error; a
// usage error gets one line and a hint where the help is. Under
// --log-format json it is one JSON record instead (error, hint,
// exit_code), whether or not the flags could be parsed.
func reportError(w io.Writer, app *cli.App, args []string, err error) {
	var hint string
	switch {
	case isUsage(err):
		hint = usageHint(app, args, err)
	case errors.Is(err, pipelines.ErrInvalidConfig):
		hint = "Run 'zoomsync config validate' to list the problems, 'zoomsync config reference' for every setting."
	}
	if jsonLogs(args) {
		attrs := []any{"error", err.Error(), "exit_code", exitCode(err)}
		if hint != "" {
			attrs = append(attrs, "hint", hint)
		}
		slog.New(slog.NewJSONHandler(w, nil)).Error("zoomsync failed", attrs...)
		return
	}
	fmt.Fprintln(w, "zoomsync:", err)
	if hint != "" {
		fmt.Fprintln(w, hint)
	}
}

// jsonLogs reports whether the command line, else the environment, asks
// for JSON logs, read from the raw arguments: a usage error can come
// before the flags are parsed.
func jsonLogs(args []string) bool {
	var format setting
	for _, s := range settings {
		if s.Key == "log_format" {
			format = s
		}
	}
	v := os.Getenv(format.Env)
	for i, a := range args {
		if a == "--" {
			break
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != format.Flag {
			continue
		}
		if !hasVal && i+1 < len(args) {
			val = args[i+1]
		}
		v = val
	}
	return v == "json"
}

// interrupt is the cause of a context cancelled by a signal.
type interrupt struct {
	name     string
	exitCode int // 128 + the signal number, as shells report it
}

func (i interrupt) Error() string { return "interrupted by " + i.name }

// interruptContext returns a context cancelled, with an interrupt as its
// cause, by the first SIGINT or SIGTERM. The signal is then let through
// again, so a second one ends the process at once.
func interruptContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-sigs:
			signal.Stop(sigs)
			i := interrupt{name: "SIGINT", exitCode: 130}
			if s == syscall.SIGTERM {
				i = interrupt{name: "SIGTERM", exitCode: 143}
			}
			cancel(i)
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		cancel(context.Canceled)
	}
}

// interruptedBy reports the signal that cancelled ctx, if one did.
func interruptedBy(ctx context.Context) (interrupt, bool) {
	var i interrupt
	ok := errors.As(context.Cause(ctx), &i)
	return i, ok
}

// version is the module version of the build ("(devel)" for a source build).
var version = buildVersion()

func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// buildCommit is the VCS revision the binary was built from, with
// "+modified" when the work tree had changes, or "unknown".
func buildCommit() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, modified := "unknown", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified {
		rev += "+modified"
	}
	return rev
}

// printVersion prints the version, the commit and DuckDB's version: what a
// bug report needs.
func printVersion(w io.Writer) {
	duck, err := pipelines.DuckDBVersion()
	if err != nil {
		duck = "unknown (" + err.Error() + ")"
	}
	fmt.Fprintf(w, "zoomsync %s\ncommit %s\nduckdb %s\n", version, buildCommit(), duck)
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, the commit and the DuckDB version (same as --version)",
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usageError{fmt.Errorf("version takes no arguments (got %d)", c.NArg())}
			}
			printVersion(c.App.Writer)
			return nil
		},
	}
}

func init() {
	cli.VersionPrinter = func(c *cli.Context) { printVersion(c.App.Writer) }
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version, the commit and the DuckDB version"}
}
