package pipelines

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zoomsync/zoomsync/extract"
	"github.com/zoomsync/zoomsync/load"
	"github.com/zoomsync/zoomsync/schema"
)

// ZoomSettings are the sync settings of zoomsync.yaml's zoom: section, the
// ones HubSpot's own Zoom integration offers its users:
//
//	zoom:
//	  hosts: all                      # none, all, or a list of host emails or user ids
//	  defaults:                       # every selected host, unless host_settings says otherwise
//	    sync_new_webinars: true       # a webinar with no override syncs
//	    sync_recordings: true         # recordings and transcripts sync
//	  host_settings:
//	    ana@example.com: {sync_new_webinars: false}
//	  webinars:                       # per-webinar override, whatever the host settings say
//	    "81234567890": on
//	    "81234567891": off
//	  excluded_host_domains: [partner.example]
//	  excluded_recording_domains: [board.example]
//	  lookback_days: 2
//	  session_gap_minutes: 15         # instances at most this far apart are one session; 0: off
type ZoomSettings struct {
	// Hosts selects the hosts whose webinars sync: "none", "all" (the
	// default), or a list of emails or Zoom user ids.
	Hosts HostSelection `yaml:"hosts" default:"all" doc:"the hosts whose webinars sync: none, all, or a list of host emails or Zoom user ids"`
	// Defaults apply to every selected host.
	Defaults HostSettings `yaml:"defaults" doc:"the switches of every selected host, unless host_settings says otherwise"`
	// HostSettings override Defaults per host, keyed by email or user id.
	HostSettings map[string]HostSettings `yaml:"host_settings" key:"host" doc:"per-host switches that override defaults, keyed by host email or Zoom user id"`
	// Webinars force one webinar on or off, keyed by webinar id.
	Webinars map[string]Toggle `yaml:"webinars" key:"webinar id" doc:"on or off for one webinar, whatever the host settings say (spaces and dashes in the id are fine)"`
	// ExcludedHostDomains: webinars whose host's email is in one of these
	// domains (or a subdomain) never sync, whatever else is set.
	ExcludedHostDomains []string `yaml:"excluded_host_domains" doc:"webinars whose host email is in one of these domains (or a subdomain) never sync, whatever else is set"`
	// ExcludedRecordingDomains: the recordings and transcripts of hosts
	// whose email is in one of these domains (or a subdomain) are neither
	// fetched nor synced; their webinars still sync.
	ExcludedRecordingDomains []string `yaml:"excluded_recording_domains" doc:"hosts whose email domain (or a subdomain) is listed: their webinars sync, their recordings and transcripts are not fetched or synced"`
	// LookbackDays is how long after an instance ends its report,
	// participants and recordings are read again, because Zoom may still be
	// filling them. Zero means 2.
	LookbackDays int `yaml:"lookback_days" default:"2" doc:"days after an instance ends during which its report, participants and recordings are read again (Zoom may still be filling them)"`
	// SessionGapMinutes stitches the instances a host drop split: instances
	// of one webinar whose report spans are at most this many minutes apart
	// form one session, which the contact properties count once. Nil means
	// 15; 0 turns stitching off (SessionGap).
	SessionGapMinutes *int `yaml:"session_gap_minutes" doc:"instances of one webinar whose report spans are at most this many minutes apart (a host drop) form one session, counted once by the attendance properties; 0 turns it off" default:"15"`
}

// HostSettings are the per-host switches. A nil field inherits.
type HostSettings struct {
	SyncNewWebinars *bool `yaml:"sync_new_webinars" default:"true" doc:"the host's webinars sync (a webinar switched on in webinars syncs anyway)"`
	SyncRecordings  *bool `yaml:"sync_recordings" default:"true" doc:"the recordings and transcripts of the host's webinars sync"`
}

// HostSelection is "none", "all" or a list of hosts.
type HostSelection struct {
	Mode string   // "all", "none" or "list"
	List []string // lower-cased emails or user ids when Mode is "list"
}

// UnmarshalYAML reads a scalar (none, all) or a sequence of hosts.
func (h *HostSelection) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "all":
			*h = HostSelection{Mode: "all"}
		case "none":
			*h = HostSelection{Mode: "none"}
		default:
			return fmt.Errorf("hosts: %q: want none, all, or a list of host emails or user ids", s)
		}
		return nil
	}
	var list []string
	if err := unmarshal(&list); err != nil {
		return errors.New("hosts: want none, all, or a list of host emails or user ids")
	}
	h.Mode = "list"
	for _, x := range list {
		h.List = append(h.List, strings.ToLower(strings.TrimSpace(x)))
	}
	return nil
}

// Toggle is on or off; YAML's true/false, on/off and yes/no are accepted.
type Toggle bool

