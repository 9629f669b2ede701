//go:build duckdb_arrow

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// simEnv points the environment at a Zoom and a HubSpot simulator.
func simEnv(t *testing.T, hsOpts ...hubspottest.Option) (*zoomtest.Server, *hubspottest.Server) {
	t.Helper()
	zs := zoomtest.NewServer(zoomtest.DemoAccount(1), zoomtest.WithPlan("unlimited"))
	t.Cleanup(zs.Close)
	hs := hubspottest.NewServer(append([]hubspottest.Option{hubspottest.WithTier("unlimited")}, hsOpts...)...)
	t.Cleanup(hs.Close)
	for k, v := range map[string]string{
		"ZOOM_API_URL": zs.APIURL(), "ZOOM_OAUTH_URL": zs.OAuthURL(), "ZOOM_ACCOUNT_ID": "demo-account",
		"ZOOM_CLIENT_ID": "demo-client", "ZOOM_CLIENT_SECRET": "demo-secret",
		"HUBSPOT_API_URL": hs.URL, "HUBSPOT_TOKEN": hubspottest.DefaultToken,
	} {
		t.Setenv(k, v)
	}
	return zs, hs
}

func TestDoctor_allGood(t *testing.T) {
	simEnv(t)
	dir := t.TempDir()
	out, err := run(t, "--data-dir", dir, "doctor", "--zoom-plan", "unlimited", "--hubspot-tier", "unlimited")
	if err != nil {
		t.Fatalf("doctor: %v\n%s", err, out)
	}
	for _, want := range []string{
		`ok +config`, `ok +zoom credentials +an access token was issued for account demo-account`, `ok +zoom scopes +every scope`,
		`ok +zoom api`, `ok +hubspot credentials +the token writes to portal 62515`, `ok +hubspot scopes +every scope`,
		`ok +hubspot rate limits`, `ok +lake lock`, `ok +lake manifest`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "FAIL") {
		t.Errorf("a check failed:\n%s", out)
	}
}

func TestDoctor_problemsWithTheirFixes(t *testing.T) {
	simEnv(t, hubspottest.WithScopes("crm.objects.contacts.read", "crm.objects.contacts.write"))
	dir := t.TempDir()
	// A lake with a temporary file an interrupted run left.
	os.MkdirAll(filepath.Join(dir, "raw", "users"), 0o755)
	os.WriteFile(filepath.Join(dir, "raw", "users", ".part-1.tmp"), []byte("x"), 0o644)
	t.Setenv("ZOOM_CLIENT_SECRET", "wrong")
	out, err := run(t, "--data-dir", dir, "doctor", "--zoom-plan", "unlimited", "--hubspot-tier", "unlimited")
	if exitCode(err) != 1 {
		t.Fatalf("doctor with problems: exit %d (%v), want 1\n%s", exitCode(err), err, out)
	}
	for _, want := range []string{
		`FAIL +zoom credentials +Zoom refused the credentials`, `fix: copy ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET`,
		`FAIL +hubspot scopes +the token lacks crm.schemas.contacts.read`, `crm.objects.marketing_events.write`, `fix: add these scopes to the private app`,
		`WARN +lake temp files +1 temporary files`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "wrong") {
		t.Error("doctor printed a secret")
	}
}

// TestSync_wrongHubSpotTokenFailsBeforeZoom: sync's preflight finds a wrong
// HubSpot token with the doctor's message before any Zoom quota is spent:
// Zoom sees the preflight's token fetch at most.
func TestSync_wrongHubSpotTokenFailsBeforeZoom(t *testing.T) {
	zs, _ := simEnv(t)
	t.Setenv("HUBSPOT_TOKEN", "pat-na1-wrong")
	out, err := run(t, "--data-dir", t.TempDir(), "sync", "--zoom-plan", "unlimited", "--hubspot-tier", "unlimited")
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("sync with a wrong HubSpot token: exit %d (%v)", exitCode(err), err)
	}
	for _, want := range []string{"hubspot credentials: HubSpot refused the token", "fix: copy the private app's access token"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error()+out, "pat-na1-wrong") {
		t.Error("the token reached the output")
	}
	if st := zs.Stats(); st.Total > 1 || st.Total != st.ByRoute["POST /oauth/token"] {
		t.Errorf("Zoom answered %d calls (%v) before the refusal, want the token fetch at most", st.Total, st.ByRoute)
	}
}

// TestConfigValidate: exit 0 for a valid configuration, 1 listing each
// problem, 2 for a usage error.
func TestConfigValidate(t *testing.T) {
	simEnv(t)
	if out, err := run(t, "config", "validate"); err != nil || !strings.Contains(out, "configuration valid") {
		t.Fatalf("valid: %q, %v", out, err)
	}
	path := filepath.Join(t.TempDir(), "zoomsync.yaml")
	os.WriteFile(path, []byte("zoom:\n  lookback_days: -1\n"), 0o644)
	t.Setenv("HUBSPOT_TOKEN", "")
	out, err := run(t, "--config", path, "config", "validate")
	if exitCode(err) != 1 || !strings.Contains(out, "zoom.lookback_days: -1") || !strings.Contains(out, "hubspot token missing") {
		t.Errorf("invalid: exit %d (%v)\n%s", exitCode(err), err, out)
	}
	if _, err := run(t, "config", "validate", "extra"); exitCode(err) != 2 {
		t.Errorf("an argument: exit %d, want 2", exitCode(err))
	}
}
