package extract

import (
	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/schema"
)

// partWriter appends rows of one raw stream to the run's part files, each
// written under a temporary name, synced and renamed on close (see
// lakefile.PartWriter, which the loader's CRM snapshot shares).
type partWriter[T any] = lakefile.PartWriter[T]

func newPartWriter[T any](lake schema.Lake, stream, runID string) *partWriter[T] {
	return lakefile.NewPartWriter[T](lake, stream, runID)
}
