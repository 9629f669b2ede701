package hubspottest

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUsers_List(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	var want []string
	for i := range 5 {
		srv.AddUser(fmt.Sprintf("Staff%d@Acme.com", i), "Staff", fmt.Sprint(i))
		want = append(want, fmt.Sprintf("staff%d@acme.com", i))
	}
	for _, base := range []string{"/settings/v3/users", "/settings/users/v3"} {
		var got []string
		after := ""
		for {
			r := do(t, srv, "GET", base+"?limit=2&after="+after, nil)
			wantStatus(t, r, http.StatusOK)
			var body struct {
				Results []struct {
					ID, Email, FirstName string
					RoleIDs              []string `json:"roleIds"`
				} `json:"results"`
				Paging *struct{ Next struct{ After string } } `json:"paging"`
			}
			decode(t, r, &body)
			for _, u := range body.Results {
				got = append(got, u.Email)
				if u.FirstName != "Staff" || u.RoleIDs == nil {
					t.Errorf("user = %+v", u)
				}
			}
			if body.Paging == nil {
				break
			}
			after = body.Paging.Next.After
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", base, diff)
		}
	}
	id := srv.AddUser("boss@acme.com", "B", "Oss")
	wantStatus(t, do(t, srv, "GET", "/settings/v3/users/"+id, nil), http.StatusOK)
	wantStatus(t, do(t, srv, "GET", "/settings/v3/users/boss@acme.com?idProperty=EMAIL", nil), http.StatusOK)
	wantStatus(t, do(t, srv, "GET", "/settings/v3/users/1", nil), http.StatusNotFound)
}

// TestUsers_create: a user created through the API is listed and found by
// email, is not a contact, and its email cannot be taken twice.
func TestUsers_create(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	r := do(t, srv, "POST", "/settings/v3/users", m{"email": "Rep@Acme.com", "firstName": "Rep", "sendWelcomeEmail": false, "roleId": "7"})
	wantStatus(t, r, http.StatusCreated)
	var u struct {
		ID      string   `json:"id"`
		Email   string   `json:"email"`
		RoleIDs []string `json:"roleIds"`
	}
	decode(t, r, &u)
	if u.Email != "rep@acme.com" || r.header.Get("Location") != "/settings/v3/users/"+u.ID || !slices.Equal(u.RoleIDs, []string{"7"}) {
		t.Errorf("created %+v, Location %q", u, r.header.Get("Location"))
	}
	wantStatus(t, do(t, srv, "GET", "/settings/v3/users/rep@acme.com?idProperty=EMAIL", nil), http.StatusOK)
	if got := results(t, do(t, srv, "GET", "/settings/v3/users", nil)); len(got) != 1 {
		t.Errorf("users = %v", got)
	}
	if len(srv.Contacts()) != 0 {
		t.Error("creating a user created a contact")
	}
	wantStatus(t, do(t, srv, "POST", "/settings/users/v3", m{"email": "rep@acme.com", "sendWelcomeEmail": true}), http.StatusConflict)
}
