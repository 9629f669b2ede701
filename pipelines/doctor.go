package pipelines

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/load/hubspot"
)

// DoctorChecks are the checks of `zoomsync doctor`, in the order they run
// and print.
func DoctorChecks() []Check {
	return []Check{
		checkConfig,
		checkZoom,
		checkHubSpot,
		func(ctx context.Context, c *Config) []CheckResult { return c.CheckEvents(ctx) },
		checkLake,
	}
}

// Doctor runs every check and returns what each found.
func Doctor(ctx context.Context, c *Config) []CheckResult {
	var out []CheckResult
	for _, check := range DoctorChecks() {
		out = append(out, check(ctx, c)...)
	}
	return out
}

// Preflight is the cheap part of the doctor that sync runs before it
// spends any quota: the configuration, then each credential checked by one
// call (HubSpot: the account details; Zoom: the access token). It returns
// the failures with the doctor's messages, joined; nil when none failed.
// A configuration that cannot work wraps ErrInvalidConfig.
func Preflight(ctx context.Context, c *Config) error {
	results := checkConfig(ctx, c)
	if failed(results) {
		return preflightError(results, ErrInvalidConfig)
	}
	// The clients retry as a sync's do (each retry logged at warn): a
	// scheduled run rides out a short outage.
	hs, _ := hubSpotCredential(ctx, c, HubSpotClient(c))
	zs, _ := zoomCredential(ctx, c, ZoomClient(c))
	if results = append(hs, zs...); failed(results) {
		return preflightError(results, nil)
	}
	return nil
}

func failed(rs []CheckResult) bool {
	return slices.ContainsFunc(rs, func(r CheckResult) bool { return r.Status == CheckFail })
}

// preflightError joins the failures, one line each: the check, what it
// found and its fix.
func preflightError(rs []CheckResult, kind error) error {
	var errs []error
	for _, r := range rs {
		if r.Status != CheckFail {
			continue
		}
		msg := r.Name + ": " + r.Detail
		if r.Fix != "" {
			msg += " (fix: " + r.Fix + ")"
		}
		if kind != nil {
			errs = append(errs, &configError{msg})
		} else {
			errs = append(errs, errors.New(msg))
		}
	}
	return errors.Join(errs...)
}

// doctorConfig is c with one retry of a failed call, not six: the doctor
// reports an unreachable endpoint in seconds. Options the tests set still
// apply after it.
func doctorConfig(c *Config) *Config {
	cc := *c
	cc.zoomOpts = append([]zoom.Option{zoom.WithRetry(1, time.Second, 2*time.Second)}, c.zoomOpts...)
	cc.hubspotOpts = append([]hubspot.Option{hubspot.WithRetry(1, time.Second, 2*time.Second)}, c.hubspotOpts...)
	return &cc
}

// checkConfig reports each problem of the configuration from flags and the
// environment (the file was parsed, and its problems reported, before any
// check runs).
func checkConfig(_ context.Context, c *Config) []CheckResult {
	var out []CheckResult
	for _, err := range []error{c.Validate(), c.ValidateZoom(), c.ValidateHubSpot()} {
		for _, e := range splitJoined(err) {
			out = append(out, CheckResult{Name: "config", Status: CheckFail, Detail: e.Error(), Fix: configFix(e.Error())})
		}
	}
	if len(out) == 0 {
		out = append(out, CheckResult{Name: "config", Status: CheckOK, Detail: "flags, environment and zoomsync.yaml are valid"})
	}
	return out
}

func splitJoined(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, splitJoined(e)...)
		}
		return out
	}
	return []error{err}
}

func configFix(msg string) string {
	switch {
	case strings.Contains(msg, "zoom credentials"):
		return "export the Account ID, Client ID and Client secret of the Zoom Server-to-Server OAuth app (README, \"Connect Zoom\")"
	case strings.Contains(msg, "hubspot token"):
		return "export HUBSPOT_TOKEN, the access token of the HubSpot private app (README, \"Connect HubSpot\")"
	case strings.Contains(msg, "URL"):
		return "unset the variable to use the default endpoint, or give a full URL"
	case strings.Contains(msg, "plan"):
		return "--zoom-plan or ZOOM_PLAN: pro, business or free"
	case strings.Contains(msg, "tier"):
		return "--hubspot-tier or HUBSPOT_TIER: free, starter, professional or enterprise"
	case strings.Contains(msg, "concurrency"):
		return "--concurrency or ZOOMSYNC_CONCURRENCY: 1 or more"
	}
	return "see zoomsync config reference"
}

