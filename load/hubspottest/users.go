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
	RoleID           string   `json:"roleId,omitempty"`
	RoleIDs          []string `json:"roleIds"`
	PrimaryTeamID    string   `json:"primaryTeamId,omitempty"`
	SecondaryTeamIDs []string `json:"secondaryTeamIds"`
	SeatNames        []string `json:"seatNames"`
	SuperAdmin       bool     `json:"superAdmin"`
	SendWelcomeEmail *bool    `json:"sendWelcomeEmail,omitempty"` // only in the answer to a create
}

// AddUser adds a user of the CRM account (settings users) and returns its id.
func (s *Server) AddUser(email, firstName, lastName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addUser(user{Email: email, FirstName: firstName, LastName: lastName}).ID
}

// addUser stores u with the next user id, its email lower-cased.
func (s *Server) addUser(u user) user {
	u.ID = strconv.Itoa(s.nextUser)
	s.nextUser++
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	for _, l := range []*[]string{&u.RoleIDs, &u.SecondaryTeamIDs, &u.SeatNames} {
		if *l == nil {
			*l = []string{}
		}
	}
	if u.RoleID != "" && !slices.Contains(u.RoleIDs, u.RoleID) {
		u.RoleIDs = append(u.RoleIDs, u.RoleID)
	}
	s.users = append(s.users, u)
	return u
}

// POST /settings/v3/users and POST /settings/users/v3: the spec's
// UserProvisionRequest (email and sendWelcomeEmail required) → 201 with the
// PublicUser and a Location header; an invalid email → 400; an email that
// already belongs to a user → 409. The user is not a contact.
func (s *Server) createUser(c *call) {
	var in struct {
		Email            string   `json:"email"`
		FirstName        string   `json:"firstName"`
		LastName         string   `json:"lastName"`
		PrimaryTeamID    string   `json:"primaryTeamId"`
		RoleID           string   `json:"roleId"`
		SeatNames        []string `json:"seatNames"`
		SecondaryTeamIDs []string `json:"secondaryTeamIds"`
		SendWelcomeEmail *bool    `json:"sendWelcomeEmail"`
	}
	if !s.decode(c, &in) {
		return
	}
	msg := unsetFields(required{"email", in.Email == ""}, required{"sendWelcomeEmail", in.SendWelcomeEmail == nil})
	switch {
	case msg != "":
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", msg, nil)
		return
	case !validEmail(in.Email):
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Email address %s is invalid", in.Email), nil)
		return
	}
	s.mu.Lock()
	if i := slices.IndexFunc(s.users, func(u user) bool { return u.Email == strings.ToLower(in.Email) }); i >= 0 {
		id := s.users[i].ID
		s.mu.Unlock()
		s.writeError(c, http.StatusConflict, "CONFLICT", fmt.Sprintf("A user with email %s already exists. Existing ID: %s", in.Email, id), nil)
		return
	}
	u := s.addUser(user{Email: in.Email, FirstName: in.FirstName, LastName: in.LastName, RoleID: in.RoleID,
		PrimaryTeamID: in.PrimaryTeamID, SecondaryTeamIDs: in.SecondaryTeamIDs, SeatNames: in.SeatNames})
	c.write = true
	s.mu.Unlock()
	u.SendWelcomeEmail = in.SendWelcomeEmail
	c.w.Header().Set("Location", "/settings/v3/users/"+u.ID)
	s.writeJSON(c, http.StatusCreated, u)
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
		{pattern: "POST /settings/v3/users", h: (*Server).createUser},
		{pattern: "POST /settings/users/v3", h: (*Server).createUser},
	}
}
