package transform

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/zoomsync/zoomsync/schema"
)

// TestEngine_Run_activityGolden compares the activity tables of every
// testdata/<case> that has a want_marketing_events.json with its
// want_<table>.json files (go test ./transform -update rewrites them).
//
// Hand check of activity-events (webinars 3001 Roadmap, 3002 Processing,
// 3003 switched off by a setting in the newest extraction):
//
//	registration_events  ana (3001 approved, as " Ana@Example.com"; 3002) and
//	                     bob (3001 pending): 3 rows. den (denied) and
//	                     typo@example.con (invalid) are no contacts; off@
//	                     registered for 3003 only, which is switched off.
//	attendance_events    instance "i/1+a==" 10:00-11:00: ana 09:55-10:30 and
//	                     10:40-11:10 -> first join 09:55, last leave 11:10,
//	                     30 + 20 = 50 min, 83.33 %; carl 10:15-10:45 -> 30 min,
//	                     50 %; bob was only in the waiting room, the guest has
//	                     no email. i-3 15:00-15:45: ana 9 min, 20 %. 3 rows.
//	recording_events     only "i/1+a==": its latest snapshot has a ready MP4
//	                     (play/video; the older snapshot's MP4 was still
//	                     processing), duration 61, transcript of the latest
//	                     TRANSCRIPT snapshot in cue order ("Hana Host: …",
//	                     then the speakerless cue trimmed), not the CC file;
//	                     attendees ana and carl. i-3's MP4 is processing;
//	                     i-4 is switched off.
//	marketing_events     the three held instances of 3001 and 3002 (i-2 has no
//	                     report: end = start + 60 min, nobody attended);
//	                     registered = the eligible registrants of the webinar.
func TestEngine_Run_activityGolden(t *testing.T) {
	cases, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		dir := filepath.Join("testdata", c.Name())
		if _, err := os.Stat(filepath.Join(dir, "want_marketing_events.json")); err != nil && !*update {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "raw", "recordings.json")); err != nil {
			continue // activity golden files are kept for the cases with recordings
		}
		t.Run(c.Name(), func(t *testing.T) {
			t.Parallel()
			lake := schema.Lake{Dir: t.TempDir()}
			writeRawFixtures(t, lake, filepath.Join(dir, "raw"))
			ctx := context.Background()
			e, err := Open(ctx, lake)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if _, err := e.Run(ctx, goldenRunID); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(dir, "want_registration_events.json"),
				readOut[schema.RegistrationEvent](t, lake.Out(schema.TableRegistrationEvents)))
			golden(t, filepath.Join(dir, "want_attendance_events.json"),
				readOut[schema.AttendanceEvent](t, lake.Out(schema.TableAttendanceEvents)))
			golden(t, filepath.Join(dir, "want_recording_events.json"),
				readOut[schema.RecordingEvent](t, lake.Out(schema.TableRecordingEvents)))
			golden(t, filepath.Join(dir, "want_marketing_events.json"),
				readOut[schema.MarketingEvent](t, lake.Out(schema.TableMarketingEvents)))
			// The views over the new files answer for notebooks.
			for _, v := range []string{"registration_events", "attendance_events", "recording_events", "marketing_events"} {
				var n int
				if err := e.DB().QueryRowContext(ctx, "SELECT count(*) FROM "+v).Scan(&n); err != nil {
					t.Errorf("%s view: %v", v, err)
				}
			}
		})
	}
}
