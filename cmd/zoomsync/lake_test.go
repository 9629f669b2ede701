//go:build duckdb_arrow

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
)

// TestLakeVerify: a sound lake verifies (exit 0); a deleted raw file is
// named and exits 1; --repair moves it aside, marks its stages lost and
// exits 0; the transform then refuses (exit 1) naming the file until an
// extract fetched the stages again.
func TestLakeVerify(t *testing.T) {
	zs := zoomtest.NewServer(zoomtest.DemoAccount(1), zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	t.Setenv("ZOOM_API_URL", zs.APIURL())
	t.Setenv("ZOOM_OAUTH_URL", zs.OAuthURL())
	t.Setenv("ZOOM_ACCOUNT_ID", "demo-account")
	t.Setenv("ZOOM_CLIENT_ID", "demo-client")
	t.Setenv("ZOOM_CLIENT_SECRET", "demo-secret")
	dir := filepath.Join(t.TempDir(), "lake")
	if out, err := run(t, "--data-dir", dir, "extract", "--zoom-plan", "unlimited"); err != nil {
		t.Fatalf("extract: %v\n%s", err, out)
	}
	out, err := run(t, "--data-dir", dir, "lake", "verify")
	if err != nil || !regexp.MustCompile(`: [1-9]\d* files in the manifest, 0 bad\n`).MatchString(out) {
		t.Fatalf("verify of a sound lake: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(schema.Lake{Dir: dir}.RawGlob(schema.StreamAbsentees))
	if len(files) == 0 {
		t.Fatal("no absentees file")
	}
	os.Remove(files[0])
	name := filepath.ToSlash(strings.TrimPrefix(files[0], dir+string(filepath.Separator)))
	out, err = run(t, "--data-dir", dir, "lake", "verify")
	if exitCode(err) != 1 || !strings.Contains(out, name+" (missing)") {
		t.Fatalf("verify with a file deleted: exit %d (%v)\n%s", exitCode(err), err, out)
	}
	out, err = run(t, "--data-dir", dir, "lake", "verify", "--repair")
	if err != nil || !strings.Contains(out, "repaired") || !strings.Contains(out, "absentees") {
		t.Fatalf("verify --repair: %v\n%s", err, out)
	}
	_, err = run(t, "--data-dir", dir, "transform")
	if exitCode(err) != 1 || err == nil || !strings.Contains(err.Error(), "lake is incomplete") || !strings.Contains(err.Error(), "absentees") {
		t.Fatalf("transform with lost stages: exit %d, %v", exitCode(err), err)
	}
	if out, err := run(t, "--data-dir", dir, "extract", "--zoom-plan", "unlimited"); err != nil {
		t.Fatalf("extract: %v\n%s", err, out)
	}
	// A temporary part file a killed run left is removed by the next run.
	tmp := filepath.Join(dir, "raw", schema.StreamParticipants, "run=killed", ".part-0.parquet.123.tmp")
	os.MkdirAll(filepath.Dir(tmp), 0o755)
	os.WriteFile(tmp, nil, 0o644)
	if out, err := run(t, "--data-dir", dir, "transform"); err != nil {
		t.Fatalf("transform after the re-fetch: %v\n%s", err, out)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("the temporary file a killed run left is still there (%v)", err)
	}
}
