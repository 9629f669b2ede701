package extract

import (
	"context"
	"errors"
	"iter"
	"log/slog"

	"github.com/zoomsync/zoomsync/extract/zoom"
)

// maxListingRestarts bounds how often one listing starts again after an
// expired next_page_token.
const maxListingRestarts = 2

// listAll reads a whole listing. Zoom's next_page_token expires (15 minutes
// after it was issued): when a page answers that it did
// (zoom.ErrPageTokenInvalid), the listing starts again from its first page,
// at most maxListingRestarts times, and the items of the abandoned walk are
// dropped, so the result is one walk with no item twice. On any other error
// it returns the items read before it with the error.
func listAll[T any](ctx context.Context, log *slog.Logger, what string, walk func() iter.Seq2[T, error]) ([]T, error) {
	for restarts := 0; ; restarts++ {
		var items []T
		var err error
		for it, e := range walk() {
			if e != nil {
				err = e
				break
			}
			items = append(items, it)
		}
		if err == nil || !errors.Is(err, zoom.ErrPageTokenInvalid) || restarts >= maxListingRestarts || ctx.Err() != nil {
			return items, err
		}
		log.WarnContext(ctx, "page token expired, listing again from the first page", "listing", what,
			"restart", restarts+1, "dropped", len(items))
	}
}
