package hubspottest

import (
	"net/http"
	"regexp"
	"testing"
)

func TestAccountDetails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       []Option
		wantPortal float64
	}{
		{"default", nil, float64(DefaultPortalID)},
		{"WithPortalID", []Option{WithPortalID(99887766)}, 99887766},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, tt.opts...)
			r := do(t, srv, "GET", "/account-info/v3/details", nil)
			wantStatus(t, r, http.StatusOK)
			b := r.json(t)
			if b["portalId"] != tt.wantPortal || b["timeZone"] != "US/Eastern" || b["uiDomain"] != "app.hubspot.com" ||
				b["accountType"] != "STANDARD" || b["companyCurrency"] != "USD" {
				t.Errorf("details = %v", b)
			}
			if !regexp.MustCompile(`^-0[45]:00$`).MatchString(b["utcOffset"].(string)) {
				t.Errorf("utcOffset = %v", b["utcOffset"])
			}
			for _, k := range []string{"additionalCurrencies", "utcOffsetMilliseconds", "dataHostingLocation"} {
				if _, ok := b[k]; !ok {
					t.Errorf("no %s in %v", k, b)
				}
			}
			wantStatus(t, send(t, srv, "", "GET", "/account-info/v3/details", nil), http.StatusUnauthorized)
		})
	}
}
