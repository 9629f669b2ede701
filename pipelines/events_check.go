package pipelines

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/zoomsync/zoomsync/load"
	"github.com/zoomsync/zoomsync/load/hubspot"
)

// Names of the results of CheckEvents.
const (
	CheckNameEventsRoute    = "events route"
	CheckNameTimelineEvents = "timeline events"
	CheckNameCustomEvents   = "custom events"
)

// CheckEvents says which routes of the contact timeline events the portal
// allows (docs/events.md) and whether hubspot.events picks one of them: the
// first result is the configured route, then one result per route. It only
// reads from HubSpot: the timeline route is probed by listing the app's
// templates and reading an event with the app's token, custom events by
// listing the event definitions. What a read cannot show (whether HubSpot
// would take a first template from an app that lists none, whether the token
// has the send scope) is said as a warning; the first sync finds out, and
// what it cannot send gets audit rows.
func (c *Config) CheckEvents(ctx context.Context) []CheckResult {
	route := c.CRM.EventsRoute()
	if err := c.ValidateHubSpot(); err != nil {
		return []CheckResult{{Name: CheckNameEventsRoute, Status: CheckFail, Detail: err.Error(),
			Fix: "set HUBSPOT_TOKEN to a private-app token"}}
	}
	client := HubSpotClient(c)
	tl := c.checkTimeline(ctx, client)
	ce := checkCustomEvents(ctx, client)
	res := CheckResult{Name: CheckNameEventsRoute, Status: CheckOK}
	var chosen CheckResult
	switch route {
	case load.EventsOff:
		res.Detail = "hubspot.events is off: no timeline events are sent, each gets an audit row (timeline event not created)"
		return []CheckResult{res, tl, ce}
	case load.EventsCustom:
		chosen = ce
	default:
		chosen = tl
	}
	res.Detail = fmt.Sprintf("hubspot.events is %s", route)
	if chosen.Status == CheckOK {
		res.Detail += ": this portal allows it"
		return []CheckResult{res, tl, ce}
	}
	res.Status = chosen.Status
	res.Detail += fmt.Sprintf(": %s", chosen.Detail)
	switch other := map[string]CheckResult{load.EventsTimeline: ce, load.EventsCustom: tl}[route]; {
	case other.Status == CheckOK && route == load.EventsTimeline:
		res.Fix = "custom events are available: set hubspot.events: custom in zoomsync.yaml"
	case other.Status == CheckOK:
		res.Fix = "timeline events are available: set hubspot.events: timeline in zoomsync.yaml"
	default:
		res.Fix = chosen.Fix + "; or set hubspot.events: off (each event then gets an audit row)"
	}
	return []CheckResult{res, tl, ce}
}

// checkTimeline probes the timeline route: a public app configured, its
// developer key taking the template list, its OAuth token taking a read of
// an event.
func (c *Config) checkTimeline(ctx context.Context, client *hubspot.Client) CheckResult {
	r := CheckResult{Name: CheckNameTimelineEvents, Status: CheckFail}
	app := ""
	if c.CRM != nil {
		app = c.CRM.Timeline.AppID
	}
	if app == "" || c.HubSpot.DeveloperKey == "" || c.HubSpot.AppToken == "" {
		r.Status = CheckWarn
		r.Detail = "no public app configured (hubspot.timeline.app_id, HUBSPOT_DEVELOPER_KEY, HUBSPOT_APP_TOKEN)"
		r.Fix = "HubSpot gives the timeline API only to app partners whose public app already has v1/v3 timeline events; others use custom events"
		return r
	}
	templates, _, err := client.Timeline.ListTemplates(ctx)
	if err != nil {
		r.Detail = fmt.Sprintf("listing the event templates of app %s: %v", app, err)
		r.Fix = "check hubspot.timeline.app_id and HUBSPOT_DEVELOPER_KEY (the developer account's API key of that app)"
		return r
	}
	probe := "0"
	if len(templates) > 0 {
		probe = templates[0].ID
	}
	_, _, err = client.Timeline.Get(ctx, probe, "zoomsync-doctor-probe")
	if err != nil && !errors.Is(err, hubspot.ErrNotFound) {
		r.Detail = fmt.Sprintf("HubSpot refused the app token: %v", err)
		r.Fix = "HUBSPOT_APP_TOKEN must be an OAuth access token of the public app installed in this portal"
		return r
	}
	ours := 0
	for _, t := range load.TimelineTemplates() {
		if slices.ContainsFunc(templates, func(x *hubspot.EventTemplate) bool { return x.Name == t.Name }) {
			ours++
		}
	}
	if len(templates) == 0 {
		r.Status = CheckWarn
		r.Detail = fmt.Sprintf("app %s lists no event templates: HubSpot refuses templates to apps without v1/v3 timeline events, so the first sync may be refused (its events are then skipped, with audit rows)", app)
		r.Fix = "if the app never had timeline events, use custom events (hubspot.events: custom)"
		return r
	}
	r.Status = CheckOK
	r.Detail = fmt.Sprintf("app %s has %d event templates (%d of zoomsync's %d) and HubSpot takes its OAuth token", app, len(templates), ours, len(load.TimelineTemplates()))
	return r
}

// checkCustomEvents probes custom events by listing the event definitions:
// it needs the Enterprise subscription and the definitions scope. The send
// scope cannot be read without sending.
func checkCustomEvents(ctx context.Context, client *hubspot.Client) CheckResult {
	r := CheckResult{Name: CheckNameCustomEvents, Status: CheckFail}
	defs, _, err := client.Events.ListDefinitions(ctx, "zoom_", "")
	switch {
	case errors.Is(err, hubspot.ErrMissingScopes):
		r.Detail = fmt.Sprintf("the token lacks a scope: %v", err)
		r.Fix = fmt.Sprintf("give the private app the scopes %s and %s", hubspot.ScopeEventDefinitions, hubspot.ScopeEventsSend)
	case errors.Is(err, hubspot.ErrCustomEventsUnavailable):
		r.Detail = fmt.Sprintf("HubSpot refused custom events: %v", err)
		r.Fix = "custom events need an Enterprise subscription (Marketing Hub Enterprise or another Enterprise hub)"
	case err != nil:
		r.Detail = fmt.Sprintf("listing the custom event definitions: %v", err)
		r.Fix = "check HUBSPOT_TOKEN and HUBSPOT_API_URL"
	default:
		ours := 0
		for _, d := range load.CustomEventDefinitions() {
			if slices.ContainsFunc(defs, func(x *hubspot.EventDefinition) bool { return x.Name == d.Name }) {
				ours++
			}
		}
		r.Status = CheckOK
		r.Detail = fmt.Sprintf("the portal has custom events and the token reads event definitions (%d of zoomsync's %d defined); the send scope %s is checked by the first send",
			ours, len(load.CustomEventDefinitions()), hubspot.ScopeEventsSend)
	}
	return r
}
