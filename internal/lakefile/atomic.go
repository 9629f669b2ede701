package lakefile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// FileMode is the mode of every file zoomsync writes: lake parts, query and
// segment results, reports (readable by the group and others, as a file
// that a program's umask lets through; the data directory's mode guards it).
const FileMode os.FileMode = 0o644

// CreateTemp creates a temporary file in dir, as os.CreateTemp does, with
// FileMode instead of os.CreateTemp's 0600, so the file renamed from it has
// the same mode as every other output.
func CreateTemp(dir, pattern string) (*os.File, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(FileMode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// WriteAtomic writes path through write: to a temporary file beside it,
// synced and renamed to path once complete, so that a reader never sees
// half a file and a failed write leaves path as it was. The file has
// FileMode.
func WriteAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	SyncFile(dir) // best effort: not every platform syncs a directory
	return nil
}
