package hubspottest

import (
	"fmt"
	"net/http"
	"time"
)

// DefaultPortalID is the portal (hub) id the simulator answers with when no
// WithPortalID option is given.
const DefaultPortalID int64 = 62515

// defaultTimeZone is the account time zone of GET /account-info/v3/details.
const defaultTimeZone = "US/Eastern"

// WithPortalID sets the portal id of GET /account-info/v3/details, so a test
// can point one lake at two portals. Default DefaultPortalID.
func WithPortalID(id int64) Option {
	return func(c *config) { c.portalID = id }
}

// accountRoutes are the account information operations.
func accountRoutes() []route {
	return []route{
		{pattern: "GET /account-info/v3/details", h: (*Server).accountDetails},
	}
}

// accountDetails is HubSpot's account details response. No OpenAPI file of
// the account information API is kept in the reference: the fields and
// their types are those of HubSpot's API reference page "Retrieve account
// details" (developers.hubspot.com/docs/api-reference/latest/account/
// account-information/get-account-details), every one required there.
type accountDetails struct {
	PortalID              int64    `json:"portalId"`
	AccountType           string   `json:"accountType"` // STANDARD, SANDBOX, DEVELOPER_TEST or APP_DEVELOPER
	TimeZone              string   `json:"timeZone"`
	CompanyCurrency       string   `json:"companyCurrency"`
	AdditionalCurrencies  []string `json:"additionalCurrencies"`
	UTCOffset             string   `json:"utcOffset"`
	UTCOffsetMilliseconds int64    `json:"utcOffsetMilliseconds"`
	UIDomain              string   `json:"uiDomain"`
	DataHostingLocation   string   `json:"dataHostingLocation"`
}

// GET /account-info/v3/details → 200 with the portal id, time zone and the
// rest of the account's settings.
func (s *Server) accountDetails(c *call) {
	offset := accountOffset(s.now())
	sign, abs := "+", offset
	if offset < 0 {
		sign, abs = "-", -offset
	}
	s.writeJSON(c, http.StatusOK, accountDetails{
		PortalID: s.cfg.portalID, AccountType: "STANDARD", TimeZone: defaultTimeZone,
		CompanyCurrency: "USD", AdditionalCurrencies: []string{},
		UTCOffset:             fmt.Sprintf("%s%02d:%02d", sign, int(abs.Hours()), int(abs.Minutes())%60),
		UTCOffsetMilliseconds: offset.Milliseconds(),
		UIDomain:              "app.hubspot.com", DataHostingLocation: "na1",
	})
}

// accountOffset is the account time zone's UTC offset at t; without the
// time zone database it is US Eastern standard time.
func accountOffset(t time.Time) time.Duration {
	loc, err := time.LoadLocation(defaultTimeZone)
	if err != nil {
		return -5 * time.Hour
	}
	_, secs := t.In(loc).Zone()
	return time.Duration(secs) * time.Second
}
