package hubspot

import (
	"context"
	"net/http"
)

// AccountService reads the account (portal) the token belongs to.
type AccountService service

// AccountDetails are the account's details: its portal id says which
// HubSpot account a token writes to.
type AccountDetails struct {
	PortalID              int64    `json:"portalId"`
	AccountType           string   `json:"accountType,omitempty"`
	TimeZone              string   `json:"timeZone,omitempty"`
	CompanyCurrency       string   `json:"companyCurrency,omitempty"`
	AdditionalCurrencies  []string `json:"additionalCurrencies,omitempty"`
	UTCOffset             string   `json:"utcOffset,omitempty"`
	UTCOffsetMilliseconds int64    `json:"utcOffsetMilliseconds,omitempty"`
	UIDomain              string   `json:"uiDomain,omitempty"`
	DataHostingLocation   string   `json:"dataHostingLocation,omitempty"`
}

// Details reads the account's details.
//
// HubSpot API: GET /account-info/v3/details
func (s *AccountService) Details(ctx context.Context) (*AccountDetails, *Response, error) {
	req, err := s.client.NewRequest(ctx, http.MethodGet, "account-info/v3/details", nil, nil)
	if err != nil {
		return nil, nil, err
	}
	out := new(AccountDetails)
	resp, err := s.client.Do(req, out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}
