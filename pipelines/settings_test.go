package pipelines

import (
	"strings"
	"testing"
)

func boolp(b bool) *bool { return &b }

func TestZoomSettings_Decide_matrix(t *testing.T) {
	const (
		ana = "ana@acme.example"    // a selected host
		bob = "bob@acme.example"    // another host
		pat = "pat@partner.example" // a host in an excluded domain
		sub = "sam@eu.partner.example"
		lok = "lou@notpartner.example" // a look-alike domain: not excluded
	)
	base := func() *ZoomSettings {
		return &ZoomSettings{ExcludedHostDomains: []string{"partner.example"}}
	}
	for _, tc := range []struct {
		name        string
		settings    func() *ZoomSettings
		host        string
		webinar     int64
		wantSync    bool
		wantReason  string
		wantRecords bool
	}{
		{"nil settings sync everything", func() *ZoomSettings { return nil }, ana, 1, true, "", true},
		{"all hosts by default", base, ana, 1, true, "", true},
		{"hosts none", func() *ZoomSettings { s := base(); s.Hosts = HostSelection{Mode: "none"}; return s }, ana, 1, false, ReasonHostNotSelected, false},
		{"host in list by email", func() *ZoomSettings {
			s := base()
			s.Hosts = HostSelection{Mode: "list", List: []string{ana}}
			return s
		}, ana, 1, true, "", true},
		{"host in list by id", func() *ZoomSettings {
			s := base()
			s.Hosts = HostSelection{Mode: "list", List: []string{"id-bob"}}
			return s
		}, bob, 1, true, "", true},
		{"host not in list", func() *ZoomSettings {
			s := base()
			s.Hosts = HostSelection{Mode: "list", List: []string{ana}}
			return s
		}, lok, 1, false, ReasonHostNotSelected, false},
		{"new webinars off by default", func() *ZoomSettings { s := base(); s.Defaults.SyncNewWebinars = boolp(false); return s }, ana, 1, false, ReasonSyncSettingOff, false},
		{"new webinars off for one host", func() *ZoomSettings {
			s := base()
			s.HostSettings = map[string]HostSettings{"ANA@acme.example": {SyncNewWebinars: boolp(false)}}
			return s
		}, ana, 1, false, ReasonSyncSettingOff, false},
		{"off for one host, other host unaffected", func() *ZoomSettings {
			s := base()
			s.HostSettings = map[string]HostSettings{ana: {SyncNewWebinars: boolp(false)}}
			return s
		}, bob, 1, true, "", true},
		{"webinar forced on beats host switch", func() *ZoomSettings {
			s := base()
			s.Defaults.SyncNewWebinars = boolp(false)
			s.Webinars = map[string]Toggle{"812-3456-7890": true}
			return s
		}, ana, 81234567890, true, "", true},
		{"webinar forced on beats host selection", func() *ZoomSettings {
			s := base()
			s.Hosts = HostSelection{Mode: "none"}
			s.Webinars = map[string]Toggle{"81234567890": true}
			return s
		}, ana, 81234567890, true, "", true},
		{"webinar forced off", func() *ZoomSettings { s := base(); s.Webinars = map[string]Toggle{"5": false}; return s }, ana, 5, false, ReasonWebinarSwitchedOff, false},
		{"other webinar not affected by override", func() *ZoomSettings { s := base(); s.Webinars = map[string]Toggle{"5": false}; return s }, ana, 6, true, "", true},
		{"excluded domain", base, pat, 1, false, ReasonHostDomainExcluded, false},
		{"excluded subdomain", base, sub, 1, false, ReasonHostDomainExcluded, false},
		{"look-alike domain is not excluded", base, lok, 1, true, "", true},
		{"excluded domain beats forced on", func() *ZoomSettings { s := base(); s.Webinars = map[string]Toggle{"7": true}; return s }, pat, 7, false, ReasonHostDomainExcluded, false},
		{"recordings off by default", func() *ZoomSettings { s := base(); s.Defaults.SyncRecordings = boolp(false); return s }, ana, 1, true, "", false},
		{"recordings back on for one host", func() *ZoomSettings {
			s := base()
			s.Defaults.SyncRecordings = boolp(false)
			s.HostSettings = map[string]HostSettings{ana: {SyncRecordings: boolp(true)}}
			return s
		}, ana, 1, true, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hostID := "id-" + strings.Split(tc.host, "@")[0]
			d := tc.settings().Decide(hostID, tc.host, tc.webinar)
			if d.Sync != tc.wantSync || d.Reason != tc.wantReason || (d.Sync && d.Recordings != tc.wantRecords) {
				t.Errorf("Decide(%s, %d) = %+v; want sync %v reason %q recordings %v", tc.host, tc.webinar, d, tc.wantSync, tc.wantReason, tc.wantRecords)
			}
			if d.Sync && !d.Recordings && d.RecordingsReason != ReasonRecordingsOff {
				t.Errorf("recordings off without reason: %+v", d)
			}
		})
	}
}

func TestParseFileConfig_zoomSettings(t *testing.T) {
	fc, err := ParseFileConfig("zoomsync.yaml", []byte(`
zoom:
  hosts: [Ana@Acme.example, id-bob]
  defaults: {sync_new_webinars: false}
  host_settings:
    ana@acme.example: {sync_recordings: false}
  webinars:
    "812 3456 7890": on
    "5": off
  excluded_host_domains: [partner.example]
  lookback_days: 3
hubspot:
  excluded_contact_domains: [acme.example]
`))
	if err != nil {
		t.Fatal(err)
	}
	z := fc.Zoom
	if z.Hosts.Mode != "list" || len(z.Hosts.List) != 2 || z.Hosts.List[0] != "ana@acme.example" {
		t.Errorf("hosts = %+v", z.Hosts)
	}
	if !bool(z.Webinars["812 3456 7890"]) || bool(z.Webinars["5"]) || z.Lookback().Hours() != 72 {
		t.Errorf("webinars %v, lookback %v", z.Webinars, z.Lookback())
	}
	if d := z.Decide("x", "ana@acme.example", 81234567890); !d.Sync || d.Recordings {
		t.Errorf("forced-on webinar of ana: %+v, want sync without recordings", d)
	}
	for _, bad := range []string{
		"zoom:\n  hosts: some\n",
		"zoom:\n  webinars:\n    abc: on\n",
		"zoom:\n  webinars:\n    \"5\": maybe\n",
		"zoom:\n  lookback_days: -1\n",
		"zoom:\n  host_setting: {}\n",
		"hubspot:\n  timeline: {app_id: abc}\n",
	} {
		if _, err := ParseFileConfig("zoomsync.yaml", []byte(bad)); err == nil {
			t.Errorf("ParseFileConfig(%q) succeeded", bad)
		}
	}
}
