package hubspottest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

// route is one served operation: a ServeMux pattern ("POST /crm/v3/objects/
// contacts/batch/upsert", wildcards read with r.PathValue), its handler and
// how its caller authenticates. Every handler has the one shape
// func(*Server, *call).
type route struct {
	pattern string
	h       func(*Server, *call)
	devKey  bool // authenticated by ?hapikey= (developer API key) instead of a bearer token
}

// routes lists every served operation, by API area.
func routes() []route {
	var out []route
	for _, area := range [][]route{contactRoutes(), propertyRoutes(), userRoutes(), accountRoutes(),
		marketingRoutes(), timelineRoutes(), customEventRoutes(), callRoutes(), objectRoutes(), tokenInfoRoutes()} {
		out = append(out, area...)
	}
	return out
}

// Routes returns the pattern ("METHOD /path/{wildcard}") of every operation
// the simulator serves, in the order of the package doc.
func Routes() []string {
	var out []string
	for _, rt := range routes() {
		out = append(out, rt.pattern)
	}
	return out
}

// routeSet is one ServeMux of the operations that share an authentication
// scheme. Developer-key routes have their own mux: a path such as
// /crm/v3/timeline/events/event-templates/1 fits both
// {appId}/event-templates/{eventTemplateId} and events/{eventTemplateId}/{eventId},
// which one ServeMux refuses as conflicting patterns; looking in the
// developer mux first gives the template route, as HubSpot's routing does.
type routeSet struct {
	mux    *http.ServeMux
	devKey bool
}

// buildRoutes registers every route on the server's two muxes.
func (s *Server) buildRoutes() {
	s.dev = routeSet{mux: http.NewServeMux(), devKey: true}
	s.api = routeSet{mux: http.NewServeMux()}
	for _, rt := range routes() {
		set := &s.api
		if rt.devKey {
			set = &s.dev
		}
		set.mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			// The middleware passes its statusWriter, which knows the call;
			// r now carries the pattern's path values.
			c := w.(*statusWriter).call
			c.r = r
			rt.h(s, c)
		})
	}
}

// routeOf returns the mux serving r, or nil when no route serves it. A path
// the mux would redirect (not in canonical form) and a HEAD request that a
// GET pattern would take are not served: they answer like any unknown route.
func (s *Server) routeOf(r *http.Request) *routeSet {
	for _, set := range []*routeSet{&s.dev, &s.api} {
		_, pattern := set.mux.Handler(r)
		if pattern == "" {
			continue
		}
		method, _, _ := strings.Cut(pattern, " ")
		if p := r.URL.EscapedPath(); method == r.Method && path.Clean(p) == p {
			return set
		}
	}
	return nil
}

// call is one request in flight.
type call struct {
	logged bool // in the request log already
	w      *statusWriter
	r      *http.Request
	body   []byte
	read   bool // body read (readBody ran)
	corrID string
	token  string
	inputs int
	write  bool
}

func (c *call) query(name string) string { return c.r.URL.Query().Get(name) }

// param returns the value of the route's wildcard name.
func (c *call) param(name string) string { return c.r.PathValue(name) }

// logRequest appends a call to the request log, once. status overrides the
// written status when not zero; a reset call is logged with status 0 before
// its connection is dropped, since the client may read the log right after.
func (s *Server) logRequest(c *call, status int) {
	s.mu.Lock()
	if c.logged {
		s.mu.Unlock()
		return
	}
	c.logged = true
	if status == 0 {
		status = c.w.status
	}
	if status < 0 {
		status = 0
	}
	r := c.r
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Status: status, Inputs: c.inputs, Write: c.write,
	})
	s.mu.Unlock()
	s.log.DebugContext(r.Context(), "hubspottest request", "method", r.Method, "path", r.URL.Path,
		"status", status, "inputs", c.inputs, "correlation_id", c.corrID)
}

