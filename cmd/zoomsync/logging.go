package main

import (
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
)

// durationName is the one name of a duration, in seconds: "duration_s",
// or "<what>_duration_s" (elapsed → duration_s, wait → wait_duration_s).
func durationName(key string) string {
	key = strings.TrimSuffix(strings.TrimSuffix(key, "duration"), "_")
	if key == "" || key == "elapsed" {
		return "duration_s"
	}
	return key + "_duration_s"
}

// durationSeconds is the loggers' slog.HandlerOptions.ReplaceAttr: a
// duration attribute is logged in seconds under its durationName, in text
// and JSON alike (slog writes a time.Duration as "1.5s" in text and as
// nanoseconds in JSON).
func durationSeconds(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.Float64(durationName(a.Key), a.Value.Duration().Seconds())
	}
	return a
}

// runConfig is configFromEnv for a command that runs a stage: the run id
// is chosen here, so that every log line of the run carries it (run_id).
func runConfig(c *cli.Context) (*pipelines.Config, error) {
	if _, err := outputJSON(c); err != nil {
		return nil, err
	}
	cfg, err := configFromEnv(c)
	if err != nil {
		return nil, err
	}
	cfg.RunID = pipelines.NewRunID(time.Now())
	cfg.Logger = cfg.Logger.With("run_id", cfg.RunID)
	return cfg, nil
}

// loggedError is an error already written as the run's last log record
// (--log-format json): main does not print it again.
type loggedError struct{ error }

func (e loggedError) Unwrap() error { return e.error }

// logFinalError writes the error that ends a run as a JSON log record,
// with its run id, when the logs are JSON; the text format leaves it to
// main's "zoomsync: ..." line.
func logFinalError(c *cli.Context, cfg *pipelines.Config, err error) error {
	if err == nil || c.String("log-format") != "json" || cfg == nil || cfg.Logger == nil {
		return err
	}
	cfg.Logger.ErrorContext(c.Context, "run failed", "error", err.Error(), "exit_code", exitCode(err))
	return loggedError{err}
}

// printedByLog reports whether err was written as a log record already.
func printedByLog(err error) bool {
	var l loggedError
	return errors.As(err, &l)
}