// UnmarshalYAML reads a boolean or one of the words on, off, yes, no.
func (t *Toggle) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err != nil {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "yes":
		*t = true
	case "off", "false", "no":
		*t = false
	default:
		return fmt.Errorf("%q: want on or off", s)
	}
	return nil
}

// Lookback is the re-read window of recent instances.
func (z *ZoomSettings) Lookback() time.Duration {
	if z == nil || z.LookbackDays <= 0 {
		return 48 * time.Hour
	}
	return time.Duration(z.LookbackDays) * 24 * time.Hour
}

// Validate reports every problem of the section, naming the key.
func (z *ZoomSettings) Validate() error {
	var errs []error
	for id := range z.Webinars {
		if _, err := ParseWebinarID(id); err != nil {
			errs = append(errs, fmt.Errorf("zoom.webinars: %q is not a webinar id", id))
		}
	}
	for key, list := range map[string][]string{"excluded_host_domains": z.ExcludedHostDomains,
		"excluded_recording_domains": z.ExcludedRecordingDomains} {
		for _, d := range list {
			if d = strings.TrimSpace(d); d == "" || strings.Contains(d, "@") {
				errs = append(errs, fmt.Errorf("zoom.%s: %q is not a domain", key, d))
			}
		}
	}
	if z.LookbackDays < 0 {
		errs = append(errs, fmt.Errorf("zoom.lookback_days: %d: want zero or more", z.LookbackDays))
	}
	if z.SessionGapMinutes != nil && *z.SessionGapMinutes < 0 {
		errs = append(errs, fmt.Errorf("zoom.session_gap_minutes: %d: want zero (off) or more", *z.SessionGapMinutes))
	}
	return errors.Join(errs...)
}

// NormalizeWebinarID strips the spaces and dashes people copy along with a
// webinar id ("812 3456 7890", "812-3456-7890").
func NormalizeWebinarID(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' || r == '\u00a0' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// Reasons a webinar or its files are skipped, as extract issues and audit
// rows (schema.AuditReasons describes each).
const (
	ReasonHostNotSelected    = schema.ReasonHostNotSelected
	ReasonSyncSettingOff     = schema.ReasonSyncSettingOff
	ReasonWebinarSwitchedOff = schema.ReasonWebinarSwitchedOff
	ReasonHostDomainExcluded = schema.ReasonHostDomainExcluded
	ReasonRecordingsOff      = schema.ReasonRecordingsOff
	ReasonRecordingDomain    = schema.ReasonRecordingDomainExcluded
)

// Decide is the decision for a webinar by the settings as they are now (no
// history: sync_new_webinars is taken at its current value; the selector of
// a sync, SettingHistory.Decide, applies it by the webinar's created_at).
func (z *ZoomSettings) Decide(hostID, hostEmail string, webinarID int64, _ time.Time) extract.Decision {
	return z.decide(hostID, hostEmail, webinarID, func(current bool) bool { return current })
}

// decide is whether a webinar of a host syncs, and with its recordings. The
// order: an excluded host domain wins over everything; then a per-webinar
// override; then the host selection and the host's sync_new_webinars, as
// syncNew says it applied to this webinar (given its current value).
// Recordings: an excluded recording domain, then the host's sync_recordings.
func (z *ZoomSettings) decide(hostID, hostEmail string, webinarID int64, syncNew func(current bool) bool) extract.Decision {
	if z == nil {
		z = &ZoomSettings{}
	}
	email := strings.ToLower(strings.TrimSpace(hostEmail))
	hs := z.hostSettings(hostID, email)
	d := extract.Decision{Sync: true, Recordings: true}
	switch {
	case inDomains(email, z.ExcludedRecordingDomains):
		d.Recordings, d.RecordingsReason = false, ReasonRecordingDomain
	case hs.SyncRecordings != nil && !*hs.SyncRecordings:
		d.Recordings, d.RecordingsReason = false, ReasonRecordingsOff
	}
	if inDomains(email, z.ExcludedHostDomains) {
		return extract.Decision{Reason: ReasonHostDomainExcluded}
	}
	for id, on := range z.Webinars {
		if NormalizeWebinarID(id) == strconv.FormatInt(webinarID, 10) {
			if !on {
				return extract.Decision{Reason: ReasonWebinarSwitchedOff}
			}
			return d
		}
	}
	if !z.selected(hostID, email) {
		return extract.Decision{Reason: ReasonHostNotSelected}
	}
	if !syncNew(hs.SyncNewWebinars == nil || *hs.SyncNewWebinars) {
		return extract.Decision{Reason: ReasonSyncSettingOff}
	}
	return d
}

// inDomains reports whether an email's domain is one of domains or a
// subdomain of one.
func inDomains(email string, domains []string) bool {
	_, domain, ok := strings.Cut(email, "@")
	if !ok {
		return false
	}
	for _, x := range domains {
		x = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(x), "@"))
		if domain == x || strings.HasSuffix(domain, "."+x) {
			return true
		}
	}
	return false
}

