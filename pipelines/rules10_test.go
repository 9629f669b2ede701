//go:build duckdb_arrow

package pipelines

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// The end-to-end tests of issue 10's rules 1-3 (docs/rules.md): Zoom simulator → lake →
// HubSpot simulator.

// lakeQuery runs one query on the lake, read-only, and returns its rows as strings.
func lakeQuery(t *testing.T, cfg *Config, q string, args ...any) [][]string {
	t.Helper()
	e, err := transform.OpenReadOnly(t.Context(), lakeOf(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rows, err := e.DB().QueryContext(t.Context(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	return out
}

// auditWebinars returns webinar id → category of the audit rows of a reason.
func auditWebinars(t *testing.T, cfg *Config, reason string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range lakeQuery(t, cfg, "SELECT DISTINCT CAST(webinar_id AS VARCHAR), category FROM audit WHERE reason = ?", reason) {
		out[r[0]] = r[1]
	}
	return out
}

// peopleOf returns the valid emails registered (approved or pending) for, or attending, the
// webinars keep says.
func peopleOf(a *zoomtest.Account, keep func(w *zoomtest.Webinar) bool) map[string]bool {
	out := map[string]bool{}
	for _, w := range a.Webinars {
		if w.Expired || !keep(w) {
			continue
		}
		for _, r := range w.Registrants {
			if e := strings.ToLower(strings.TrimSpace(r.Email)); validEmail(e) && r.Status != "denied" {
				out[e] = true
			}
		}
		for _, in := range w.Instances {
			for _, p := range in.Participants {
				if e := strings.ToLower(strings.TrimSpace(p.Email)); validEmail(e) && p.Status == "in_meeting" {
					out[e] = true
				}
			}
		}
	}
	return out
}

// TestSync_rule1_zoomEventsWebinarsSkipped: the three webinars of the account's Zoom
// Events are listed like any other, but the sync fetches nothing of them (no detail: the
// Zoom Events API told them apart, 4 calls), HubSpot gets no contact for the people who
// only registered for or attended them and no marketing event for their instances, and the
// audit has one zoom_events_webinar row per webinar ("webinar data not synced"), again at
// the next sync, which makes no Zoom Events call.
func TestSync_rule1_zoomEventsWebinarsSkipped(t *testing.T) {
	acct := zoomtest.Generate(zoomtest.GenConfig{Seed: 42})
	cfg, zs, hs := simEnv(t, acct)
	events := acct.EventWebinarIDs()
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); err != nil {
		t.Fatalf("sync: %v", err)
	}
	inEvents := peopleOf(acct, func(w *zoomtest.Webinar) bool { return events[w.ID] })
	elsewhere := peopleOf(acct, func(w *zoomtest.Webinar) bool { return !events[w.ID] })
	only := 0
	for e := range inEvents {
		if elsewhere[e] {
			continue
		}
		only++
		if _, ok := hs.Contact(e); ok {
			t.Errorf("%s, who only took part in Zoom Events webinars, became a contact", e)
		}
	}
	if only == 0 {
		t.Fatal("nobody takes part in the Zoom Events webinars only: the test shows nothing")
	}
	for _, w := range acct.Webinars {
		if !events[w.ID] {
			continue
		}
		for _, in := range w.Instances {
			for _, me := range hs.MarketingEvents() {
				if strings.Contains(me.Name, w.Topic) {
					t.Errorf("marketing event %q for the Zoom Events webinar %d", me.Name, w.ID)
				}
			}
			_ = in
		}
	}
	got := auditWebinars(t, cfg, schema.ReasonZoomEventsWebinar)
	for id := range events {
		if got[fmt.Sprint(id)] != schema.CategoryWebinarDataNotSynced {
			t.Errorf("audit of Zoom Events webinar %d: %q, want a %s row", id, got[fmt.Sprint(id)], schema.ReasonZoomEventsWebinar)
		}
	}
	if n := lakeQuery(t, cfg, "SELECT count(*) FROM raw_webinars WHERE id IN (SELECT webinar_id FROM audit WHERE reason = ?)",
		schema.ReasonZoomEventsWebinar); n[0][0] != "0" {
		t.Errorf("%s details of Zoom Events webinars in the lake, want 0", n[0][0])
	}
	t.Logf("%d people only in Zoom Events webinars; Zoom calls %v", only, zs.Stats().ByRoute)

	zs.ResetStats()
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); err != nil {
		t.Fatalf("second sync: %v", err)
	}
	if by := zs.Stats().ByRoute; by["GET /zoom_events/events"]+by["GET /zoom_events/events/{eventId}/sessions"] != 0 {
		t.Errorf("second sync called the Zoom Events API: %v", by)
	}
	if got := auditWebinars(t, cfg, schema.ReasonZoomEventsWebinar); len(got) != len(events) {
		t.Errorf("second sync audits %v, want the %d Zoom Events webinars", got, len(events))
	}
}

// TestSync_rule2_syncNewWebinarsByCreatedAt: sync_new_webinars applies to the webinars
// created after it took effect. Sync with the host's setting on; switch it off and create a
// webinar (a registrant with a new email): the second sync skips the new webinar
// (sync_setting_off) while the host's older webinars keep syncing (no audit row, no contact
// changes). Switch it on again and create another webinar: the third sync syncs the newest
// one, and the one created while the setting was off keeps its decision.
func TestSync_rule2_syncNewWebinarsByCreatedAt(t *testing.T) {
	acct := zoomtest.DemoAccount(1)
	cfg, _, hs := simEnv(t, acct)
	host := acct.Users[0]
	on, off := true, false
	cfg.Settings = &ZoomSettings{HostSettings: map[string]HostSettings{host.Email: {SyncNewWebinars: &on}}}
	res, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("first sync: %v", err)
	}
	contacts := res.Load.Created

	newWebinar := func(id int64, email string) *zoomtest.Webinar {
		w := &zoomtest.Webinar{ID: id, UUID: fmt.Sprintf("rule2-%d==", id), HostID: host.ID, HostEmail: host.Email,
			Topic: "Scheduled after the switch", Type: 5, StartTime: acct.Now.Add(10 * 24 * time.Hour), Duration: 60,
			Timezone: "UTC", CreatedAt: time.Now().UTC().Truncate(time.Second), JoinURL: fmt.Sprintf("https://zoom.us/j/%d", id),
			ApprovalType: 0, AutoRecording: "cloud"}
		w.Registrants = []*zoomtest.Registrant{{ID: fmt.Sprintf("r%d", id), Email: email, FirstName: "New", LastName: "Comer",
			Status: "approved", CreateTime: acct.Now.Add(-time.Hour), JoinURL: w.JoinURL + "?tk=1"}}
		acct.Webinars = append(acct.Webinars, w)
		return w
	}
	// Zoom's created_at has whole seconds: the new webinar must be created in a later second
	// than the last sync ran in (not a wait for a request to land: the clock's resolution).
	time.Sleep(1100 * time.Millisecond)
	cfg.Settings.HostSettings[host.Email] = HostSettings{SyncNewWebinars: &off}
	w2 := newWebinar(88800000002, "created.while.off@example.org")
	res, err = Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("second sync: %v", err)
	}
	skipped := auditWebinars(t, cfg, schema.ReasonSyncSettingOff)
	if len(skipped) != 1 || skipped[fmt.Sprint(w2.ID)] != schema.CategorySyncSettingDisabled {
		t.Errorf("sync_setting_off rows %v, want the new webinar %d only", skipped, w2.ID)
	}
	if _, ok := hs.Contact("created.while.off@example.org"); ok {
		t.Error("the registrant of the webinar created while the setting was off became a contact")
	}
	if res.Load.Created != 0 || res.Load.Updated != 0 || res.Load.Unchanged != contacts {
		t.Errorf("second sync: %d created, %d updated, %d unchanged; want 0, 0, %d (the older webinars keep syncing)",
			res.Load.Created, res.Load.Updated, res.Load.Unchanged, contacts)
	}

	time.Sleep(1100 * time.Millisecond)
	cfg.Settings.HostSettings[host.Email] = HostSettings{SyncNewWebinars: &on}
	w3 := newWebinar(88800000003, "created.after.on@example.org")
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); err != nil {
		t.Fatalf("third sync: %v", err)
	}
	if _, ok := hs.Contact("created.after.on@example.org"); !ok {
		t.Errorf("the registrant of webinar %d, created after the setting was back on, is no contact", w3.ID)
	}
	if _, ok := hs.Contact("created.while.off@example.org"); ok {
		t.Error("the webinar created while the setting was off lost its decision")
	}
	if skipped := auditWebinars(t, cfg, schema.ReasonSyncSettingOff); len(skipped) != 1 || skipped[fmt.Sprint(w2.ID)] == "" {
		t.Errorf("third sync: sync_setting_off rows %v, want webinar %d only", skipped, w2.ID)
	}
	hist := lakeQuery(t, cfg, "SELECT value FROM host_settings_history WHERE host = ? ORDER BY first_seen", host.ID)
	if fmt.Sprint(hist) != "[[true] [false] [true]]" {
		t.Errorf("host_settings_history of %s: %v, want on, off, on", host.ID, hist)
	}
}

