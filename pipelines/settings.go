package pipelines

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/extract"
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
//	  lookback_days: 2
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
	// LookbackDays is how long after an instance ends its report,
	// participants and recordings are read again, because Zoom may still be
	// filling them. Zero means 2.
	LookbackDays int `yaml:"lookback_days" default:"2" doc:"days after an instance ends during which its report, participants and recordings are read again (Zoom may still be filling them)"`
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
	for _, d := range z.ExcludedHostDomains {
		if d = strings.TrimSpace(d); d == "" || strings.Contains(d, "@") {
			errs = append(errs, fmt.Errorf("zoom.excluded_host_domains: %q is not a domain", d))
		}
	}
	if z.LookbackDays < 0 {
		errs = append(errs, fmt.Errorf("zoom.lookback_days: %d: want zero or more", z.LookbackDays))
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
)

// Decide implements extract.Selector: whether a webinar of a host syncs,
// and with its recordings. The order: an excluded host domain wins over
// everything; then a per-webinar override; then the host selection and the
// host's sync_new_webinars switch.
func (z *ZoomSettings) Decide(hostID, hostEmail string, webinarID int64) extract.Decision {
	if z == nil {
		return extract.Decision{Sync: true, Recordings: true}
	}
	email := strings.ToLower(strings.TrimSpace(hostEmail))
	hs := z.hostSettings(hostID, email)
	recordings := hs.SyncRecordings == nil || *hs.SyncRecordings
	d := extract.Decision{Sync: true, Recordings: recordings}
	if !recordings {
		d.RecordingsReason = ReasonRecordingsOff
	}
	if _, domain, ok := strings.Cut(email, "@"); ok {
		for _, x := range z.ExcludedHostDomains {
			x = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(x), "@"))
			if domain == x || strings.HasSuffix(domain, "."+x) {
				return extract.Decision{Reason: ReasonHostDomainExcluded}
			}
		}
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
	if hs.SyncNewWebinars != nil && !*hs.SyncNewWebinars {
		return extract.Decision{Reason: ReasonSyncSettingOff}
	}
	return d
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
	if id := h.Timeline.AppID; id != "" {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			errs = append(errs, fmt.Errorf("hubspot.timeline.app_id: %q is not an app id", id))
		}
	}
	return errors.Join(errs...)
}
