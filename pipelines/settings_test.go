package pipelines

import (
	"strings"
	"testing"
	"time"
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
		{"recording domain excluded: webinar syncs without recordings", func() *ZoomSettings {
			s := base()
			s.ExcludedRecordingDomains = []string{"acme.example"}
			return s
		}, ana, 1, true, "", false},
		{"recording domain excluded, subdomain", func() *ZoomSettings {
			s := base()
			s.ExcludedRecordingDomains = []string{"partner.example"}
			s.ExcludedHostDomains = nil
			return s
		}, sub, 1, true, "", false},
		{"recording domain: look-alike not excluded", func() *ZoomSettings {
			s := base()
			s.ExcludedRecordingDomains = []string{"partner.example"}
			return s
		}, lok, 1, true, "", true},
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
			d := tc.settings().Decide(hostID, tc.host, tc.webinar, time.Time{})
			if d.Sync != tc.wantSync || d.Reason != tc.wantReason || (d.Sync && d.Recordings != tc.wantRecords) {
				t.Errorf("Decide(%s, %d) = %+v; want sync %v reason %q recordings %v", tc.host, tc.webinar, d, tc.wantSync, tc.wantReason, tc.wantRecords)
			}
			wantWhy := ReasonRecordingsOff
			if tc.settings() != nil && len(tc.settings().ExcludedRecordingDomains) > 0 {
				wantWhy = ReasonRecordingDomain
			}
			if d.Sync && !d.Recordings && d.RecordingsReason != wantWhy {
				t.Errorf("recordings off with reason %q, want %q: %+v", d.RecordingsReason, wantWhy, d)
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
	if d := z.Decide("x", "ana@acme.example", 81234567890, time.Time{}); !d.Sync || d.Recordings {
		t.Errorf("forced-on webinar of ana: %+v, want sync without recordings", d)
	}
	for _, bad := range []string{
		"zoom:\n  hosts: some\n",
		"zoom:\n  webinars:\n    abc: on\n",
		"zoom:\n  webinars:\n    \"5\": maybe\n",
		"zoom:\n  lookback_days: -1\n",
		"zoom:\n  excluded_recording_domains: [ana@acme.example]\n",
		"zoom:\n  host_setting: {}\n",
		"hubspot:\n  timeline: {app_id: abc}\n",
	} {
		if _, err := ParseFileConfig("zoomsync.yaml", []byte(bad)); err == nil {
			t.Errorf("ParseFileConfig(%q) succeeded", bad)
		}
	}
}

// TestSettingHistory_valueAt: sync_new_webinars applies by created_at. Runs at t1 and t2
// see the host's value on, a run at t3 sees it off, a run at t4 on again: a webinar created
// up to t2 follows on (the decision it had), one created after t2 up to t3 follows off, one
// created after t3 up to t4 on; before the first run or unknown, the first value.
func TestSettingHistory_valueAt(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	h := &SettingHistory{periods: map[string][]settingPeriod{}, seen: map[string]bool{}}
	run := func(now time.Time, value bool) {
		h.now = now
		h.valueAt("ana", value, now)
	}
	run(at(10), true)
	run(at(20), true)
	run(at(30), false)
	run(at(40), true)
	if n := len(h.periods["ana"]); n != 3 {
		t.Fatalf("%d periods, want 3: %+v", n, h.periods["ana"])
	}
	for _, tc := range []struct {
		created time.Time
		want    bool
	}{
		{time.Time{}, true}, {at(1), true}, {at(15), true}, {at(20), true},
		{at(21), false}, {at(30), false}, {at(31), true}, {at(40), true},
	} {
		if got := h.valueAt("ana", true, tc.created); got != tc.want {
			t.Errorf("created %v: %v, want %v", tc.created, got, tc.want)
		}
	}
	if h.periods["ana"][2].LastSeen != at(40) || len(h.periods["ana"]) != 3 {
		t.Errorf("asking again in the same run changed the periods: %+v", h.periods["ana"])
	}
}
