//go:build duckdb_arrow

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestConfigShow_everySetting: config show prints every setting of the
// settings table and every zoomsync.yaml key, the flag wins over the
// environment, and --format json gives the same rows.
func TestConfigShow_everySetting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zoomsync.yaml")
	os.WriteFile(path, []byte("hubspot:\n  excluded_contact_domains: [ourco.com]\n  external_account_id: acct-x\n  timeline: {app_id: \"42\"}\n"), 0o644)
	t.Setenv("ZOOMSYNC_DATA_DIR", "/from/env")
	t.Setenv("HUBSPOT_DEVELOPER_KEY", "dev-secret")
	t.Setenv("ZOOMSYNC_LOG_LEVEL", "info")
	out, err := run(t, "--config", path, "--data-dir", "/from/flag", "config", "show")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`data_dir\s+/from/flag\s+flag --data-dir`,
		`log_level\s+info\s+env ZOOMSYNC_LOG_LEVEL`,
		`log_format\s+text\s+default`,
		`concurrency\s+8\s+default`,
		`hubspot.developer_key\s+\[set\]\s+env HUBSPOT_DEVELOPER_KEY`,
		`hubspot.app_token\s+\[not set\]`,
		`hubspot.excluded_contact_domains\s+ourco.com\s+` + regexp.QuoteMeta(path),
		`hubspot.external_account_id\s+acct-x\s+` + regexp.QuoteMeta(path),
		`hubspot.timeline.app_id\s+42\s+` + regexp.QuoteMeta(path),
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("config show lacks %q:\n%s", want, out)
		}
	}
	for _, s := range settings {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(s.Key) + `\s`).MatchString(out) {
			t.Errorf("config show omits the setting %s", s.Key)
		}
	}
	if strings.Contains(out, "dev-secret") {
		t.Error("config show printed a secret")
	}
	js, err := run(t, "--config", path, "--data-dir", "/from/flag", "config", "show", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []shownSetting
	if err := json.Unmarshal([]byte(js), &rows); err != nil {
		t.Fatalf("config show --format json: %v\n%s", err, js)
	}
	if len(rows) != strings.Count(out, "\n")-1 || rows[0] != (shownSetting{"data_dir", "/from/flag", "flag --data-dir"}) {
		t.Errorf("json rows %d (first %+v), table rows %d", len(rows), rows[0], strings.Count(out, "\n")-1)
	}
	// With the environment alone, the environment is the source.
	if out, _ := run(t, "config", "show"); !regexp.MustCompile(`data_dir\s+/from/env\s+env ZOOMSYNC_DATA_DIR`).MatchString(out) {
		t.Errorf("data_dir from the environment:\n%s", out)
	}
}

// TestSettings_table: every setting has a key, a meaning and a flag or a
// variable; keys, flags and variables are unique; int defaults parse.
func TestSettings_table(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range settings {
		if s.Key == "" || s.Doc == "" || (s.Flag == "" && s.Env == "") {
			t.Errorf("setting %+v: want a key, a doc and a flag or an environment variable", s)
		}
		for _, id := range []string{"key " + s.Key, "flag " + s.Flag, "env " + s.Env} {
			if !strings.HasSuffix(id, " ") && seen[id] {
				t.Errorf("%s is in the settings table twice", id)
			}
			seen[id] = true
		}
		if s.Kind == "int" {
			if _, err := strconv.Atoi(s.Default); err != nil {
				t.Errorf("setting %s: int default %q does not parse", s.Key, s.Default)
			}
		}
	}
}
