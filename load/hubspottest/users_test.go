package hubspottest

import (
	"fmt"
	"net/http"
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
