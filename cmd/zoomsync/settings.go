package main

import (
	"os"
	"strconv"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/zoomsync/zoomsync/pipelines"
)

// settingScope says where a setting's flag is defined.
type settingScope int

const (
	scopeGlobal settingScope = iota // a flag of the app: zoomsync --data-dir DIR sync
	scopeAPI                        // a flag of the commands that call the APIs (apiFlags)
	scopeEnv                        // an environment variable only
)

// setting is one setting that comes from a flag or the environment. The
// table settings is the one place each is defined: the flags of the app
// and of the API commands, config show, config reference and
// docs/configuration.md are made from it.
type setting struct {
	Key     string // the name config show prints
	Flag    string // the flag's name, without dashes; "" for an environment variable only
	Env     string // the environment variable; "" for a flag only
	Default string // the default as shown; for an int flag, its value
	Doc     string // one line
	Kind    string // "string" (default), "int" or "bool"
	Secret  bool   // a credential: also read from Env+"_FILE"; shown as [set] or [not set]
	Scope   settingScope
	// dynamic, when set, computes the flag's default at start (Default
	// then says in words what it is).
	dynamic func() string
}

var settings = []setting{
	{Key: "data_dir", Flag: "data-dir", Env: "ZOOMSYNC_DATA_DIR", Default: "./zoomsync-data", Scope: scopeGlobal,
		Doc: "the lake: raw/ and out/ Parquet files and zoomsync.duckdb"},
	{Key: "config", Flag: "config", Env: "ZOOMSYNC_CONFIG", Default: "zoomsync.yaml", Scope: scopeGlobal,
		Doc: "sync settings and segments (YAML); when the default file is absent, every webinar of every host syncs"},
	{Key: "log_level", Flag: "log-level", Env: "ZOOMSYNC_LOG_LEVEL", Default: "warn", Scope: scopeGlobal,
		Doc: "debug, info, warn or error (logs go to standard error)"},
	{Key: "log_format", Flag: "log-format", Env: "ZOOMSYNC_LOG_FORMAT", Default: "text", Scope: scopeGlobal,
		Doc: "text or json"},
	{Key: "zoom.api_url", Env: "ZOOM_API_URL", Default: pipelines.DefaultZoomAPIURL, Scope: scopeEnv,
		Doc: "the Zoom API's base URL (a simulator's, in tests)"},
	{Key: "zoom.oauth_url", Env: "ZOOM_OAUTH_URL", Default: pipelines.DefaultZoomOAuthURL, Scope: scopeEnv,
		Doc: "Zoom's OAuth token endpoint"},
	{Key: "zoom.account_id", Env: "ZOOM_ACCOUNT_ID", Scope: scopeEnv,
		Doc: "the Account ID of the Zoom Server-to-Server OAuth app"},
	{Key: "zoom.client_id", Env: "ZOOM_CLIENT_ID", Scope: scopeEnv,
		Doc: "the Client ID of the Zoom Server-to-Server OAuth app"},
	{Key: "zoom.client_secret", Env: "ZOOM_CLIENT_SECRET", Secret: true, Scope: scopeEnv,
		Doc: "the Client secret of the Zoom app (or a file named by ZOOM_CLIENT_SECRET_FILE)"},
	{Key: "zoom.plan", Flag: "zoom-plan", Env: "ZOOM_PLAN", Default: "pro", Scope: scopeAPI,
		Doc: "Zoom plan whose rate limits to keep under: pro, business or free"},
	{Key: "hubspot.api_url", Env: "HUBSPOT_API_URL", Default: pipelines.DefaultHubSpotAPIURL, Scope: scopeEnv,
		Doc: "the HubSpot API's base URL (a simulator's, in tests)"},
	{Key: "hubspot.token", Env: "HUBSPOT_TOKEN", Secret: true, Scope: scopeEnv,
		Doc: "the HubSpot private app's access token (or a file named by HUBSPOT_TOKEN_FILE)"},
	{Key: "hubspot.developer_key", Env: "HUBSPOT_DEVELOPER_KEY", Secret: true, Scope: scopeEnv,
		Doc: "the developer API key that manages the timeline event templates of hubspot.timeline.app_id (or HUBSPOT_DEVELOPER_KEY_FILE)"},
	{Key: "hubspot.app_token", Env: "HUBSPOT_APP_TOKEN", Secret: true, Scope: scopeEnv,
		Doc: "the OAuth access token of that public app, which timeline events are sent with (or HUBSPOT_APP_TOKEN_FILE)"},
	{Key: "hubspot.tier", Flag: "hubspot-tier", Env: "HUBSPOT_TIER", Default: "professional", Scope: scopeAPI,
		Doc: "HubSpot tier whose rate limits to keep under: free, starter, professional or enterprise"},
	{Key: "concurrency", Flag: "concurrency", Env: "ZOOMSYNC_CONCURRENCY", Default: "8", Kind: "int", Scope: scopeAPI,
		Doc: "webinars fetched at once, 1 or more (the rate limits still bound the request rate)"},
	{Key: "memory_limit", Flag: "memory-limit", Env: "ZOOMSYNC_MEMORY_LIMIT", Default: "2 GiB or a quarter of the machine's memory, the lower", Scope: scopeAPI,
		Doc:     "DuckDB's memory limit for the transform (e.g. 2GB); past it DuckDB spills to <data dir>/tmp/duckdb",
		dynamic: func() string { return "" }},
	{Key: "progress", Flag: "progress", Default: "when standard error is a terminal", Kind: "bool", Scope: scopeAPI,
		Doc:     "show progress bars on standard error",
		dynamic: func() string { return strconv.FormatBool(term.IsTerminal(int(os.Stderr.Fd()))) }},
}

