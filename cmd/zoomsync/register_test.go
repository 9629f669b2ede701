//go:build duckdb_arrow

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
)

// registerEnv starts a simulator over a fresh demo account, points the
// environment at it and returns the upcoming webinar that takes
// first/last/email (manual approval).
func registerEnv(t *testing.T) (*zoomtest.Server, *zoomtest.Webinar) {
	t.Helper()
	acct := zoomtest.DemoAccount(5)
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	t.Cleanup(zs.Close)
	t.Setenv("ZOOM_API_URL", zs.APIURL())
	t.Setenv("ZOOM_OAUTH_URL", zs.OAuthURL())
	t.Setenv("ZOOM_ACCOUNT_ID", "demo-account")
	t.Setenv("ZOOM_CLIENT_ID", "demo-client")
	t.Setenv("ZOOM_CLIENT_SECRET", "demo-secret")
	t.Setenv("ZOOM_PLAN", "unlimited")
	for _, w := range acct.Webinars {
		if w.StartTime.After(acct.Now) && w.CustomQuestions == nil {
			return zs, w
		}
	}
	t.Fatal("no open upcoming webinar")
	return nil, nil
}

func TestRegister_cli(t *testing.T) {
	zs, w := registerEnv(t)
	id := fmt.Sprint(w.ID)
	spaced := id[:3] + " " + id[3:7] + " " + id[7:]

	out, err := run(t, "register", "--webinar", spaced, "--email", "Ada@Example.com", "--first-name", "Ada", "--last-name", "Lovelace", "--format", "csv")
	if err != nil {
		t.Fatalf("exit %d: %v\n%s", exitCode(err), err, out)
	}
	if want := "ada@example.com,Ada,Lovelace,pending approval,\n"; !strings.HasSuffix(out, want) {
		t.Errorf("output %q, want a line %q", out, want)
	}

	csvPath := filepath.Join(t.TempDir(), "people.csv")
	os.WriteFile(csvPath, []byte("email,first_name,last_name\nada@example.com,Ada,Lovelace\n"+w.HostEmail+",Host,Self\n"), 0o644)
	out, err = run(t, "register", "--webinar", id, "--csv", csvPath, "--format", "json")
	if exitCode(err) != 1 {
		t.Errorf("a refused host: exit %d, want 1 (%v)", exitCode(err), err)
	}
	for _, want := range []string{`"outcome":"already registered"`, `"reason":"webinar host cannot register"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	if n := zs.Stats().ByRoute["POST /webinars/{webinarId}/registrants"]; n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}

	os.WriteFile(csvPath, []byte("email,first_name,last_name\nada@example.com,Ada\n"), 0o644)
	if _, err := run(t, "register", "--webinar", id, "--csv", csvPath); exitCode(err) != 1 || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad CSV line: exit %d, %v", exitCode(err), err)
	}
}

func TestRegister_cliUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"register", "--email", "a@example.com"},
		{"register", "--first-name", "A"},
		{"register", "--webinar", "12ab", "--email", "a@example.com"},
		{"register", "--webinar", "123"},
		{"register", "--webinar", "123", "--email", "a@example.com", "--sql", "SELECT 1"},
		{"register", "--webinar", "123", "--csv", "x.csv", "--first-name", "A"},
		{"register", "--webinar", "123", "--email", "a@example.com", "--format", "xml"},
	} {
		if _, err := run(t, args...); exitCode(err) != 2 {
			t.Errorf("%v: exit %d, want 2 (%v)", args, exitCode(err), err)
		}
	}
}

// TestRegister_cliWebinarColumn: a CSV with a webinar_id column (spaces and
// dashes) and no --webinar registers each row for its webinar, prints the
// webinar of each line and one summary per webinar ("1 person"), and the
// refusal message carries no second "zoomsync:" prefix.
func TestRegister_cliWebinarColumn(t *testing.T) {
	zs, w := registerEnv(t)
	id := fmt.Sprint(w.ID)
	csvPath := filepath.Join(t.TempDir(), "people.csv")
	os.WriteFile(csvPath, []byte("email,first_name,last_name,webinar_id\n"+
		"ada@example.com,Ada,Lovelace,"+id[:3]+" "+id[3:7]+" "+id[7:]+"\n"+
		w.HostEmail+",Host,Self,"+id[:3]+"-"+id[3:7]+"-"+id[7:]+"\n"+
		"bob@example.com,Bob,Builder,99999999999\n"), 0o644)
	var out, errOut bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &errOut
	err := app.RunContext(t.Context(), []string{"zoomsync", "register", "--csv", csvPath, "--format", "csv"})
	if exitCode(err) != 1 || err.Error() != "not every person is registered (2 refused)" {
		t.Errorf("exit %d, %v; want 1, \"not every person is registered (2 refused)\"", exitCode(err), err)
	}
	for _, want := range []string{
		"webinar_id,email,first_name,last_name,outcome,reason\n",
		id + ",ada@example.com,Ada,Lovelace,pending approval,\n",
		id + "," + strings.ToLower(w.HostEmail) + ",Host,Self,refused,webinar host cannot register\n",
		"99999999999,bob@example.com,Bob,Builder,refused,\"webinar not found",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, want := range []string{
		"webinar " + id + " ", ": 2 people: 0 registered, 1 pending approval, 0 already registered, 1 refused; 1 registration request sent\n",
		"webinar 99999999999 \"\": 1 person: 0 registered, 0 pending approval, 0 already registered, 1 refused; 0 registration requests sent\n",
	} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, errOut.String())
		}
	}
	if n := zs.Stats().ByRoute["POST /webinars/{webinarId}/registrants"]; n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	// Without --webinar, --email is a usage error; a row without a
	// webinar_id and no --webinar fails before any call.
	if _, err := run(t, "register", "--email", "a@example.com"); exitCode(err) != 2 {
		t.Errorf("--email without --webinar: exit %d (%v), want 2", exitCode(err), err)
	}
	os.WriteFile(csvPath, []byte("email,first_name,webinar_id\nc@example.com,C,\n"), 0o644)
	if _, err := run(t, "register", "--csv", csvPath); exitCode(err) != 1 || !strings.Contains(err.Error(), "no webinar_id and no --webinar") {
		t.Errorf("row without a webinar: exit %d, %v", exitCode(err), err)
	}
}
