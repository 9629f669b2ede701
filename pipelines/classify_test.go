package pipelines

import (
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoom"
)

// TestClassify decides each kind of person the way Register's doc says,
// without Zoom: who is refused locally, who is already registered, and who
// is sent (with the email trimmed and lower-cased).
func TestClassify(t *testing.T) {
	f := registration{
		hosts:            map[string]bool{"host@example.com": true, "host.alias@example.com": true},
		lastNameRequired: true,
		status: map[string]string{
			"approved@example.com": zoom.RegistrantApproved,
			"pending@example.com":  zoom.RegistrantPending,
			"denied@example.com":   zoom.RegistrantDenied,
		},
	}
	noLastName := f
	noLastName.lastNameRequired = false
	tests := []struct {
		name        string
		f           registration
		p           Person
		wantSend    bool
		wantOutcome string
		wantReason  string
		wantEmail   string
	}{
		{"new person is sent, email normalised", f, Person{" Ada@Example.COM ", "Ada", "Lovelace"}, true, "", "", "ada@example.com"},
		{"invalid email", f, Person{"ada@", "Ada", "Lovelace"}, false, OutcomeRefused, RefusalInvalidEmail, "ada@"},
		{"double dot", f, Person{"ada..l@example.com", "Ada", "Lovelace"}, false, OutcomeRefused, RefusalInvalidEmail, "ada..l@example.com"},
		{"host", f, Person{"HOST@example.com", "H", "Ost"}, false, OutcomeRefused, RefusalHost, "HOST@example.com"},
		{"host's other email", f, Person{"host.alias@example.com", "H", "Ost"}, false, OutcomeRefused, RefusalHost, "host.alias@example.com"},
		{"approved already", f, Person{"approved@example.com", "A", "B"}, false, OutcomeAlreadyRegistered, "approved", "approved@example.com"},
		{"pending already", f, Person{"Pending@example.com", "A", "B"}, false, OutcomeAlreadyRegistered, "pending approval", "Pending@example.com"},
		{"denied before", f, Person{"denied@example.com", "A", "B"}, false, OutcomeRefused, RefusalDenied, "denied@example.com"},
		{"already registered wins over a missing name", f, Person{"approved@example.com", "", ""}, false, OutcomeAlreadyRegistered, "approved", "approved@example.com"},
		{"first name missing", f, Person{"ada@example.com", "", "Lovelace"}, false, OutcomeRefused, RefusalNoFirstName, "ada@example.com"},
		{"last name required and missing", f, Person{"ada@example.com", "Ada", ""}, false, OutcomeRefused, RefusalNoLastName, "ada@example.com"},
		{"last name optional and missing", noLastName, Person{"ada@example.com", "Ada", ""}, true, "", "", "ada@example.com"},
		{"invalid email wins over the host check", f, Person{"host@example", "H", "Ost"}, false, OutcomeRefused, RefusalInvalidEmail, "host@example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, send := classify(tt.p, tt.f)
			if send != tt.wantSend || o.Outcome != tt.wantOutcome || o.Reason != tt.wantReason || o.Email != tt.wantEmail {
				t.Errorf("classify(%+v) = %+v, send %v; want outcome %q reason %q email %q send %v",
					tt.p, o, send, tt.wantOutcome, tt.wantReason, tt.wantEmail, tt.wantSend)
			}
			if o.FirstName != tt.p.FirstName || o.LastName != tt.p.LastName {
				t.Errorf("classify(%+v) names = %q %q, want them as given", tt.p, o.FirstName, o.LastName)
			}
		})
	}
}
