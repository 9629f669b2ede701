package hubspottest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		spec    string
		want    []Fault
		wantErr string // substring of the error; "" = no error
	}{
		{"empty", "", nil, ""},
		{"blanks", " , ", nil, ""},
		{"kind only", "429-burst", []Fault{{Kind: Fault429Burst}}, ""},
		{"every kind by name",
			"429-burst,429-daily,423,5xx,stall,malformed,reset,expired-token,reset-after-commit,504-after-commit,truncated-after-commit,207-partial",
			[]Fault{{Kind: Fault429Burst}, {Kind: Fault429Daily}, {Kind: Fault423}, {Kind: Fault5xx}, {Kind: FaultStall},
				{Kind: FaultMalformed}, {Kind: FaultReset}, {Kind: FaultExpiredToken}, {Kind: FaultResetAfterCommit},
				{Kind: Fault504AfterCommit}, {Kind: FaultTruncatedAfterCommit}, {Kind: Fault207Partial}}, ""},
		{"common keys", "429-daily:n=20:after=3:route=/crm/v3/objects/*:method=post",
			[]Fault{{Kind: Fault429Daily, Times: 20, After: 3, Route: "/crm/v3/objects/*", Method: "POST"}}, ""},
		{"every without n has no limit", "reset-after-commit:every=7", []Fault{{Kind: FaultResetAfterCommit, Every: 7, Times: -1}}, ""},
		{"every with n", "reset:every=7:n=2", []Fault{{Kind: FaultReset, Every: 7, Times: 2}}, ""},
		{"n forever", "5xx:n=-1", []Fault{{Kind: Fault5xx, Times: -1}}, ""},
		{"kind keys", "5xx:status=503:n=3, stall:n=1:for=90s ,207-partial:rows=2",
			[]Fault{{Kind: Fault5xx, Status: 503, Times: 3}, {Kind: FaultStall, Times: 1, Stall: 90 * time.Second},
				{Kind: Fault207Partial, Rows: 2}}, ""},
		{"unknown kind", "429:n=2", nil, `unknown fault kind "429"`},
		{"unknown key", "5xx:retry-after=1", nil, `unknown key "retry-after"`},
		{"key of another kind", "stall:status=503", nil, "key status does not apply to fault kind stall"},
		{"for on 5xx", "5xx:for=1s", nil, "key for does not apply to fault kind 5xx"},
		{"rows on reset", "reset:rows=1", nil, "key rows does not apply to fault kind reset"},
		{"twice", "reset:n=1:n=2", nil, "key n given twice"},
		{"not key=value", "reset:n", nil, `"n" is not key=value`},
		{"bad number", "reset:n=x", nil, `n="x" is not a number`},
		{"n zero", "reset:n=0", nil, "n=0"},
		{"status not 5xx", "5xx:status=404", nil, "status=404 is not a 5xx status"},
		{"bad duration", "stall:for=soon", nil, `for="soon" is not a positive duration`},
		{"every zero", "reset:every=0", nil, "every=0 is out of range"},
		{"names the fault", "reset,5xx:status=1", nil, `fault "5xx:status=1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFaults(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFaults(%q) error = %v, want one containing %q", tt.spec, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFaults(%q): %v", tt.spec, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFaults(%q) (-want +got):\n%s", tt.spec, diff)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/crm/v3/objects/calls/*", "/crm/v3/objects/calls/batch/upsert", true},
		{"/crm/*/batch/upsert", "/crm/v3/objects/contacts/batch/upsert", true},
		{"/crm/*/batch/upsert", "/crm/v3/objects/contacts/batch/read", false},
		{"*/email-create", "/marketing/v3/marketing-events/attendance/1/attend/email-create", true},
		{"/settings/v3/users", "/settings/v3/users", true},
		{"/settings/v3/user?", "/settings/v3/users", true},
		{"/settings/v3/users", "/settings/v3/users/1", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.path); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}