// TestSync_rule3_recordingDomainsExcluded: hosts whose email domain is in
// zoom.excluded_recording_domains have their webinars synced (contacts, marketing events)
// but their recordings and transcripts neither fetched nor sent (no call in HubSpot), with
// one recording_domain_excluded audit row per instance. Moving the exclusion to another
// host drops that host's recordings fetched earlier from what is sent, and fetches the first
// host's.
func TestSync_rule3_recordingDomainsExcluded(t *testing.T) {
	acct := zoomtest.DemoAccount(1)
	a, b := acct.Users[0], acct.Users[1]
	for i, u := range []*zoomtest.User{a, b} {
		u.Email = strings.Replace(u.Email, "@", fmt.Sprintf("@board-%c.", 'a'+i), 1)
		for _, w := range acct.Webinars {
			if w.HostID == u.ID {
				w.HostEmail = u.Email
			}
		}
	}
	cfg, _, hs := simEnv(t, acct)
	domainA := a.Email[strings.IndexByte(a.Email, '@')+1:]
	domainB := b.Email[strings.IndexByte(b.Email, '@')+1:]
	cfg.Settings = &ZoomSettings{ExcludedRecordingDomains: []string{domainA}}
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	byHost := func(q, hostID string) string { return lakeQuery(t, cfg, q, hostID)[0][0] }
	const (
		fetched  = "SELECT count(*) FROM raw_recordings r JOIN stg_webinars w ON w.id = r.webinar_id WHERE w.host_id = ?"
		cues     = "SELECT count(*) FROM raw_transcripts r JOIN stg_webinars w ON w.id = r.webinar_id WHERE w.host_id = ?"
		sent     = "SELECT count(*) FROM recording_events r JOIN stg_webinars w ON w.id = r.webinar_id WHERE w.host_id = ?"
		audited  = "SELECT count(DISTINCT a.instance_uuid) FROM audit a JOIN stg_webinars w ON w.id = a.webinar_id WHERE w.host_id = ? AND a.reason = 'recording_domain_excluded'"
		marketed = "SELECT count(*) FROM marketing_events m JOIN stg_webinars w ON w.id = m.webinar_id WHERE w.host_id = ?"
	)
	if byHost(fetched, a.ID) != "0" || byHost(cues, a.ID) != "0" {
		t.Errorf("recordings (%s) or transcript cues (%s) of host %s were fetched", byHost(fetched, a.ID), byHost(cues, a.ID), a.Email)
	}
	if byHost(audited, a.ID) == "0" || byHost(marketed, a.ID) == "0" {
		t.Errorf("host %s: %s instances audited recording_domain_excluded, %s marketing events; want some of both",
			a.Email, byHost(audited, a.ID), byHost(marketed, a.ID))
	}
	if byHost(sent, b.ID) == "0" {
		t.Fatalf("host %s has no recording sent: the second half shows nothing", b.Email)
	}
	callsBefore := len(hs.Calls())
	if want := lakeQuery(t, cfg, "SELECT count(*) FROM recording_events")[0][0]; fmt.Sprint(callsBefore) != want {
		t.Errorf("HubSpot holds %d calls, the lake's recording events are %s", callsBefore, want)
	}

	cfg.Settings.ExcludedRecordingDomains = []string{domainB}
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); err != nil {
		t.Fatalf("second sync: %v", err)
	}
	if byHost(sent, b.ID) != "0" || byHost(audited, b.ID) == "0" {
		t.Errorf("host %s after its exclusion: %s recordings sent, %s instances audited", b.Email, byHost(sent, b.ID), byHost(audited, b.ID))
	}
	if byHost(fetched, a.ID) == "0" || byHost(sent, a.ID) == "0" || byHost(audited, a.ID) != "0" {
		t.Errorf("host %s after the exclusion moved: %s fetched, %s sent, %s audited", a.Email,
			byHost(fetched, a.ID), byHost(sent, a.ID), byHost(audited, a.ID))
	}
}

