// Package paging is the one cursor iterator of both API clients: Zoom's
// next_page_token and HubSpot's paging.next.after walk the same way.
package paging

import (
	"errors"
	"fmt"
	"iter"
)

// ErrRepeatedCursor is returned when a server answers a page with the
// cursor that asked for it: following it would loop for ever.
var ErrRepeatedCursor = errors.New("the server returned the same page cursor again")

// Fetch returns the items of the page that cursor names ("" is the first
// page) and the cursor of the next page ("" after the last).
type Fetch[T any] func(cursor string) (items []T, next string, err error)

// All yields the items of every page from start on, in order. A fetch error
// is yielded once, with T's zero value, and ends the walk; so does a
// repeated cursor (ErrRepeatedCursor).
func All[T any](start string, fetch Fetch[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for cursor := start; ; {
			items, next, err := fetch(cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			if next == cursor {
				yield(zero, fmt.Errorf("%w (%q)", ErrRepeatedCursor, next))
				return
			}
			cursor = next
		}
	}
}
