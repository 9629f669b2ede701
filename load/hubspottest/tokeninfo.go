package hubspottest

import (
	"net/http"
	"slices"
)

// DefaultScopes are the scopes the simulator's private-app token carries
// unless WithScopes says otherwise: every one zoomsync's features need.
var DefaultScopes = []string{
	"crm.objects.contacts.read", "crm.objects.contacts.write",
	"crm.schemas.contacts.read", "crm.schemas.contacts.write",
	"crm.objects.marketing_events.read", "crm.objects.marketing_events.write",
	"settings.users.read", "timeline",
}

// WithScopes sets the scopes POST /oauth/v2/private-apps/get/access-token-info
// reports for the private-app token (doctor's scope check). Default
// DefaultScopes.
func WithScopes(scopes ...string) Option {
	return func(c *config) { c.scopes = slices.Clone(scopes) }
}

// tokenInfoRoutes is the private-app token introspection.
func tokenInfoRoutes() []route {
	return []route{
		{pattern: "POST /oauth/v2/private-apps/get/access-token-info", h: (*Server).tokenInfo},
	}
}

// privateAppTokenInfo is HubSpot's answer for a private-app access token
// (developers.hubspot.com/docs/api/private-apps, "View private app access
// token information"; no OpenAPI file of it is published).
type privateAppTokenInfo struct {
	UserID int64    `json:"userId"`
	HubID  int64    `json:"hubId"`
	AppID  int64    `json:"appId"`
	Scopes []string `json:"scopes"`
}

// POST /oauth/v2/private-apps/get/access-token-info {"tokenKey": "pat-…"} →
// 200 with the portal and the token's scopes; 401 for a token the server
// does not accept.
func (s *Server) tokenInfo(c *call) {
	var in struct {
		TokenKey string `json:"tokenKey"`
	}
	if !s.decode(c, &in) {
		return
	}
	if !slices.Contains(s.cfg.tokens, in.TokenKey) {
		s.writeError(c, http.StatusUnauthorized, "INVALID_AUTHENTICATION", "The access token in tokenKey is not valid", nil)
		return
	}
	scopes := s.cfg.scopes
	if scopes == nil {
		scopes = DefaultScopes
	}
	s.writeJSON(c, http.StatusOK, privateAppTokenInfo{UserID: 1, HubID: s.cfg.portalID, AppID: 1, Scopes: scopes})
}