// statusWriter records the status written; it carries the call to the
// route's handler through the mux.
type statusWriter struct {
	http.ResponseWriter
	status int
	call   *call
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP is the middleware around the muxes: after the configured
// latency it runs a request through routing, auth, faults, rate limits and
// the body-size limit, then hands it to the route's handler (through a
// recorder for the after-commit faults), and logs it.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	s.begin()
	defer s.end()
	s.delay(r)
	c := &call{r: r, corrID: newUUID()}
	c.w = &statusWriter{ResponseWriter: rw, call: c}
	c.w.Header().Set("X-HubSpot-Correlation-Id", c.corrID)
	defer s.logRequest(c, 0)

	set := s.routeOf(r)
	if set == nil {
		s.writeError(c, http.StatusInternalServerError, "INTERNAL_ERROR", "no route in test fixture: "+r.URL.Path, nil)
		return
	}
	if !s.authenticate(c, set.devKey) {
		return
	}
	f, faulted := s.takeFault(r)
	if faulted && !f.Kind.afterHandler() && s.applyFault(c, f) {
		return
	}
	if !s.checkRate(c) || !s.readBody(c) {
		return
	}
	if faulted && f.Kind.afterHandler() {
		s.serveAfterCommit(set.mux, c, f)
		return
	}
	set.mux.ServeHTTP(c.w, r)
}

// authenticate checks the developer API key (?hapikey=, for developer-account
// routes such as timeline event templates, reference §1) or the bearer token,
// answering 401 when it is missing or wrong.
func (s *Server) authenticate(c *call, devKey bool) bool {
	if devKey {
		if key := c.query("hapikey"); key == "" || key != s.cfg.developerKey {
			s.writeError(c, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
				"The developer API key provided is invalid. View or manage your API key at https://app.hubspot.com/l/api-key/", nil)
			return false
		}
		return true
	}
	token, ok := strings.CutPrefix(c.r.Header.Get("Authorization"), "Bearer ")
	if !ok || !s.tokenOK(strings.TrimSpace(token)) {
		s.writeError(c, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
			"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview", nil)
		return false
	}
	c.token = strings.TrimSpace(token)
	return true
}

// readBody reads the request body into c.body, answering 413 above the
// body-size limit and 400 when it cannot be read.
func (s *Server) readBody(c *call) bool {
	r := c.r
	if c.read {
		return true
	}
	c.read = true
	if r.ContentLength > s.cfg.maxBodyBytes {
		s.writeTooLarge(c)
		return false
	}
	if r.Body == nil {
		return true
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.w.ResponseWriter, r.Body, s.cfg.maxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			s.writeTooLarge(c)
			return false
		}
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Could not read request body: "+err.Error(), nil)
		return false
	}
	c.body = body
	return true
}

func (s *Server) tokenOK(token string) bool {
	return token != "" && (slices.Contains(s.cfg.tokens, token) || s.oauthToken(token))
}

// oauthToken reports whether token is a public app's OAuth token.
func (s *Server) oauthToken(token string) bool {
	return token != "" && slices.Contains(s.cfg.oauthTokens, token)
}

func (s *Server) writeTooLarge(c *call) {
	s.writeError(c, http.StatusRequestEntityTooLarge, "VALIDATION_ERROR",
		fmt.Sprintf("Request body is larger than the limit of %d bytes", s.cfg.maxBodyBytes), nil)
}

// begin and end count the requests being handled, for WaitIdle.
func (s *Server) begin() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight == 0 {
		s.idle = make(chan struct{})
	}
	s.inflight++
}

func (s *Server) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
	if s.inflight == 0 {
		close(s.idle)
	}
}

// delay holds the request for the configured latency, or until the client
// hangs up or the server closes.
func (s *Server) delay(r *http.Request) {
	if s.cfg.latency <= 0 && s.cfg.jitter == 0 {
		return
	}
	d := s.latencyDraw()
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-s.done:
	}
}

// latencyDraw is one request's delay: uniform in latency ± jitter.
func (s *Server) latencyDraw() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.cfg.latency
	if j := s.cfg.jitter; j > 0 {
		d += time.Duration(s.lrng.Int64N(int64(2*j)+1)) - j
	}
	return d
}
