package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
	"github.com/zoomsync/zoomsync/transform"
)

func newApp() *cli.App {
	return &cli.App{
		Name:  "zoomsync",
		Usage: "move Zoom webinar activity into HubSpot through a Parquet lake",
		Description: `zoomsync extracts webinars, registrants and attendees from the Zoom API into
a Parquet lake, applies the sync rules with DuckDB SQL, and batch-upserts
contacts and their webinar properties into HubSpot.

Credentials come from the environment only: ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID,
ZOOM_CLIENT_SECRET (or ZOOM_CLIENT_SECRET_FILE), HUBSPOT_TOKEN (or
HUBSPOT_TOKEN_FILE). Endpoints: ZOOM_API_URL, ZOOM_OAUTH_URL, HUBSPOT_API_URL.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "data-dir", Value: "./zoomsync-data", EnvVars: []string{"ZOOMSYNC_DATA_DIR"}, Usage: "the lake: raw/ and out/ Parquet files and zoomsync.duckdb"},
			&cli.StringFlag{Name: "log-level", Value: "warn", EnvVars: []string{"ZOOMSYNC_LOG_LEVEL"}, Usage: "debug, info, warn or error (logs go to standard error)"},
			&cli.StringFlag{Name: "log-format", Value: "text", EnvVars: []string{"ZOOMSYNC_LOG_FORMAT"}, Usage: "text or json"},
			&cli.StringFlag{Name: "config", Value: "zoomsync.yaml", EnvVars: []string{"ZOOMSYNC_CONFIG"}, Usage: "sync settings and segments (YAML); when the default file is absent, every webinar of every host syncs"},
		},
		Commands: []*cli.Command{
			syncCommand(), backfillCommand(), extractCommand(), transformCommand(), loadCommand(), configCommand(),
			queryCommand(), auditCommand(), segmentsCommand(), registerCommand(), lakeCommand(), demoCommand(), simCommand(), forgetCommand(),
			reportCommand(), completionCommand(),
		},
		ExitErrHandler:       func(*cli.Context, error) {}, // main prints the error and picks the exit code
		EnableBashCompletion: true,                         // --generate-bash-completion, for zoomsync completion
	}
}

// usageError marks an error of the command line itself (exit code 2).
type usageError struct{ error }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, pipelines.ErrOtherAccount) {
		return 2 // a configuration error: another account than the lake's
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 1
}

func newLogger(c *cli.Context, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		return nil, usageError{fmt.Errorf("--log-level %q: want debug, info, warn or error", c.String("log-level"))}
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: durationSeconds}
	switch c.String("log-format") {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Errorf("--log-format %q: want text or json", c.String("log-format"))}
}

// configFromEnv builds the job configuration from flags and the
// environment. Secrets are read here and nowhere else.
func configFromEnv(c *cli.Context) (*pipelines.Config, error) {
	log, err := newLogger(c, os.Stderr)
	if err != nil {
		return nil, err
	}
	secret := func(name string) (pipelines.Secret, error) {
		if path := os.Getenv(name + "_FILE"); path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("reading %s_FILE: %w", name, err)
			}
			return pipelines.Secret(strings.TrimSpace(string(b))), nil
		}
		return pipelines.Secret(os.Getenv(name)), nil
	}
	zs, err := secret("ZOOM_CLIENT_SECRET")
	if err != nil {
		return nil, err
	}
	ht, err := secret("HUBSPOT_TOKEN")
	if err != nil {
		return nil, err
	}
	devKey, err := secret("HUBSPOT_DEVELOPER_KEY")
	if err != nil {
		return nil, err
	}
	appToken, err := secret("HUBSPOT_APP_TOKEN")
	if err != nil {
		return nil, err
	}
	cfg := &pipelines.Config{
		DataDir: c.String("data-dir"),
		Zoom: pipelines.ZoomConfig{
			APIURL: os.Getenv("ZOOM_API_URL"), OAuthURL: os.Getenv("ZOOM_OAUTH_URL"),
			AccountID: os.Getenv("ZOOM_ACCOUNT_ID"), ClientID: os.Getenv("ZOOM_CLIENT_ID"), ClientSecret: zs,
			Plan: c.String("zoom-plan"),
		},
		HubSpot: pipelines.HubSpotConfig{APIURL: os.Getenv("HUBSPOT_API_URL"), Token: ht, Tier: c.String("hubspot-tier"),
			DeveloperKey: devKey, AppToken: appToken},
		Logger: log,
	}
	if c.IsSet("concurrency") {
		cfg.Concurrency = c.Int("concurrency")
	}
	if v := c.String("memory-limit"); v != "" {
		if cfg.MemoryLimit, err = transform.ParseMemoryLimit(v); err != nil {
			return nil, usageError{fmt.Errorf("--memory-limit %q: %w", v, err)}
		}
	}
	fc, _, err := loadFileConfig(c)
	if err != nil {
		return nil, err
	}
	if fc != nil {
		cfg.Settings, cfg.CRM = &fc.Zoom, &fc.HubSpot
	}
	return cfg, nil
}

// loadFileConfig reads zoomsync.yaml. A missing file is no error when
// --config was left at its default: the built-in defaults apply. It returns
// the file's path when one was read.
func loadFileConfig(c *cli.Context) (*pipelines.FileConfig, string, error) {
	path := c.String("config")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !c.IsSet("config") {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("reading config: %w", err)
	}
	fc, err := pipelines.ParseFileConfig(path, data)
	if err != nil {
		return nil, "", err
	}
	return fc, path, nil
}