// TestSync_recordingsSettingOffStopsSending: a host's sync_recordings
// switched off after a first sync stops its recordings from being sent,
// those fetched before included (audited recordings_setting_off); the other
// host's recordings still are.
func TestSync_recordingsSettingOffStopsSending(t *testing.T) {
	acct := zoomtest.DemoAccount(1)
	cfg, _, _ := simEnv(t, acct)
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	const (
		sent    = "SELECT count(*) FROM recording_events r JOIN stg_webinars w ON w.id = r.webinar_id WHERE w.host_id = ?"
		audited = "SELECT count(DISTINCT a.instance_uuid) FROM audit a JOIN stg_webinars w ON w.id = a.webinar_id WHERE w.host_id = ? AND a.reason = 'recordings_setting_off'"
	)
	byHost := func(q, hostID string) string { return lakeQuery(t, cfg, q, hostID)[0][0] }
	var off, on *zoomtest.User
	for _, u := range acct.Users {
		if byHost(sent, u.ID) == "0" {
			continue
		}
		if off == nil {
			off = u
		} else if on == nil {
			on = u
		}
	}
	if on == nil {
		t.Fatal("fewer than two hosts have recordings sent")
	}
	onBefore := byHost(sent, on.ID)
	no := false
	cfg.Settings = &ZoomSettings{HostSettings: map[string]HostSettings{off.Email: {SyncRecordings: &no}}}
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); err != nil {
		t.Fatalf("second sync: %v", err)
	}
	if byHost(sent, off.ID) != "0" || byHost(audited, off.ID) == "0" {
		t.Errorf("host %s with sync_recordings off: %s recordings still sent, %s instances audited",
			off.Email, byHost(sent, off.ID), byHost(audited, off.ID))
	}
	if got := byHost(sent, on.ID); got != onBefore {
		t.Errorf("host %s: %s recordings sent, %s before", on.Email, got, onBefore)
	}
}
