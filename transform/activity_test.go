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
// testdata/activity-events/derivation.md derives each row by hand.
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
