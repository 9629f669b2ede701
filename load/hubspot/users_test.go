package hubspot

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/load/hubspottest"
)

func TestUsersService_ListIter_allPages(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	var want []User
	for i := range 150 {
		email := fmt.Sprintf("staff%03d@acme.example", i)
		id := srv.AddUser(email, "First", fmt.Sprint(i))
		want = append(want, User{ID: id, Email: email, FirstName: "First", LastName: fmt.Sprint(i)})
	}
	var got []User
	for u, err := range c.Users.ListIter(t.Context()) {
		if err != nil {
			t.Fatalf("ListIter: %v", err)
		}
		got = append(got, User{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, SuperAdmin: u.SuperAdmin})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want 2 pages of 100", n)
	}
}

func TestUsersService_ListIter_error(t *testing.T) {
	t.Parallel()
	_, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{
		Kind: hubspottest.FaultExpiredToken, Path: "/settings/v3/users",
	})})
	var errs int
	for u, err := range c.Users.ListIter(t.Context()) {
		if u != nil {
			t.Errorf("user %+v yielded", u)
		}
		if !errors.Is(err, ErrUnauthorized) {
			t.Errorf("err = %v, want ErrUnauthorized", err)
		}
		errs++
	}
	if errs != 1 {
		t.Errorf("%d errors yielded, want 1", errs)
	}
}

func TestUser_UnmarshalJSON_numericIDs(t *testing.T) {
	t.Parallel()
	var u User
	if err := u.UnmarshalJSON([]byte(`{"id":123,"email":"a@b.co","roleIds":[1,"2"],"primaryTeamId":7,"superAdmin":true}`)); err != nil {
		t.Fatal(err)
	}
	want := User{ID: "123", Email: "a@b.co", RoleIDs: []string{"1", "2"}, PrimaryTeamID: "7", SuperAdmin: true}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
