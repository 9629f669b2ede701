package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
	"github.com/zoomsync/zoomsync/transform"
)

func newApp() *cli.App {
	app := &cli.App{
		Name:  "zoomsync",
		Usage: "move Zoom webinar activity into HubSpot through a Parquet lake",
		Description: `zoomsync extracts webinars, registrants and attendees from the Zoom API into
a Parquet lake, applies the sync rules with DuckDB SQL, and batch-upserts
contacts and their webinar properties into HubSpot.

Credentials come from the environment only: ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID,
ZOOM_CLIENT_SECRET (or ZOOM_CLIENT_SECRET_FILE), HUBSPOT_TOKEN (or
HUBSPOT_TOKEN_FILE). Endpoints: ZOOM_API_URL, ZOOM_OAUTH_URL, HUBSPOT_API_URL.
Every setting: zoomsync config reference (docs/configuration.md).

Exit codes: 0 ok, 1 a failed or partial run, 2 a usage or configuration
error, 130/143 interrupted (SIGINT/SIGTERM).`,
		Version: version,
		Flags:   settingFlags(scopeGlobal),
		Commands: []*cli.Command{
			syncCommand(), backfillCommand(), extractCommand(), transformCommand(), loadCommand(), configCommand(), doctorCommand(),
			queryCommand(), auditCommand(), segmentsCommand(), registerCommand(), lakeCommand(), demoCommand(), simCommand(), forgetCommand(),
			versionCommand(), reportCommand(), completionCommand(),
		},
		ExitErrHandler:       func(*cli.Context, error) {}, // main prints the error and picks the exit code
		EnableBashCompletion: true,                         // --generate-bash-completion, for zoomsync completion
	}
	strictUsage(app)
	return app
}

// usageError marks an error of the command line itself (exit code 2).
type usageError struct{ error }

// hinted is an error that knows the hint to print under it.
type hinted struct {
	error
	hint string
}

func (h hinted) Unwrap() error { return h.error }

func (u usageError) Unwrap() error { return u.error }

// exitCode is the process's exit code for the error a command returned:
// 2 for a usage or configuration error, an ExitCoder's own code, else 1.
func exitCode(err error) int {
	if isUsage(err) || errors.Is(err, pipelines.ErrOtherAccount) || errors.Is(err, pipelines.ErrInvalidConfig) {
		return 2 // a usage or configuration error
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 1
}

// isUsage reports whether err is an error of the command line: a
// usageError, or urfave/cli's answer to `help` with an unknown topic.
func isUsage(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	var ec cli.ExitCoder
	return errors.As(err, &ec) && strings.HasPrefix(ec.Error(), "No help topic for")
}

// strictUsage makes every usage error of app's command line (an unknown
// command or flag, a missing required flag, a value that does not parse) a
// usageError, reported on one line with a hint by main instead of the help
// text, and flags marked Required checked by zoomsync itself.
func strictUsage(app *cli.App) {
	onUsage := func(c *cli.Context, err error, _ bool) error {
		path := "zoomsync"
		if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
			path += " " + c.Command.FullName()
		}
		return usageError{hinted{err, "Run '" + path + " --help' for usage."}}
	}
	app.OnUsageError = onUsage
	app.Action = unknownCommand
	var walk func(cmds []*cli.Command, prefix string)
	walk = func(cmds []*cli.Command, prefix string) {
		for _, cmd := range cmds {
			cmd.OnUsageError = onUsage
			if len(cmd.Subcommands) > 0 && cmd.Action == nil {
				cmd.Action = unknownCommand
			}
			path := strings.TrimSpace(prefix + " " + cmd.Name)
			if req := takeRequired(cmd); len(req) > 0 {
				app.Metadata[requiredKey+path] = req
				before := cmd.Before
				cmd.Before = func(c *cli.Context) error {
					for _, name := range req {
						if !c.IsSet(name) {
							return usageError{fmt.Errorf("%s: --%s is required", c.Command.FullName(), name)}
						}
					}
					if before != nil {
						return before(c)
					}
					return nil
				}
			}
			walk(cmd.Subcommands, path)
		}
	}
	app.Metadata = map[string]any{}
	walk(app.Commands, "")
}

