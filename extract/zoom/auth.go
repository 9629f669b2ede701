package zoom

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// earlyRefresh is how long before its expiry a token is replaced.
const earlyRefresh = 60 * time.Second

// tokenCache holds the one Server-to-Server OAuth token of the process.
//
// Zoom's grant is client credentials with grant_type=account_credentials and
// an account_id; clientcredentials lets EndpointParams override grant_type,
// and sends both as a form body with the credentials in a Basic header.
//
// The library's own TokenSource captures one context for all later fetches.
// To keep each fetch under the caller's ctx (cancellation, and the retrying
// HTTP client passed through oauth2.HTTPClient), the cache keeps the token
// itself and wraps it per call in oauth2.ReuseTokenSourceWithExpiry over a
// TokenSource built from that call's ctx: the token is reused until 60 s
// before its expiry, then fetched again.
type tokenCache struct {
	cfg  *clientcredentials.Config
	hc   *http.Client
	path string // token endpoint path, for errors

	sem chan struct{} // a lock that waits under ctx; held while fetching
	tok *oauth2.Token
}

func newTokenCache(tokenURL, accountID, clientID, clientSecret string, hc *http.Client) *tokenCache {
	path := tokenURL
	if u, err := url.Parse(tokenURL); err == nil {
		path = u.EscapedPath()
	}
	return &tokenCache{
		cfg: &clientcredentials.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			TokenURL:     tokenURL,
			AuthStyle:    oauth2.AuthStyleInHeader,
			EndpointParams: url.Values{
				"grant_type": {"account_credentials"},
				"account_id": {accountID},
			},
		},
		hc:   hc,
		path: path,
		sem:  make(chan struct{}, 1),
	}
}

// token returns a valid token, fetching one when none is cached or the cached
// one is about to expire. Concurrent callers share one fetch.
func (tc *tokenCache) token(ctx context.Context) (*oauth2.Token, error) {
	select {
	case tc.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-tc.sem }()
	src := oauth2.ReuseTokenSourceWithExpiry(tc.tok,
		tc.cfg.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, tc.hc)), earlyRefresh)
	tok, err := src.Token()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, tc.tokenError(err)
	}
	tc.tok = tok
	return tok, nil
}

// invalidate drops the cached token if it is still bad; a token another
// caller already replaced stays.
func (tc *tokenCache) invalidate(bad *oauth2.Token) {
	tc.sem <- struct{}{}
	defer func() { <-tc.sem }()
	if tc.tok != nil && tc.tok.AccessToken == bad.AccessToken {
		tc.tok = nil
	}
}

// tokenError turns a token endpoint failure into an *APIError
// (errors.Is(err, ErrBadCredentials) for a 4xx). The body Zoom sends is
// {"reason":"Invalid client_id or client_secret","error":"invalid_client"};
// the error text never carries the credentials or the request.
func (tc *tokenCache) tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return &tokenFetchError{path: tc.path, err: sanitizeURLError(err)}
	}
	var body struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
		Error  string `json:"error"`
		Msg    string `json:"message"`
	}
	_ = json.Unmarshal(re.Body, &body)
	msg := body.Reason
	if msg == "" {
		msg = body.Msg
	}
	if msg == "" {
		msg = re.ErrorDescription
	}
	code := body.Error
	if code == "" {
		code = re.ErrorCode
	}
	if code != "" {
		msg = strings.TrimSpace(code + " " + msg)
	}
	if msg == "" {
		msg = http.StatusText(re.Response.StatusCode)
	}
	return &APIError{
		StatusCode:    re.Response.StatusCode,
		Code:          body.Code,
		Message:       "fetching access token: " + msg,
		Method:        http.MethodPost,
		Path:          tc.path,
		tokenEndpoint: true,
	}
}

// tokenFetchError is a token fetch that got no answer from the endpoint.
type tokenFetchError struct {
	path string
	err  error
}

func (e *tokenFetchError) Error() string { return "zoom: fetching access token: " + e.err.Error() }
func (e *tokenFetchError) Unwrap() error { return e.err }

// apiHost returns the API host a token names in api_url, if it is a usable
// https URL.
func apiHost(tok *oauth2.Token) *url.URL {
	s, _ := tok.Extra("api_url").(string)
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil
	}
	return u
}

// Scopes returns the scopes Zoom granted the app (the token response's
// scope field), fetching a token when none is cached: the one call that
// checks the credentials and the OAuth endpoint.
func (c *Client) Scopes(ctx context.Context) ([]string, error) {
	if c.err != nil {
		return nil, c.err
	}
	tok, err := c.auth.token(ctx)
	if err != nil {
		return nil, err
	}
	s, _ := tok.Extra("scope").(string)
	return strings.Fields(s), nil
}
