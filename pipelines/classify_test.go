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
		{"new person is sent, email normalised", f, Person{Email: " Ada@Example.COM ", FirstName: "Ada", LastName: "Lovelace"}, true, "", "", "ada@example.com"},
		{"invalid email", f, Person{Email: "ada@", FirstName: "Ada", LastName: "Lovelace"}, false, OutcomeRefused, RefusalInvalidEmail, "ada@"},
		{"double dot", f, Person{Email: "ada..l@example.com", FirstName: "Ada", LastName: "Lovelace"}, false, OutcomeRefused, RefusalInvalidEmail, "ada..l@example.com"},
		{"host", f, Person{Email: "HOST@example.com", FirstName: "H", LastName: "Ost"}, false, OutcomeRefused, RefusalHost, "HOST@example.com"},
		{"host's other email", f, Person{Email: "host.alias@example.com", FirstName: "H", LastName: "Ost"}, false, OutcomeRefused, RefusalHost, "host.alias@example.com"},
		{"approved already", f, Person{Email: "approved@example.com", FirstName: "A", LastName: "B"}, false, OutcomeAlreadyRegistered, "approved", "approved@example.com"},
		{"pending already", f, Person{Email: "Pending@example.com", FirstName: "A", LastName: "B"}, false, OutcomeAlreadyRegistered, "pending approval", "Pending@example.com"},
		{"denied before", f, Person{Email: "denied@example.com", FirstName: "A", LastName: "B"}, false, OutcomeRefused, RefusalDenied, "denied@example.com"},
		{"already registered wins over a missing name", f, Person{Email: "approved@example.com", FirstName: "", LastName: ""}, false, OutcomeAlreadyRegistered, "approved", "approved@example.com"},
		{"first name missing", f, Person{Email: "ada@example.com", FirstName: "", LastName: "Lovelace"}, false, OutcomeRefused, RefusalNoFirstName, "ada@example.com"},
		{"last name required and missing", f, Person{Email: "ada@example.com", FirstName: "Ada", LastName: ""}, false, OutcomeRefused, RefusalNoLastName, "ada@example.com"},
		{"last name optional and missing", noLastName, Person{Email: "ada@example.com", FirstName: "Ada", LastName: ""}, true, "", "", "ada@example.com"},
		{"invalid email wins over the host check", f, Person{Email: "host@example", FirstName: "H", LastName: "Ost"}, false, OutcomeRefused, RefusalInvalidEmail, "host@example"},
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