func (z *ZoomSettings) selected(hostID, email string) bool {
	switch z.Hosts.Mode {
	case "none":
		return false
	case "list":
		return slices.Contains(z.Hosts.List, email) || slices.Contains(z.Hosts.List, strings.ToLower(hostID))
	}
	return true // "all" or unset
}

// hostSettings merges the defaults with the host's own settings.
func (z *ZoomSettings) hostSettings(hostID, email string) HostSettings {
	hs := z.Defaults
	for k, v := range z.HostSettings {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == email || k == strings.ToLower(hostID) {
			if v.SyncNewWebinars != nil {
				hs.SyncNewWebinars = v.SyncNewWebinars
			}
			if v.SyncRecordings != nil {
				hs.SyncRecordings = v.SyncRecordings
			}
		}
	}
	return hs
}

// HubSpotSettings are zoomsync.yaml's hubspot: section.
//
//	hubspot:
//	  excluded_contact_domains: [ourcompany.com]   # these people never become contacts
//	  external_account_id: zoom-demo-account       # marketing events' account key; default: the Zoom account id
//	  events: timeline                             # timeline (default) | custom | off (docs/events.md)
//	  timeline:                                    # timeline events need a public app
//	    app_id: "424242"                           # tokens: HUBSPOT_DEVELOPER_KEY, HUBSPOT_APP_TOKEN
type HubSpotSettings struct {
	// ExcludedContactDomains: no contact is created for an email in one of
	// these domains (or a subdomain), e.g. the company's own.
	ExcludedContactDomains []string `yaml:"excluded_contact_domains" doc:"no contact is created for an email in one of these domains (or a subdomain), e.g. the company's own"`
	// ExternalAccountID keys the marketing events zoomsync creates; empty
	// means the Zoom account id.
	ExternalAccountID string `yaml:"external_account_id" default:"the Zoom account id" doc:"the account key of the marketing events zoomsync creates"`
	// Timeline configures timeline events; HubSpot accepts them only from
	// a public app with event templates.
	Timeline TimelineSettings `yaml:"timeline" doc:"timeline events: HubSpot accepts them only from a public app with event templates"`
	// Events is the route of the registration, attendance and recording
	// events on the contact's timeline (docs/events.md); empty means
	// timeline.
	Events string `yaml:"events" doc:"route of the contact timeline events: timeline (a public app's timeline events), custom (custom events: Enterprise, private-app token) or off" default:"timeline"`
}

// EventsRoute is the route of the contact timeline events: Events, or
// load.EventsTimeline when unset.
func (h *HubSpotSettings) EventsRoute() string {
	if h == nil || h.Events == "" {
		return load.EventsTimeline
	}
	return h.Events
}

// TimelineSettings name the public app that owns the event templates. Its
// secrets come from the environment: HUBSPOT_DEVELOPER_KEY (templates) and
// HUBSPOT_APP_TOKEN (the app's OAuth access token, to send events).
type TimelineSettings struct {
	AppID string `yaml:"app_id" doc:"the id of the public app that owns the timeline event templates (tokens: HUBSPOT_DEVELOPER_KEY, HUBSPOT_APP_TOKEN); empty: no timeline events"`
}

// Validate reports every problem of the section, naming the key.
func (h *HubSpotSettings) Validate() error {
	var errs []error
	for _, d := range h.ExcludedContactDomains {
		if d = strings.TrimSpace(d); d == "" || strings.Contains(d, "@") {
			errs = append(errs, fmt.Errorf("hubspot.excluded_contact_domains: %q is not a domain", d))
		}
	}
	if h.Events != "" && !slices.Contains(load.EventRoutes, h.Events) {
		errs = append(errs, fmt.Errorf("hubspot.events: %q: want %s", h.Events, strings.Join(load.EventRoutes, ", ")))
	}
	if id := h.Timeline.AppID; id != "" {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			errs = append(errs, fmt.Errorf("hubspot.timeline.app_id: %q is not an app id", id))
		}
	}
	return errors.Join(errs...)
}

// settingHistoryDDL creates the catalog's record of the hosts' settings
// that apply by date: for each host and setting, one row per period in
// which zoomsync saw the same value, from the first run that saw it to the
// last. Today the one such setting is sync_new_webinars.
const settingHistoryDDL = `
CREATE TABLE IF NOT EXISTS host_settings_history (
	host       VARCHAR NOT NULL,   -- Zoom user id (the email when there is none)
	setting    VARCHAR NOT NULL,   -- sync_new_webinars
	value      BOOLEAN NOT NULL,
	first_seen TIMESTAMP NOT NULL, -- the first run that saw this value (after another, or none)
	last_seen  TIMESTAMP NOT NULL, -- the last run that saw it
	PRIMARY KEY (host, setting, first_seen)
)`

