package pipelines

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/zoomsync/zoomsync/schema"
)

// ErrLocked is returned when another run holds the data directory.
var ErrLocked = errors.New("data directory is in use by another zoomsync run")

// Lock is the exclusive hold of a data directory by one run. It is an
// advisory flock on <data-dir>/.lock: the kernel drops it when the process
// ends, so a crashed run never leaves the directory locked.
type Lock struct{ f *os.File }

// AcquireLock takes the data directory's lock or fails at once.
func AcquireLock(lake schema.Lake) (*Lock, error) {
	if err := os.MkdirAll(lake.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	f, err := os.OpenFile(lake.LockFile(), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(lake.LockFile())
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s, held by pid %s)", ErrLocked, lake.Dir, strings.TrimSpace(string(holder)))
		}
		return nil, fmt.Errorf("locking %s: %w", lake.Dir, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &Lock{f: f}, nil
}

// Release lets the next run in. It is safe to call on a nil Lock and twice.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return f.Close()
}
