package pipelines

import (
	"reflect"
	"testing"
	"time"
)

// TestZoomSettings_SessionGap: zoom.session_gap_minutes defaults to 15, 0
// turns stitching off, a negative gap is refused, and the key carries the
// doc and default tags the configuration reference is generated from.
func TestZoomSettings_SessionGap(t *testing.T) {
	for _, tc := range []struct {
		yaml string
		want time.Duration
	}{
		{"zoom:\n  hosts: all\n", 15 * time.Minute},
		{"zoom:\n  session_gap_minutes: 0\n", 0},
		{"zoom:\n  session_gap_minutes: 30\n", 30 * time.Minute},
	} {
		fc, err := ParseFileConfig("zoomsync.yaml", []byte(tc.yaml))
		if err != nil {
			t.Fatalf("%q: %v", tc.yaml, err)
		}
		if got := fc.Zoom.SessionGap(); got != tc.want {
			t.Errorf("%q: SessionGap() = %v, want %v", tc.yaml, got, tc.want)
		}
	}
	if got := (*ZoomSettings)(nil).SessionGap(); got != 15*time.Minute {
		t.Errorf("no settings: SessionGap() = %v, want 15m", got)
	}
	if _, err := ParseFileConfig("zoomsync.yaml", []byte("zoom:\n  session_gap_minutes: -5\n")); err == nil {
		t.Error("a negative session_gap_minutes was accepted")
	}
	f, _ := reflect.TypeFor[ZoomSettings]().FieldByName("SessionGapMinutes")
	if f.Tag.Get("yaml") != "session_gap_minutes" || f.Tag.Get("doc") == "" || f.Tag.Get("default") != "15" {
		t.Errorf("SessionGapMinutes tags %q: want yaml session_gap_minutes, a doc and default 15", f.Tag)
	}
}