// requiredKey prefixes the app's Metadata entry of a command's required
// flags ([]string), keyed by the command's path ("backfill", "lake verify").
const requiredKey = "required flags of "

// takeRequired replaces, in cmd.Flags, each flag marked Required by a
// copy that is not (urfave/cli prints the whole help text to standard
// output when one is missing), and returns their names, for strictUsage to
// check. The flags themselves are left alone: some are shared variables.
func takeRequired(cmd *cli.Command) []string {
	var names []string
	flags := slices.Clone(cmd.Flags)
	for i, f := range flags {
		rf, ok := f.(cli.RequiredFlag)
		v := reflect.ValueOf(f)
		if !ok || !rf.IsRequired() || v.Kind() != reflect.Pointer {
			continue
		}
		c := reflect.New(v.Elem().Type())
		c.Elem().Set(v.Elem())
		if field := c.Elem().FieldByName("Required"); field.IsValid() && field.Kind() == reflect.Bool {
			field.SetBool(false)
			flags[i] = c.Interface().(cli.Flag)
			names = append(names, f.Names()[0])
		}
	}
	cmd.Flags = flags
	return names
}

// unknownCommand is the action of the app and of every command that only
// groups subcommands: without arguments it prints the help; with one, the
// argument names no command.
func unknownCommand(c *cli.Context) error {
	if !c.Args().Present() {
		return cli.ShowSubcommandHelp(c)
	}
	name := c.Args().First()
	var known []string
	cmds := c.App.Commands
	if c.Command != nil && len(c.Command.Subcommands) > 0 {
		cmds = c.Command.Subcommands
	}
	for _, cmd := range cmds {
		if !cmd.Hidden && cmd.Name != "help" {
			known = append(known, cmd.Name)
		}
	}
	msg := fmt.Errorf("unknown command %q (commands: %s)", name, strings.Join(known, ", "))
	if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
		msg = fmt.Errorf("%s: %w", c.Command.FullName(), msg)
	}
	return usageError{msg}
}

// usageHint is the line printed under a usage error: where the help of the
// command the arguments name is (the command that refused them, when it
// said).
func usageHint(app *cli.App, args []string, err error) string {
	var h hinted
	if errors.As(err, &h) {
		return h.hint
	}
	path := []string{"zoomsync"}
	cmds := app.Commands
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		var found *cli.Command
		for _, cmd := range cmds {
			if cmd.HasName(a) {
				found = cmd
			}
		}
		if found == nil {
			continue // a flag's value
		}
		path = append(path, found.Name)
		cmds = found.Subcommands
	}
	return "Run '" + strings.Join(path, " ") + " --help' for usage."
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

// configFromEnv builds the job configuration from flags, the environment
// and zoomsync.yaml, and validates it: a value that cannot work is an error
// (exit code 2) before anything runs.
func configFromEnv(c *cli.Context) (*pipelines.Config, error) {
	cfg, err := buildConfig(c)
	if err != nil {
		return nil, err
	}
	if err := applyFileConfig(c, cfg); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// applyFileConfig reads zoomsync.yaml into cfg (nothing when the default
// file is absent).
func applyFileConfig(c *cli.Context, cfg *pipelines.Config) error {
	fc, _, err := loadFileConfig(c)
	if err != nil {
		return fmt.Errorf("%w: %w", pipelines.ErrInvalidConfig, err)
	}
	if fc != nil {
		cfg.Settings, cfg.CRM = &fc.Zoom, &fc.HubSpot
	}
	return nil
}

// buildConfig builds the job configuration from flags and the environment,
// without validating it. Secrets are read here and nowhere else.
func buildConfig(c *cli.Context) (*pipelines.Config, error) {
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
		if cfg.Concurrency = c.Int("concurrency"); cfg.Concurrency < 1 {
			return nil, usageError{fmt.Errorf("--concurrency %d: want 1 or more (webinars fetched at once)", cfg.Concurrency)}
		}
	}
	if v := c.String("memory-limit"); v != "" {
		if cfg.MemoryLimit, err = transform.ParseMemoryLimit(v); err != nil {
			return nil, usageError{fmt.Errorf("--memory-limit %q: %w", v, err)}
		}
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
