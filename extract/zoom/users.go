package zoom

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"time"
)

// UsersService reads the account's users.
type UsersService service

// User is a Zoom user (zoom-api.md §6.1). Pending users have no ID. Only
// Licensed users (Type 2) can host webinars.
type User struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	FirstName     string    `json:"first_name"`
	LastName      string    `json:"last_name"`
	DisplayName   string    `json:"display_name"`
	Type          int       `json:"type"` // 1 Basic, 2 Licensed, 99 None
	Status        string    `json:"status"`
	Timezone      string    `json:"timezone"`
	Dept          string    `json:"dept"`
	CreatedAt     time.Time `json:"created_at"`
	UserCreatedAt time.Time `json:"user_created_at"`
	LastLoginTime time.Time `json:"last_login_time"`
	PMI           int64     `json:"pmi"`
	RoleID        string    `json:"role_id"`
	Verified      int       `json:"verified"`
	GroupIDs      []string  `json:"group_ids"`
	Language      string    `json:"language"`
}

// User types.
const (
	UserTypeBasic    = 1
	UserTypeLicensed = 2
)

// UnmarshalJSON decodes a user, tolerating "" times and a string pmi.
func (u *User) UnmarshalJSON(b []byte) error {
	type plain User
	var aux struct {
		*plain
		CreatedAt     jsonTime  `json:"created_at"`
		UserCreatedAt jsonTime  `json:"user_created_at"`
		LastLoginTime jsonTime  `json:"last_login_time"`
		PMI           jsonInt64 `json:"pmi"`
	}
	aux.plain = (*plain)(u)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	u.CreatedAt = time.Time(aux.CreatedAt)
	u.UserCreatedAt = time.Time(aux.UserCreatedAt)
	u.LastLoginTime = time.Time(aux.LastLoginTime)
	u.PMI = int64(aux.PMI)
	return nil
}

// UserListOptions filters GET /users.
type UserListOptions struct {
	// Status is "active" (Zoom's default when empty), "inactive" or "pending".
	Status string
	ListOptions
}

// List returns one page of the account's users.
//
// Zoom API: GET /users
func (s *UsersService) List(ctx context.Context, opts *UserListOptions) ([]*User, *Response, error) {
	q := url.Values{}
	var lo *ListOptions
	if opts != nil {
		if opts.Status != "" {
			q.Set("status", opts.Status)
		}
		lo = &opts.ListOptions
	}
	lo.addTo(q)
	body, resp, err := requestValue[struct {
		Users []*User `json:"users"`
	}](ctx, s.client, "GET", "users", q, nil)
	if err != nil {
		return nil, resp, err
	}
	return body.Users, resp, nil
}

// ListIter walks every page of List, starting at opts.NextPageToken.
// opts is copied, never changed.
//
// Zoom API: GET /users
func (s *UsersService) ListIter(ctx context.Context, opts *UserListOptions) iter.Seq2[*User, error] {
	return pagesOf(opts, func(p *UserListOptions) ([]*User, *Response, error) { return s.List(ctx, p) })
}
