// Package pipelines ties extract, transform and load into the jobs the CLI
// runs: sync, and each stage alone. It owns the configuration, the run lock
// of a data directory and the run records.
package pipelines

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/load/hubspot"
)

// Secret holds a credential. It prints and logs as [redacted], so it can
// sit in a config struct that is logged or formatted into an error.
type Secret string

// String implements fmt.Stringer.
func (Secret) String() string { return "[redacted]" }

// GoString implements fmt.GoStringer, for %#v.
func (Secret) GoString() string { return "[redacted]" }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Reveal returns the credential itself, for the one place that sends it.
func (s Secret) Reveal() string { return string(s) }

// ZoomConfig is how to reach the Zoom API (Server-to-Server OAuth app).
type ZoomConfig struct {
	APIURL       string // ZOOM_API_URL, default https://api.zoom.us/v2
	OAuthURL     string // ZOOM_OAUTH_URL, default https://zoom.us/oauth/token
	AccountID    string // ZOOM_ACCOUNT_ID
	ClientID     string // ZOOM_CLIENT_ID
	ClientSecret Secret // ZOOM_CLIENT_SECRET
	Plan         string // rate-limit preset: pro (default), business, free
}

// HubSpotConfig is how to reach the HubSpot API.
type HubSpotConfig struct {
	APIURL string // HUBSPOT_API_URL, default https://api.hubapi.com
	Token  Secret // HUBSPOT_TOKEN: private-app or OAuth access token
	Tier   string // rate-limit tier: professional (default), free, starter, enterprise
	// DeveloperKey (HUBSPOT_DEVELOPER_KEY) manages the timeline event
	// templates of the public app named by hubspot.timeline.app_id;
	// AppToken (HUBSPOT_APP_TOKEN) is that app's OAuth access token, the
	// only kind HubSpot accepts timeline events from. Without both, timeline
	// events are skipped with one notice.
	DeveloperKey Secret
	AppToken     Secret
}

// Config is everything a job needs. Only cmd builds it (from flags, the
// environment and zoomsync.yaml); jobs never read the environment.
type Config struct {
	DataDir     string // ZOOMSYNC_DATA_DIR, default ./zoomsync-data
	Zoom        ZoomConfig
	HubSpot     HubSpotConfig
	Concurrency int // webinars fetched at once
	// MemoryLimit bounds DuckDB's memory in bytes (it spills beyond it);
	// 0 means transform.DefaultMemoryLimit.
	MemoryLimit int64
	Logger      *slog.Logger
	// RunID names the next run; empty: a new one (NewRunID). The CLI sets
	// it, so that its logger carries the run id from the start.
	RunID string
	// Settings are the sync settings of zoomsync.yaml; nil syncs every
	// webinar of every host, with recordings.
	Settings *ZoomSettings
	// CRM are the hubspot: settings of zoomsync.yaml; nil means none.
	CRM *HubSpotSettings

	// zoomOpts and hubspotOpts are appended to the clients' options: the
	// tests of this package shorten retry waits and per-try timeouts.
	zoomOpts    []zoom.Option
	hubspotOpts []hubspot.Option
}

// Defaults of the endpoints.
const (
	DefaultZoomAPIURL    = "https://api.zoom.us/v2"
	DefaultZoomOAuthURL  = "https://zoom.us/oauth/token"
	DefaultHubSpotAPIURL = "https://api.hubapi.com"
)

func (c *Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// ErrInvalidConfig marks a configuration that cannot work (exit code 2):
// a value that does not parse or is out of range, a missing credential.
var ErrInvalidConfig = errors.New("invalid configuration")

// configError is one problem of the configuration; errors.Is(err,
// ErrInvalidConfig) holds for it.
type configError struct{ msg string }

func (e *configError) Error() string        { return e.msg }
func (e *configError) Is(target error) bool { return target == ErrInvalidConfig }

func configErrorf(format string, a ...any) error { return &configError{fmt.Sprintf(format, a...)} }

// Validate reports every problem of the values that come from flags and
// the environment, naming the variable and what it wants: the endpoints,
// the plan and tier, the concurrency. Credentials are checked by
// ValidateZoom and ValidateHubSpot.
func (c *Config) Validate() error {
	var errs []error
	for _, u := range []struct{ env, value string }{
		{"ZOOM_API_URL", c.Zoom.APIURL}, {"ZOOM_OAUTH_URL", c.Zoom.OAuthURL}, {"HUBSPOT_API_URL", c.HubSpot.APIURL},
	} {
		if u.value == "" {
			continue
		}
		p, err := url.Parse(u.value)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, configErrorf("%s=%q: want an absolute http(s) URL such as https://api.example.com", u.env, u.value))
		}
	}
	if err := validPlan(c.Zoom.Plan); err != nil {
		errs = append(errs, err)
	}
	if err := validTier(c.HubSpot.Tier); err != nil {
		errs = append(errs, err)
	}
	if c.Concurrency < 0 {
		errs = append(errs, configErrorf("concurrency %d: want 1 or more", c.Concurrency))
	}
	return errors.Join(errs...)
}

func validPlan(plan string) error {
	switch plan {
	case "", "pro", "business", "free", "unlimited": // unlimited: for the simulators only
		return nil
	}
	return configErrorf("zoom plan %q: want pro, business or free", plan)
}

func validTier(tier string) error {
	switch tier {
	case "", "free", "starter", "professional", "enterprise", "unlimited": // unlimited: for the simulators only
		return nil
	}
	return configErrorf("hubspot tier %q: want free, starter, professional or enterprise", tier)
}

// ValidateZoom reports what is missing to call Zoom, naming the variables.
func (c *Config) ValidateZoom() error {
	var missing []string
	if c.Zoom.AccountID == "" {
		missing = append(missing, "ZOOM_ACCOUNT_ID")
	}
	if c.Zoom.ClientID == "" {
		missing = append(missing, "ZOOM_CLIENT_ID")
	}
	if c.Zoom.ClientSecret == "" {
		missing = append(missing, "ZOOM_CLIENT_SECRET")
	}
	if len(missing) > 0 {
		return configErrorf("zoom credentials missing: set %s", strings.Join(missing, ", "))
	}
	return validPlan(c.Zoom.Plan)
}

// ValidateHubSpot reports what is missing to call HubSpot.
func (c *Config) ValidateHubSpot() error {
	if c.HubSpot.Token == "" {
		return configErrorf("hubspot token missing: set HUBSPOT_TOKEN")
	}
	return validTier(c.HubSpot.Tier)
}