// settingSyncNewWebinars names sync_new_webinars in host_settings_history.
const settingSyncNewWebinars = "sync_new_webinars"

// settingPeriod is one row of host_settings_history.
type settingPeriod struct {
	Value               bool
	FirstSeen, LastSeen time.Time
}

// SettingHistory applies sync_new_webinars ("sync data from newly scheduled
// webinars by default") to the webinars created after the value took
// effect. zoomsync learns of a setting when a run sees it: a run records,
// per host, the value it sees (a new period when it differs from the last
// one, else the last period's last_seen moves to this run). A webinar then
// follows the value of the first period that a run saw after the webinar
// was created (the earliest period whose last_seen is at or after its
// created_at): a webinar that existed while a value was in force keeps the
// decision it had, one created since the last run that saw the old value
// follows the new one. A webinar created before the first run, or whose
// created_at is unknown, follows the first value seen. It is safe for
// concurrent use (the extractor decides webinars concurrently).
type SettingHistory struct {
	z   *ZoomSettings
	now time.Time

	mu      sync.Mutex
	periods map[string][]settingPeriod // by host key, in order
	seen    map[string]bool            // hosts this run observed (to save)
}

// loadSettingHistory reads host_settings_history (creating it when
// missing); now is the run's time, recorded as the time it sees each value.
func loadSettingHistory(ctx context.Context, db *sql.DB, z *ZoomSettings, now time.Time) (*SettingHistory, error) {
	if _, err := db.ExecContext(ctx, settingHistoryDDL); err != nil {
		return nil, fmt.Errorf("creating host_settings_history: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT host, value, first_seen, last_seen FROM host_settings_history
		WHERE setting = ? ORDER BY host, first_seen`, settingSyncNewWebinars)
	if err != nil {
		return nil, fmt.Errorf("reading host_settings_history: %w", err)
	}
	defer rows.Close()
	h := &SettingHistory{z: z, now: now.UTC(), periods: map[string][]settingPeriod{}, seen: map[string]bool{}}
	for rows.Next() {
		var host string
		var p settingPeriod
		if err := rows.Scan(&host, &p.Value, &p.FirstSeen, &p.LastSeen); err != nil {
			return nil, fmt.Errorf("reading host_settings_history: %w", err)
		}
		p.FirstSeen, p.LastSeen = p.FirstSeen.UTC(), p.LastSeen.UTC()
		h.periods[host] = append(h.periods[host], p)
	}
	return h, rows.Err()
}

// Decide implements extract.Selector: the settings' decision, with
// sync_new_webinars applied by the webinar's created_at.
func (h *SettingHistory) Decide(hostID, hostEmail string, webinarID int64, createdAt time.Time) extract.Decision {
	host := cmp.Or(hostID, strings.ToLower(strings.TrimSpace(hostEmail)))
	return h.z.decide(hostID, hostEmail, webinarID, func(current bool) bool {
		return h.valueAt(host, current, createdAt)
	})
}

// valueAt records that this run sees the host's value current and returns
// the value a webinar created at created follows.
func (h *SettingHistory) valueAt(host string, current bool, created time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	ps := h.periods[host]
	switch n := len(ps); {
	case n == 0 || ps[n-1].Value != current:
		ps = append(ps, settingPeriod{Value: current, FirstSeen: h.now, LastSeen: h.now})
	case ps[n-1].LastSeen.Before(h.now):
		ps[n-1].LastSeen = h.now
	}
	h.periods[host], h.seen[host] = ps, true
	if created.IsZero() {
		return ps[0].Value
	}
	for _, p := range ps {
		if !p.LastSeen.Before(created) {
			return p.Value
		}
	}
	return current // created after this run started (clock skew): the current value
}

// save writes the periods of the hosts this run observed.
func (h *SettingHistory) save(ctx context.Context, db *sql.DB) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	hosts := slices.Sorted(maps.Keys(h.seen))
	if len(hosts) == 0 {
		return nil
	}
	var args []any
	for _, host := range hosts {
		for _, p := range h.periods[host] {
			args = append(args, host, settingSyncNewWebinars, p.Value, p.FirstSeen, p.LastSeen)
		}
	}
	q := "INSERT OR REPLACE INTO host_settings_history VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", len(args)/5), ", ")
	if _, err := db.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("saving host_settings_history: %w", err)
	}
	return nil
}