// settingFlags builds the urfave/cli flags of the settings of a scope.
func settingFlags(scope settingScope) []cli.Flag {
	var flags []cli.Flag
	for _, s := range settings {
		if s.Scope != scope || s.Flag == "" {
			continue
		}
		var env []string
		if s.Env != "" {
			env = []string{s.Env}
		}
		def := s.Default
		if s.dynamic != nil {
			def = s.dynamic()
		}
		usage, defText := s.Doc, ""
		if s.dynamic != nil {
			defText = s.Default
		}
		switch s.Kind {
		case "int":
			n, _ := strconv.Atoi(def) // TestSettings_table checks every int default
			flags = append(flags, &cli.IntFlag{Name: s.Flag, Value: n, EnvVars: env, Usage: usage, DefaultText: defText})
		case "bool":
			flags = append(flags, &cli.BoolFlag{Name: s.Flag, Value: def == "true", EnvVars: env, Usage: usage, DefaultText: defText})
		default:
			flags = append(flags, &cli.StringFlag{Name: s.Flag, Value: def, EnvVars: env, Usage: usage, DefaultText: defText})
		}
	}
	return flags
}

// settingValue returns a setting's effective value and where it comes from:
// "flag --x" (the command line wins over the environment), "env X",
// "file X_FILE" (secrets), or "default".
func settingValue(c *cli.Context, s setting) (value, source string) {
	env := ""
	if s.Env != "" {
		env = os.Getenv(s.Env)
	}
	if s.Secret {
		switch {
		case os.Getenv(s.Env+"_FILE") != "":
			return "[set]", "file " + s.Env + "_FILE"
		case env != "":
			return "[set]", "env " + s.Env
		}
		return "[not set]", "-"
	}
	if s.Flag == "" {
		if env != "" {
			return env, "env " + s.Env
		}
		return defaultShown(s), "default"
	}
	value = c.String(s.Flag)
	switch s.Kind {
	case "int":
		value = strconv.Itoa(c.Int(s.Flag))
	case "bool":
		value = strconv.FormatBool(c.Bool(s.Flag))
	}
	switch {
	case c.IsSet(s.Flag) && (env == "" || value != env):
		return value, "flag --" + s.Flag
	case env != "":
		return value, "env " + s.Env
	}
	if value == "" {
		value = defaultShown(s)
	}
	return value, "default"
}

func defaultShown(s setting) string {
	if s.Default == "" {
		return "[not set]"
	}
	return s.Default
}
