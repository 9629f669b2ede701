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
			Action: func(c *cli.Context) error {
				cfg, err := configFromEnv(c)
				if err != nil {
					return err
				}
				fc, path, err := loadFileConfig(c)
				if err != nil {
					return err
				}
				var inFile map[string]any
				if path != "" {
					data, _ := os.ReadFile(path)
					yaml.Unmarshal(data, &inFile)
				}
				tw := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "SETTING\tVALUE\tSOURCE")
				row := func(name, value, source string) { fmt.Fprintf(tw, "%s\t%s\t%s\n", name, value, source) }
				flagSource := func(flag, env string) string {
					switch {
					case env != "" && os.Getenv(env) != "":
						return "env " + env
					case c.IsSet(flag):
						return "flag --" + flag
					}
					return "default"
				}
				envSource := func(env, value, def string) (string, string) {
					if os.Getenv(env) != "" {
						return value, "env " + env
					}
					return def, "default"
				}
				secret := func(env string) (string, string) {
					if os.Getenv(env+"_FILE") != "" {
						return "[set]", "file " + env + "_FILE"
					}
					if os.Getenv(env) != "" {
						return "[set]", "env " + env
					}
					return "[not set]", "-"
				}
				row("data_dir", cfg.DataDir, flagSource("data-dir", "ZOOMSYNC_DATA_DIR"))
				if path != "" {
					row("config", path, flagSource("config", "ZOOMSYNC_CONFIG"))
				} else {
					row("config", c.String("config")+" (absent: built-in defaults)", flagSource("config", "ZOOMSYNC_CONFIG"))
				}
				v, s := envSource("ZOOM_API_URL", cfg.Zoom.APIURL, pipelines.DefaultZoomAPIURL)
				row("zoom.api_url", v, s)
				v, s = envSource("ZOOM_OAUTH_URL", cfg.Zoom.OAuthURL, pipelines.DefaultZoomOAuthURL)
				row("zoom.oauth_url", v, s)
				v, s = envSource("ZOOM_ACCOUNT_ID", cfg.Zoom.AccountID, "[not set]")
				row("zoom.account_id", v, s)
				v, s = envSource("ZOOM_CLIENT_ID", cfg.Zoom.ClientID, "[not set]")
				row("zoom.client_id", v, s)
				v, s = secret("ZOOM_CLIENT_SECRET")
				row("zoom.client_secret", v, s)
				row("zoom.plan", cfg.Zoom.Plan, flagSource("zoom-plan", "ZOOM_PLAN"))
				v, s = envSource("HUBSPOT_API_URL", cfg.HubSpot.APIURL, pipelines.DefaultHubSpotAPIURL)
				row("hubspot.api_url", v, s)
				v, s = secret("HUBSPOT_TOKEN")
				row("hubspot.token", v, s)
				row("hubspot.tier", cfg.HubSpot.Tier, flagSource("hubspot-tier", "HUBSPOT_TIER"))
				row("concurrency", strconv.Itoa(c.Int("concurrency")), flagSource("concurrency", "ZOOMSYNC_CONCURRENCY"))

				z := &pipelines.ZoomSettings{}
				if fc != nil {
					z = &fc.Zoom
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
				if fc != nil {
					for _, sg := range fc.Segments {
						row("segments."+sg.Name, string(sg.Format)+" → "+sg.Out, path)
					}
				}
				return tw.Flush()
			},
		}},
	}
}

func boolOr(b *bool, def bool) string {
	if b == nil {
		return strconv.FormatBool(def)
	}
	return strconv.FormatBool(*b)
}
