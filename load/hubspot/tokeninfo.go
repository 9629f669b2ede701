package hubspot

import (
	"context"
	"net/http"
)

// TokenInfo is what HubSpot says of a private app's access token.
type TokenInfo struct {
	UserID int64    `json:"userId"`
	HubID  int64    `json:"hubId"`
	AppID  int64    `json:"appId"`
	Scopes []string `json:"scopes"`
}

// TokenInfo reads the portal and the scopes of the client's private-app
// token (WithToken). The token is sent in the body, never in a URL.
//
// HubSpot API: POST /oauth/v2/private-apps/get/access-token-info
func (s *AccountInfoService) TokenInfo(ctx context.Context) (*TokenInfo, *Response, error) {
	body := struct {
		TokenKey string `json:"tokenKey"`
	}{s.client.opts.token}
	req, err := s.client.NewRequest(ctx, http.MethodPost, "oauth/v2/private-apps/get/access-token-info", nil, body)
	if err != nil {
		return nil, nil, err
	}
	out := new(TokenInfo)
	resp, err := s.client.Do(req, out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}