// zoomScope is one scope a feature needs, with the prefix of the granular
// scopes that grant the same access.
type zoomScope struct{ classic, granular, feature string }

// zoomScopesNeeded are the scopes of the Zoom app each feature needs.
func zoomScopesNeeded(c *Config) []zoomScope {
	need := []zoomScope{
		{"user:read:admin", "user:read:", "list the account's users (hosts)"},
		{"webinar:read:admin", "webinar:read:", "webinars, registrants, panelists"},
		{"report:read:admin", "report:read:", "reports, participants, Q&A, polls, surveys, backfill"},
	}
	if c.Settings == nil || c.Settings.Defaults.SyncRecordings == nil || *c.Settings.Defaults.SyncRecordings || len(c.Settings.HostSettings) > 0 {
		need = append(need, zoomScope{"recording:read:admin", "cloud_recording:read:", "recordings and transcripts"})
	}
	return need
}

// hasScope reports whether the granted scopes give one that is needed.
func hasScope(granted []string, classic, granularPrefix string) bool {
	for _, g := range granted {
		if g == classic || (granularPrefix != "" && strings.HasPrefix(g, granularPrefix)) {
			return true
		}
	}
	return false
}

// checkZoom checks the Zoom credentials (a token fetch), the scopes the
// token carries, one API call and the rate-limit headroom it reports.
func checkZoom(ctx context.Context, c *Config) []CheckResult {
	if c.ValidateZoom() != nil {
		return []CheckResult{{Name: "zoom", Status: CheckWarn, Detail: "not checked: the configuration is incomplete (see config)"}}
	}
	client := ZoomClient(doctorConfig(c))
	out, scopes := zoomCredential(ctx, c, client)
	if failed(out) {
		return out
	}
	var missing []string
	for _, s := range zoomScopesNeeded(c) {
		if !hasScope(scopes, s.classic, s.granular) {
			missing = append(missing, s.classic+" ("+s.feature+")")
		}
	}
	if len(missing) > 0 {
		out = append(out, CheckResult{Name: "zoom scopes", Status: CheckFail, Detail: "the token lacks " + strings.Join(missing, ", "),
			Fix: "add these scopes to the Server-to-Server OAuth app (Zoom App Marketplace, Manage, the app, Scopes) and activate it again"})
	} else {
		out = append(out, CheckResult{Name: "zoom scopes", Status: CheckOK, Detail: "every scope the enabled features need"})
	}
	if !hasScope(scopes, "webinar:write:admin", "webinar:write:") {
		out = append(out, CheckResult{Name: "zoom scopes", Status: CheckWarn, Detail: "no webinar:write:admin: zoomsync register cannot register people",
			Fix: "add webinar:write:admin to the app if you use zoomsync register"})
	}
	if _, _, err := client.Users.List(ctx, &zoom.UserListOptions{ListOptions: zoom.ListOptions{PageSize: 1}}); err != nil {
		return append(out, CheckResult{Name: "zoom api", Status: CheckFail, Detail: "GET /users: " + err.Error(),
			Fix: "check ZOOM_API_URL and that the app's scopes include user:read:admin"})
	}
	out = append(out, CheckResult{Name: "zoom api", Status: CheckOK, Detail: "GET /users answered"})
	return append(out, zoomHeadroom(client.RateLimits()))
}

// zoomCredential fetches a Zoom access token: the one call that checks the
// credentials and the OAuth endpoint. It returns the token's scopes.
func zoomCredential(ctx context.Context, c *Config, client *zoom.Client) ([]CheckResult, []string) {
	if c.ValidateZoom() != nil {
		return nil, nil
	}
	scopes, err := client.Scopes(ctx)
	switch {
	case err == nil:
		return []CheckResult{{Name: "zoom credentials", Status: CheckOK, Detail: "an access token was issued for account " + c.Zoom.AccountID}}, scopes
	case errors.Is(err, zoom.ErrBadCredentials):
		return []CheckResult{{Name: "zoom credentials", Status: CheckFail, Detail: "Zoom refused the credentials: " + err.Error(),
			Fix: "copy ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET from the app's App Credentials page; the app must be activated"}}, nil
	}
	return []CheckResult{{Name: "zoom credentials", Status: CheckFail, Detail: "no access token: " + err.Error(),
		Fix: "check the network (proxy, firewall) and ZOOM_OAUTH_URL (default " + DefaultZoomOAuthURL + ")"}}, nil
}

