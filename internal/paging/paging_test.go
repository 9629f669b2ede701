package paging

import (
	"errors"
	"slices"
	"testing"
)

func TestAll_walksEveryPageInOrder(t *testing.T) {
	pages := map[string]struct {
		items []int
		next  string
	}{"": {[]int{1, 2}, "b"}, "b": {[]int{3}, "c"}, "c": {nil, "d"}, "d": {[]int{4}, ""}}
	var got []int
	for v, err := range All("", func(c string) ([]int, string, error) { return pages[c].items, pages[c].next, nil }) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Fatalf("got %v, want [1 2 3 4]", got)
	}
}

func TestAll_stopsOnRepeatedCursorAndOnError(t *testing.T) {
	var n int
	for _, err := range All("x", func(c string) ([]int, string, error) { n++; return []int{n}, "x", nil }) {
		if err != nil {
			if !errors.Is(err, ErrRepeatedCursor) || n != 1 {
				t.Fatalf("err %v after %d fetches, want ErrRepeatedCursor after 1", err, n)
			}
			return
		}
	}
	t.Fatal("a repeated cursor was followed without an error")
}

func TestAll_yieldsFetchErrorOnce(t *testing.T) {
	boom := errors.New("boom")
	var errs int
	for _, err := range All("", func(string) ([]int, string, error) { return nil, "", boom }) {
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		errs++
	}
	if errs != 1 {
		t.Fatalf("%d errors yielded, want 1", errs)
	}
}
