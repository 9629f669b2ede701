package zoom

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUsersService_ListIter_allPages(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	for _, status := range []string{"active", "pending"} {
		t.Run(status, func(t *testing.T) {
			var want []string
			for _, u := range f.acct.Users {
				if u.Status == status {
					want = append(want, u.Email)
				}
			}
			var got []string
			for u, err := range f.client.Users.ListIter(t.Context(), &UserListOptions{Status: status, ListOptions: ListOptions{PageSize: 1}}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, u.Email)
			}
			slices.Sort(want)
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("emails (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUsersService_List_pageEnvelope(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	users, resp, err := f.client.Users.List(t.Context(), &UserListOptions{ListOptions: ListOptions{PageSize: 2}})
	if err != nil {
		t.Fatal(err)
	}
	active := 0
	for _, u := range f.acct.Users {
		if u.Status == "active" {
			active++
		}
	}
	if len(users) != 2 || resp.PageSize != 2 || resp.TotalRecords != active || resp.NextPageToken == "" {
		t.Errorf("got %d users, page_size %d, total %d, token %q; want 2, 2, %d, a token",
			len(users), resp.PageSize, resp.TotalRecords, resp.NextPageToken, active)
	}
	if users[0].ID == "" || users[0].CreatedAt.IsZero() {
		t.Errorf("first user %+v lacks id or created_at", users[0])
	}
	if got := resp.Request.URL.Query().Get("page_size"); got != "2" {
		t.Errorf("page_size sent = %q, want 2", got)
	}
}

func TestUsersService_List_defaultPageSize(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	_, resp, err := f.client.Users.List(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Request.URL.Query().Get("page_size"); got != "300" {
		t.Errorf("page_size sent = %q, want 300", got)
	}
}
