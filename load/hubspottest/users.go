package hubspottest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// user is the spec's PublicUser.
type user struct {
	ID               string   `json:"id"`
	Email            string   `json:"email"`
	FirstName        string   `json:"firstName,omitempty"`
	LastName         string   `json:"lastName,omitempty"`
	RoleIDs          []string `json:"roleIds"`
	SecondaryTeamIDs []string `json:"secondaryTeamIds"`
	SeatNames        []string `json:"seatNames"`
	SuperAdmin       bool     `json:"superAdmin"`
}

// AddUser adds a user of the CRM account (settings users) and returns its id.
func (s *Server) AddUser(email, firstName, lastName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strconv.Itoa(s.nextUser)
	s.nextUser++
	s.users = append(s.users, user{ID: id, Email: strings.ToLower(strings.TrimSpace(email)), FirstName: firstName,
		LastName: lastName, RoleIDs: []string{}, SecondaryTeamIDs: []string{}, SeatNames: []string{}})
	return id
}

// GET /settings/v3/users and GET /settings/users/v3 (limit ≤ 100, after).
func (s *Server) listUsers(c *call) {
	limit, after, ok := s.paging(c, 100)
	if !ok {
		return
	}
	s.mu.Lock()
	lo, hi, next := pageBounds(len(s.users), func(i int) string { return s.users[i].ID }, limit, after)
	page := slices.Clone(s.users[lo:hi])
	s.mu.Unlock()
	if page == nil {
		page = []user{}
	}
	s.writeList(c, page, next)
}

// GET /settings/v3/users/{userId}?idProperty=USER_ID|EMAIL
func (s *Server) getUser(c *call) {
	id, by := c.param("userId"), c.query("idProperty")
	if by != "" && by != "USER_ID" && by != "EMAIL" {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("idProperty must be USER_ID or EMAIL, got %q", by), nil)
		return
	}
	s.mu.Lock()
	var found *user
	for i := range s.users {
		u := &s.users[i]
		if by == "EMAIL" && u.Email == strings.ToLower(id) || by != "EMAIL" && u.ID == id {
			found = u
			break
		}
	}
	var out user
	if found != nil {
		out = *found
	}
	s.mu.Unlock()
	if found == nil {
		s.writeError(c, http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found", nil)
		return
	}
	s.writeJSON(c, http.StatusOK, out)
}

// userRoutes are the account users operations (reference §9); the spec and
// the docs disagree on the list path, so both are served.
func userRoutes() []route {
	return []route{
		{pattern: "GET /settings/v3/users", h: (*Server).listUsers},
		{pattern: "GET /settings/users/v3", h: (*Server).listUsers},
		{pattern: "GET /settings/v3/users/{userId}", h: (*Server).getUser},
	}
}
