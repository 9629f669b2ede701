package transform

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/schema"
)

// TestEmailStatus runs the macros of 010_emails.sql on single emails.
func TestEmailStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		haveEmail  string
		wantPerson string
		wantStatus string
	}{
		{"alice@example.com", "alice@example.com", "valid"},
		{"  Alice@Example.COM\t", "alice@example.com", "valid"},
		{"o'brien+tag_1%x@mail.example.co.uk", "o'brien+tag_1%x@mail.example.co.uk", "valid"},
		{"a.b-c@x-y.io", "a.b-c@x-y.io", "valid"},
		{"", "", "empty"},
		{"   ", "", "empty"},
		{"ivy@example.con", "ivy@example.con", "invalid"},
		{"jack@example.cpm", "jack@example.cpm", "invalid"},
		{"noatsign.example.com", "noatsign.example.com", "invalid"},
		{"a@@example.com", "a@@example.com", "invalid"},
		{"a@b@example.com", "a@b@example.com", "invalid"},
		{"@example.com", "@example.com", "invalid"},
		{"a@example", "a@example", "invalid"},
		{"a@.example.com", "a@.example.com", "invalid"},
		{"a@example.com.", "a@example.com.", "invalid"},
		{"a@example..com", "a@example..com", "invalid"},
		{"a@-example.com", "a@-example.com", "invalid"},
		{"a@example-.com", "a@example-.com", "invalid"},
		{"a b@example.com", "a b@example.com", "invalid"},
		{"a@exa_mple.com", "a@exa_mple.com", "invalid"},
		{"jürgen@example.com", "jürgen@example.com", "invalid"},
	}
	ctx := context.Background()
	e, err := Open(ctx, schema.Lake{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	conn, err := e.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// known_tlds as Run fills it, from the last labels of these emails.
	if _, err := conn.ExecContext(ctx, "CREATE OR REPLACE TABLE known_tlds (tld VARCHAR PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		p := strings.ToLower(strings.TrimSpace(tc.haveEmail))
		tld := p[strings.LastIndex(p, ".")+1:]
		if isICANNTLD(tld) {
			if _, err := conn.ExecContext(ctx, "INSERT OR IGNORE INTO known_tlds VALUES (?)", tld); err != nil {
				t.Fatal(err)
			}
		}
	}
	macros, err := fs.ReadFile(SQL(), "010_emails.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, string(macros)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		var havePerson, haveStatus string
		err := conn.QueryRowContext(ctx, "SELECT zs_person($1), zs_email_status(zs_person($1))", tc.haveEmail).
			Scan(&havePerson, &haveStatus)
		if err != nil {
			t.Fatal(err)
		}
		if havePerson != tc.wantPerson || haveStatus != tc.wantStatus {
			t.Errorf("%q: person %q status %s, want %q %s", tc.haveEmail, havePerson, haveStatus, tc.wantPerson, tc.wantStatus)
		}
	}
}