// zoomHeadroom reports the daily quota left, from the last headers seen.
func zoomHeadroom(limits map[zoom.Category]zoom.RateLimit) CheckResult {
	var parts []string
	status := CheckOK
	for _, k := range slices.Sorted(func(yield func(zoom.Category) bool) {
		for k := range limits {
			if !yield(k) {
				return
			}
		}
	}) {
		rl := limits[k]
		if rl.Limit <= 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d of %d left (%s)", k, rl.Remaining, rl.Limit, rl.Type))
		if rl.Remaining*10 < rl.Limit {
			status = CheckWarn
		}
	}
	r := CheckResult{Name: "zoom rate limits", Status: status, Detail: "no rate-limit headers in the last answer"}
	if len(parts) > 0 {
		r.Detail = strings.Join(parts, "; ")
	}
	if status == CheckWarn {
		r.Fix = "less than 10 % of a daily quota is left: run after it resets, or lower the load (fewer webinars, --concurrency)"
	}
	return r
}

// hubSpotScopesNeeded are the private app's scopes each feature needs;
// alternatives are separated by "|".
var hubSpotScopesNeeded = []struct{ scope, feature string }{
	{"crm.objects.contacts.read", "contacts, the CRM snapshot"},
	{"crm.objects.contacts.write", "contacts, calls"},
	{"crm.schemas.contacts.read", "the zoom_* contact properties"},
	{"crm.schemas.contacts.write", "creating the zoom_* contact properties"},
	{"crm.objects.marketing_events.read", "marketing events"},
	{"crm.objects.marketing_events.write", "marketing events and attendance"},
	{"settings.users.read|crm.objects.users.read", "the CRM users rule"},
}

// checkHubSpot checks the HubSpot token (the account details), its scopes
// (the private-app token information) and the rate-limit headroom.
func checkHubSpot(ctx context.Context, c *Config) []CheckResult {
	if c.ValidateHubSpot() != nil {
		return []CheckResult{{Name: "hubspot", Status: CheckWarn, Detail: "not checked: the configuration is incomplete (see config)"}}
	}
	client := HubSpotClient(doctorConfig(c))
	out, ok := hubSpotCredential(ctx, c, client)
	if !ok {
		return out
	}
	info, _, err := client.AccountInfo.TokenInfo(ctx)
	if err != nil {
		out = append(out, CheckResult{Name: "hubspot scopes", Status: CheckWarn, Detail: "not checked: the token information was refused (" + err.Error() + ")",
			Fix: "use a private app's access token (pat-…); an OAuth token's scopes show at GET /oauth/v1/access-tokens/{token}"})
	} else {
		var missing []string
		for _, s := range hubSpotScopesNeeded {
			if !slices.ContainsFunc(strings.Split(s.scope, "|"), func(x string) bool { return slices.Contains(info.Scopes, x) }) {
				missing = append(missing, s.scope+" ("+s.feature+")")
			}
		}
		if len(missing) > 0 {
			out = append(out, CheckResult{Name: "hubspot scopes", Status: CheckFail, Detail: "the token lacks " + strings.Join(missing, ", "),
				Fix: "add these scopes to the private app (Settings, Integrations, Private apps, the app, Scopes) and use its new token"})
		} else {
			out = append(out, CheckResult{Name: "hubspot scopes", Status: CheckOK, Detail: "every scope the enabled features need"})
		}
	}
	return append(out, hubSpotHeadroom(client.RateLimits()))
}

// hubSpotCredential reads the account details: the one call that checks
// the token and names the portal it writes to.
func hubSpotCredential(ctx context.Context, c *Config, client *hubspot.Client) ([]CheckResult, bool) {
	if c.ValidateHubSpot() != nil {
		return nil, false
	}
	d, _, err := client.AccountInfo.Details(ctx)
	if err == nil {
		return []CheckResult{{Name: "hubspot credentials", Status: CheckOK, Detail: fmt.Sprintf("the token writes to portal %d", d.PortalID)}}, true
	}
	var apiErr *hubspot.APIError
	if errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusUnauthorized || apiErr.StatusCode == http.StatusForbidden) {
		return []CheckResult{{Name: "hubspot credentials", Status: CheckFail, Detail: "HubSpot refused the token: " + err.Error(),
			Fix: "copy the private app's access token (Settings, Integrations, Private apps, the app, Auth) into HUBSPOT_TOKEN"}}, false
	}
	return []CheckResult{{Name: "hubspot credentials", Status: CheckFail, Detail: "GET /account-info/v3/details: " + err.Error(),
		Fix: "check the network (proxy, firewall) and HUBSPOT_API_URL (default " + DefaultHubSpotAPIURL + ")"}}, false
}

