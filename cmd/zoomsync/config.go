package main

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/goccy/go-yaml"
	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
)

func configCommand() *cli.Command {
	return &cli.Command{
		Name:  "config",
		Usage: "show the effective configuration",
		Subcommands: []*cli.Command{{
			Name:        "show",
			Usage:       "print every setting with its value and where it comes from (flag, environment, zoomsync.yaml, default)",
			Description: `Secrets are shown as [set] or [not set], never their value.`,
			Flags:       apiFlags(),
			Action:      configShow,
		}},
	}
}

// configShow prints one row per setting: name, value and source.
func configShow(c *cli.Context) error {
	cfg, err := configFromEnv(c)
	if err != nil {
		return err
	}
	fc, path, err := loadFileConfig(c)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tVALUE\tSOURCE")
	row := func(name, value, source string) { fmt.Fprintf(tw, "%s\t%s\t%s\n", name, value, source) }
	showEnvSettings(c, cfg, path, row)
	z := &pipelines.ZoomSettings{}
	if fc != nil {
		z = &fc.Zoom
	}
	showZoomSettings(z, path, row)
	if fc != nil {
		for _, sg := range fc.Segments {
			row("segments."+sg.Name, string(sg.Format)+" → "+sg.Out, path)
		}
	}
	return tw.Flush()
}

// showEnvSettings prints the settings that come from flags and the
// environment; path is the configuration file read ("" when none).
func showEnvSettings(c *cli.Context, cfg *pipelines.Config, path string, row func(name, value, source string)) {
	flagSource := func(flag, env string) string {
		switch {
		case env != "" && os.Getenv(env) != "":
			return "env " + env
		case c.IsSet(flag):
			return "flag --" + flag
		}
		return "default"
	}
	envRow := func(name, env, value, def string) {
		if os.Getenv(env) != "" {
			row(name, value, "env "+env)
		} else {
			row(name, def, "default")
		}
	}
	secretRow := func(name, env string) {
		switch {
		case os.Getenv(env+"_FILE") != "":
			row(name, "[set]", "file "+env+"_FILE")
		case os.Getenv(env) != "":
			row(name, "[set]", "env "+env)
		default:
			row(name, "[not set]", "-")
		}
	}
	row("data_dir", cfg.DataDir, flagSource("data-dir", "ZOOMSYNC_DATA_DIR"))
	if path != "" {
		row("config", path, flagSource("config", "ZOOMSYNC_CONFIG"))
	} else {
		row("config", c.String("config")+" (absent: built-in defaults)", flagSource("config", "ZOOMSYNC_CONFIG"))
	}
	envRow("zoom.api_url", "ZOOM_API_URL", cfg.Zoom.APIURL, pipelines.DefaultZoomAPIURL)
	envRow("zoom.oauth_url", "ZOOM_OAUTH_URL", cfg.Zoom.OAuthURL, pipelines.DefaultZoomOAuthURL)
	envRow("zoom.account_id", "ZOOM_ACCOUNT_ID", cfg.Zoom.AccountID, "[not set]")
	envRow("zoom.client_id", "ZOOM_CLIENT_ID", cfg.Zoom.ClientID, "[not set]")
	secretRow("zoom.client_secret", "ZOOM_CLIENT_SECRET")
	row("zoom.plan", cfg.Zoom.Plan, flagSource("zoom-plan", "ZOOM_PLAN"))
	envRow("hubspot.api_url", "HUBSPOT_API_URL", cfg.HubSpot.APIURL, pipelines.DefaultHubSpotAPIURL)
	secretRow("hubspot.token", "HUBSPOT_TOKEN")
	row("hubspot.tier", cfg.HubSpot.Tier, flagSource("hubspot-tier", "HUBSPOT_TIER"))
	row("concurrency", strconv.Itoa(c.Int("concurrency")), flagSource("concurrency", "ZOOMSYNC_CONCURRENCY"))
}

// showZoomSettings prints the zoom: settings of the configuration file at
// path ("" when none), each with the file as source when the file sets it.
func showZoomSettings(z *pipelines.ZoomSettings, path string, row func(name, value, source string)) {
	var inFile map[string]any
	if path != "" {
		data, _ := os.ReadFile(path)
		yaml.Unmarshal(data, &inFile) //nolint:errcheck // the file parsed already; absent keys read as defaults
	}
	zoomFile, _ := inFile["zoom"].(map[string]any)
	fromFile := func(keys ...string) string {
		var m any = zoomFile
		for _, k := range keys {
			mm, ok := m.(map[string]any)
			if !ok {
				return "default"
			}
			if m, ok = mm[k]; !ok {
				return "default"
			}
		}
		return path
	}
	hosts := "all"
	switch z.Hosts.Mode {
	case "none":
		hosts = "none"
	case "list":
		hosts = strings.Join(z.Hosts.List, ", ")
	}
	row("zoom.hosts", hosts, fromFile("hosts"))
	row("zoom.defaults.sync_new_webinars", boolOr(z.Defaults.SyncNewWebinars, true), fromFile("defaults", "sync_new_webinars"))
	row("zoom.defaults.sync_recordings", boolOr(z.Defaults.SyncRecordings, true), fromFile("defaults", "sync_recordings"))
	for _, k := range slices.Sorted(maps.Keys(z.HostSettings)) {
		hs := z.HostSettings[k]
		if hs.SyncNewWebinars != nil {
			row("zoom.host_settings."+k+".sync_new_webinars", strconv.FormatBool(*hs.SyncNewWebinars), path)
		}
		if hs.SyncRecordings != nil {
			row("zoom.host_settings."+k+".sync_recordings", strconv.FormatBool(*hs.SyncRecordings), path)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(z.Webinars)) {
		on := "off"
		if z.Webinars[k] {
			on = "on"
		}
		row("zoom.webinars."+pipelines.NormalizeWebinarID(k), on, path)
	}
	row("zoom.excluded_host_domains", strings.Join(z.ExcludedHostDomains, ", "), fromFile("excluded_host_domains"))
	row("zoom.lookback_days", strconv.Itoa(int(z.Lookback().Hours()/24)), fromFile("lookback_days"))
}

func boolOr(b *bool, def bool) string {
	if b == nil {
		return strconv.FormatBool(def)
	}
	return strconv.FormatBool(*b)
}
