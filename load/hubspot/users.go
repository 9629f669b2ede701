package hubspot

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/zoomsync/zoomsync/internal/paging"
)

// UsersService reads the users of the HubSpot account (people to keep out
// of the contacts).
type UsersService service

// User is a user of the account.
type User struct {
	ID               string   `json:"id"`
	Email            string   `json:"email"`
	FirstName        string   `json:"firstName,omitempty"`
	LastName         string   `json:"lastName,omitempty"`
	RoleID           string   `json:"roleId,omitempty"`
	RoleIDs          []string `json:"roleIds,omitempty"`
	PrimaryTeamID    string   `json:"primaryTeamId,omitempty"`
	SecondaryTeamIDs []string `json:"secondaryTeamIds,omitempty"`
	SuperAdmin       bool     `json:"superAdmin"`
}

// UnmarshalJSON accepts ids sent as numbers as well as strings.
func (u *User) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID               any    `json:"id"`
		Email            string `json:"email"`
		FirstName        string `json:"firstName"`
		LastName         string `json:"lastName"`
		RoleID           any    `json:"roleId"`
		RoleIDs          []any  `json:"roleIds"`
		PrimaryTeamID    any    `json:"primaryTeamId"`
		SecondaryTeamIDs []any  `json:"secondaryTeamIds"`
		SuperAdmin       bool   `json:"superAdmin"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	strs := func(xs []any) []string {
		var out []string
		for _, x := range xs {
			out = append(out, anyString(x))
		}
		return out
	}
	*u = User{
		ID: anyString(raw.ID), Email: raw.Email, FirstName: raw.FirstName, LastName: raw.LastName,
		RoleID: anyString(raw.RoleID), RoleIDs: strs(raw.RoleIDs), PrimaryTeamID: anyString(raw.PrimaryTeamID),
		SecondaryTeamIDs: strs(raw.SecondaryTeamIDs), SuperAdmin: raw.SuperAdmin,
	}
	return nil
}

// UserListOptions selects a page of users.
type UserListOptions struct {
	// Limit is the page size, at most 100; 0 means 100.
	Limit int
	// After is the cursor from the previous page.
	After string
}

// List returns one page of users; resp.After is the cursor of the next
// (empty on the last page).
//
// HubSpot API: GET /settings/v3/users
func (s *UsersService) List(ctx context.Context, opts *UserListOptions) ([]*User, *Response, error) {
	var o UserListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit <= 0 || o.Limit > 100 {
		o.Limit = 100
	}
	q := url.Values{"limit": {strconv.Itoa(o.Limit)}}
	if o.After != "" {
		q.Set("after", o.After)
	}
	req, err := s.client.NewRequest(ctx, http.MethodGet, "settings/v3/users", q, nil)
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		Results []*User   `json:"results"`
		Paging  *pageInfo `json:"paging"`
	}
	resp, err := s.client.Do(req, &page)
	if err != nil {
		return nil, resp, err
	}
	resp.After = page.Paging.nextAfter()
	return page.Results, resp, nil
}

// ListIter walks every user of the account, 100 per page. On an error it
// yields (nil, err) once and stops.
func (s *UsersService) ListIter(ctx context.Context) iter.Seq2[*User, error] {
	return paging.All("", func(after string) ([]*User, string, error) {
		return pageOf(s.List(ctx, &UserListOptions{Limit: 100, After: after}))
	})
}
