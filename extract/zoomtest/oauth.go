package zoomtest

import (
	"crypto/rand"
	"net/http"
	"time"
)

type oauthError struct {
	Reason string `json:"reason"`
	Error  string `json:"error"`
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	APIURL      string `json:"api_url"`
}

const tokenScope = "user:read:admin webinar:read:admin webinar:write:admin report:read:admin recording:read:admin dashboard_webinars:read:admin"

// serveToken implements POST /oauth/token (Server-to-Server OAuth, account_credentials).
// grant_type and account_id are read from the query string or a form body.
func (s *Server) serveToken(c *call) (int, any) {
	r := c.r
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, oauthError{Reason: "Method not allowed", Error: "invalid_request"}
	}
	id, secret, ok := r.BasicAuth()
	if !ok || id == "" || secret == "" {
		return http.StatusUnauthorized, oauthError{Reason: "Missing client id or client secret", Error: "invalid_client"}
	}
	if id != s.cfg.clientID || secret != s.cfg.clientSecret {
		return http.StatusUnauthorized, oauthError{Reason: "Invalid client_id or client_secret", Error: "invalid_client"}
	}
	if err := r.ParseForm(); err != nil {
		return http.StatusBadRequest, oauthError{Reason: "Invalid request body", Error: "invalid_request"}
	}
	switch gt := r.Form.Get("grant_type"); gt {
	case "account_credentials":
	case "":
		return http.StatusBadRequest, oauthError{Reason: "Missing grant type", Error: "invalid_request"}
	default:
		return http.StatusBadRequest, oauthError{Reason: "Unsupported grant type", Error: "unsupported_grant_type"}
	}
	switch acc := r.Form.Get("account_id"); {
	case acc == "":
		return http.StatusBadRequest, oauthError{Reason: "Invalid request : Account ID is required.", Error: "invalid_request"}
	case acc != s.cfg.accountID:
		return http.StatusBadRequest, oauthError{Reason: "Invalid request : Account ID is invalid.", Error: "invalid_request"}
	}
	tok := "eyJzaW0iOiJ6b29tdGVzdCJ9." + rand.Text() + rand.Text()
	s.mu.Lock()
	s.tokens[tok] = time.Now().Add(s.cfg.tokenTTL)
	s.mu.Unlock()
	return http.StatusOK, tokenResponse{
		AccessToken: tok,
		TokenType:   "bearer",
		ExpiresIn:   int(s.cfg.tokenTTL / time.Second),
		Scope:       tokenScope,
		APIURL:      s.URL,
	}
}
