package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
)

// A part file that cannot be finished is discarded with every row in it,
// so the run must keep none of its cursors: the next run fetches again.
func TestRun_failedPartFileKeepsNoCursor(t *testing.T) {
	srv := zoomtest.NewServer(zoomtest.DemoAccount(5), zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	lake := schema.Lake{Dir: t.TempDir()}
	// The participants stream's run folder is a file: its part cannot be created.
	dir := filepath.Dir(lake.RawPart(schema.StreamParticipants, "r1", 0))
	os.MkdirAll(filepath.Dir(dir), 0o755)
	os.WriteFile(dir, []byte("in the way"), 0o644)
	state := NewState(nil)
	_, err := Run(t.Context(), Config{Client: newClient(srv), Lake: lake, RunID: "r1", State: state})
	if err == nil || !strings.Contains(err.Error(), "participants") {
		t.Fatalf("err = %v, want the participants stream's failure", err)
	}
	if n := len(state.Changes()); n != 0 {
		t.Fatalf("%d cursors kept after a failed part file, want 0", n)
	}
}
