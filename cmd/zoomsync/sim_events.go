package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/load/hubspottest"
)

const simHubSpotDescription = `Point zoomsync at it with HUBSPOT_API_URL=<URL> and HUBSPOT_TOKEN=demo-token.

Timeline events (hubspot.events: timeline): --app-token TOKEN accepts TOKEN as
the public app's OAuth token; set HUBSPOT_APP_TOKEN=TOKEN,
HUBSPOT_DEVELOPER_KEY=demo-developer-key and hubspot.timeline.app_id: "424242".
--new-app makes the app one without timeline events, which HubSpot refuses
templates.

Custom events (hubspot.events: custom): --hub-tier enterprise (or --tier
enterprise); --missing-scopes takes scopes away from the token. See
docs/events.md.`

// simHubSpotEventFlags say which event APIs the HubSpot simulator's
// portal allows (docs/events.md): a public app for timeline events, and
// the subscription tier and scopes custom events need.
var simHubSpotEventFlags = []cli.Flag{
	&cli.StringFlag{Name: "app-id", Value: hubspottest.DefaultAppID, Usage: "public app id whose timeline templates the developer key manages"},
	&cli.StringFlag{Name: "developer-key", Value: hubspottest.DefaultDeveloperKey, Usage: "developer API key (?hapikey=) of the public app"},
	&cli.StringFlag{Name: "app-token", Usage: "an OAuth access token of the public app to accept (timeline events are sent only with one)"},
	&cli.BoolFlag{Name: "new-app", Usage: "the app has no v1/v3 timeline events: HubSpot refuses it timeline templates"},
	&cli.StringFlag{Name: "hub-tier", Usage: "subscription tier for custom events: free, starter, professional or enterprise (default: enterprise when --tier is enterprise or unlimited, else professional)"},
	&cli.StringSliceFlag{Name: "missing-scopes", Usage: "scopes the token lacks, e.g. " + hubspottest.ScopeEventsSend},
}

// simHubSpotEventOptions turns simHubSpotEventFlags into simulator options.
func simHubSpotEventOptions(c *cli.Context) ([]hubspottest.Option, error) {
	opts := []hubspottest.Option{hubspottest.WithApp(c.String("app-id")), hubspottest.WithDeveloperKey(c.String("developer-key"))}
	if t := c.String("app-token"); t != "" {
		opts = append(opts, hubspottest.WithOAuthToken(t))
	}
	if c.Bool("new-app") {
		opts = append(opts, hubspottest.WithNewApp())
	}
	if t := c.String("hub-tier"); t != "" {
		if !slices.Contains([]string{"free", "starter", "professional", "enterprise"}, t) {
			return nil, usageError{fmt.Errorf("--hub-tier %q: want free, starter, professional or enterprise", t)}
		}
		opts = append(opts, hubspottest.WithHubTier(t))
	}
	var missing []string
	for _, s := range c.StringSlice("missing-scopes") {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				missing = append(missing, p)
			}
		}
	}
	return append(opts, hubspottest.WithMissingScopes(missing...)), nil
}