// hubSpotHeadroom reports the daily and ten-second quotas left.
func hubSpotHeadroom(rl hubspot.RateLimits) CheckResult {
	if rl.Seen.IsZero() || (rl.Daily == 0 && rl.Max == 0) {
		return CheckResult{Name: "hubspot rate limits", Status: CheckOK, Detail: "no rate-limit headers in the last answer"}
	}
	r := CheckResult{Name: "hubspot rate limits", Status: CheckOK,
		Detail: fmt.Sprintf("daily %d of %d left; %d of %d per %d ms left", rl.DailyRemaining, rl.Daily, rl.Remaining, rl.Max, rl.IntervalMillis)}
	if rl.Daily > 0 && rl.DailyRemaining*10 < rl.Daily {
		r.Status = CheckWarn
		r.Fix = "less than 10 % of the daily quota is left (other apps of the portal share it): run after midnight in the portal's time zone"
	}
	return r
}

// checkLake checks the data directory: the lock, the manifest, and the
// temporary files an interrupted run left.
func checkLake(ctx context.Context, c *Config) []CheckResult {
	lake := lakeOf(c)
	if _, err := os.Stat(lake.Dir); errors.Is(err, fs.ErrNotExist) {
		return []CheckResult{{Name: "lake", Status: CheckOK, Detail: lake.Dir + " does not exist yet: the first sync creates it"}}
	}
	lock, err := AcquireLock(lake)
	if errors.Is(err, ErrLocked) {
		return []CheckResult{{Name: "lake lock", Status: CheckWarn, Detail: err.Error(),
			Fix: "wait for that run to end; schedule runs so that they do not overlap (cron flock, concurrencyPolicy: Forbid)"}}
	}
	if err != nil {
		return []CheckResult{{Name: "lake lock", Status: CheckFail, Detail: err.Error(), Fix: "check the permissions of " + lake.Dir}}
	}
	lock.Release()
	out := []CheckResult{{Name: "lake lock", Status: CheckOK, Detail: "no run holds " + lake.Dir}}
	if tmp := strayTemp(lake.Dir); len(tmp) > 0 {
		out = append(out, CheckResult{Name: "lake temp files", Status: CheckWarn,
			Detail: fmt.Sprintf("%d temporary files of an interrupted run (%s)", len(tmp), tmp[0]),
			Fix:    "nothing to do: the next run removes them"})
	}
	rep, err := VerifyLake(ctx, c, false)
	switch {
	case err != nil:
		out = append(out, CheckResult{Name: "lake manifest", Status: CheckFail, Detail: err.Error(),
			Fix: "zoomsync lake rebuild adopts the raw files into a new catalog"})
	case len(rep.Bad) > 0:
		out = append(out, CheckResult{Name: "lake manifest", Status: CheckFail,
			Detail: fmt.Sprintf("%d of %d raw files do not match the manifest (%s)", len(rep.Bad), rep.Files, rep.Bad[0]),
			Fix:    "zoomsync lake verify --repair, then sync: the stages are fetched again"})
	default:
		out = append(out, CheckResult{Name: "lake manifest", Status: CheckOK, Detail: fmt.Sprintf("%d raw files match the manifest", rep.Files)})
	}
	if err == nil && len(rep.Lost) > 0 {
		out = append(out, CheckResult{Name: "lake manifest", Status: CheckWarn, Detail: fmt.Sprintf("%d stages lost", len(rep.Lost)),
			Fix: "the next sync fetches them again"})
	}
	return out
}

// strayTemp lists the hidden ".*.tmp" files under raw/ and out/: what a
// killed run leaves before its rename.
func strayTemp(dir string) []string {
	var out []string
	for _, sub := range []string{"raw", "out"} {
		_ = filepath.WalkDir(filepath.Join(dir, sub), func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && strings.HasPrefix(d.Name(), ".") && strings.HasSuffix(d.Name(), ".tmp") {
				out = append(out, path)
			}
			return nil
		})
	}
	return out
}

// DuckDBVersion is the version of the DuckDB library linked in.
func DuckDBVersion() (string, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	if err := db.QueryRow(`SELECT library_version FROM pragma_version()`).Scan(&v); err != nil {
		return "", err
	}
	return v, nil
}
