package pipelines

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// Erasure (zoomsync forget): a person's rows leave every raw and out file
// of the lake, each file rewritten under a temporary name and renamed over
// the old one, its manifest row updated. The person is remembered only as
// the SHA-256 of the normalised email (a tombstone), so later runs drop
// the rows on arrival without the lake keeping the address.
//
// Streams of the account's own staff (Zoom users, CRM users) and the host
// columns are left alone: forgetting an attendee must not remove a webinar.

// forgottenDDL creates the tombstones.
const forgottenDDL = `
CREATE TABLE IF NOT EXISTS forgotten (
	email_sha256 VARCHAR PRIMARY KEY, -- sha256 of the lower-cased, trimmed email
	forgotten_at TIMESTAMP
)`

// personColumns are the columns that hold a person's email, in the raw
// streams and out tables that have them.
var personColumns = []string{"email", "user_email", "primary_email"}

// staffStreams hold the account's own users, not the people forget erases.
var staffStreams = []string{schema.StreamUsers, schema.StreamCRMUsers}

// ForgetReport says what Forget removed.
type ForgetReport struct {
	Emails  int            // distinct emails forgotten
	Files   map[string]int // file (relative to the data directory) → rows removed
	Rows    int            // rows removed from files
	Catalog int            // catalog rows removed (audit history, load state and log, ledger)
}

// EmailHash is the tombstone of an email: the hex SHA-256 of its
// lower-cased, trimmed form.
func EmailHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// Forget removes the rows of the given people from the lake and records
// their tombstones, under the data directory's lock.
func Forget(ctx context.Context, cfg *Config, emails []string) (*ForgetReport, error) {
	var hashes []string
	for _, e := range emails {
		if strings.TrimSpace(e) == "" || !strings.Contains(e, "@") {
			return nil, fmt.Errorf("forget: %q is not an email", e)
		}
		hashes = append(hashes, EmailHash(e))
	}
	slices.Sort(hashes)
	hashes = slices.Compact(hashes)
	lake := lakeOf(cfg)
	lock, err := AcquireLock(lake)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	db, err := sql.Open("duckdb", lake.DB())
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", lake.DB(), err)
	}
	defer db.Close()
	// The tombstones first: a crash after them still drops the rows on
	// arrival, and a rerun of forget finishes the rewrite.
	if err := addTombstones(ctx, db, hashes); err != nil {
		return nil, err
	}
	rep := &ForgetReport{Emails: len(hashes), Files: map[string]int{}}
	files, err := personFiles(lake)
	if err != nil {
		return nil, err
	}
	if err := rewriteWithout(ctx, db, lake, files, rep); err != nil {
		return rep, err
	}
	n, err := forgetCatalog(ctx, db, hashes)
	rep.Catalog = n
	return rep, err
}

func addTombstones(ctx context.Context, db *sql.DB, hashes []string) error {
	if _, err := db.ExecContext(ctx, forgottenDDL); err != nil {
		return fmt.Errorf("creating forgotten: %w", err)
	}
	now := time.Now().UTC()
	for _, h := range hashes {
		if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO forgotten VALUES (?, ?)`, h, now); err != nil {
			return fmt.Errorf("recording a tombstone: %w", err)
		}
	}
	return nil
}

// personFiles lists the raw part files of the person streams and the out
// tables, relative to the data directory.
func personFiles(lake schema.Lake) ([]string, error) {
	var files []string
	for _, s := range schema.RawStreams {
		if slices.Contains(staffStreams, s.Name) {
			continue
		}
		m, err := filepath.Glob(lake.RawGlob(s.Name))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	out, err := filepath.Glob(filepath.Join(lake.Dir, "out", "*.parquet"))
	if err != nil {
		return nil, err
	}
	return append(files, out...), nil
}

// rewriteWithout rewrites each file that holds a forgotten person's rows.
// The tombstones are read from the catalog db.
func rewriteWithout(ctx context.Context, db *sql.DB, lake schema.Lake, files []string, rep *ForgetReport) error {
	for _, f := range files {
		removed, err := rewriteFile(ctx, db, f)
		if err != nil {
			return err
		}
		if removed > 0 {
			if err := updateManifest(ctx, db, lake, f); err != nil {
				return err
			}
			rel, _ := filepath.Rel(lake.Dir, f)
			rep.Files[filepath.ToSlash(rel)] = removed
			rep.Rows += removed
		}
	}
	return nil
}

// rewriteFile rewrites one Parquet file without the rows of a forgotten
// person and returns how many it removed (0: the file is left as it was).
// The caller records the new file (manifest row or lakefile.File).
func rewriteFile(ctx context.Context, db *sql.DB, path string) (int, error) {
	cond, err := forgottenCondition(ctx, db, path)
	if err != nil || cond == "" {
		return 0, err
	}
	src := transform.QuoteString(filepath.ToSlash(path))
	var removed int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM read_parquet("+src+") WHERE "+cond).Scan(&removed); err != nil {
		return 0, fmt.Errorf("reading %s: %w", path, err)
	}
	if removed == 0 {
		return 0, nil
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".forget.tmp")
	q := "COPY (SELECT * FROM read_parquet(" + src + ") WHERE NOT (" + cond + ")) TO " +
		transform.QuoteString(filepath.ToSlash(tmp)) + " (FORMAT parquet, COMPRESSION zstd)"
	if _, err := db.ExecContext(ctx, q); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("rewriting %s: %w", path, err)
	}
	if err := lakefile.SyncFile(tmp); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return removed, nil
}

// forgottenCondition is the SQL condition true for the rows of path that
// belong to a forgotten person, or "" when the file has no person column.
func forgottenCondition(ctx context.Context, db *sql.DB, path string) (string, error) {
	rows, err := db.QueryContext(ctx, "SELECT name FROM parquet_schema("+transform.QuoteString(filepath.ToSlash(path))+")")
	if err != nil {
		return "", fmt.Errorf("reading the schema of %s: %w", path, err)
	}
	defer rows.Close()
	var conds []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return "", err
		}
		if slices.Contains(personColumns, name) {
			conds = append(conds, fmt.Sprintf(`coalesce(sha256(lower(trim(%q))) IN (SELECT email_sha256 FROM forgotten), false)`, name))
		}
	}
	return strings.Join(conds, " OR "), rows.Err()
}

// updateManifest records the new size and checksum of a rewritten raw
// file, so that verification does not take it for a corrupt one.
func updateManifest(ctx context.Context, db *sql.DB, lake schema.Lake, path string) error {
	rel, err := filepath.Rel(lake.Dir, path)
	if err != nil {
		return err
	}
	size, sum, err := lakefile.Checksum(path)
	if err != nil {
		return err
	}
	var rows int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM read_parquet("+transform.QuoteString(filepath.ToSlash(path))+")").Scan(&rows); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `UPDATE lake_manifest SET rows = ?, bytes = ?, sha256 = ? WHERE path = ?`,
		rows, size, sum, filepath.ToSlash(rel))
	if err != nil && strings.Contains(err.Error(), "does not exist") {
		return nil // a lake from before the manifest
	}
	return err
}

// forgetCatalog removes the forgotten people from the catalog's tables
// that name them: the audit history and the load's audit rows, the load state and log (keys are the
// email, or end with "/email"), and the contact ledger.
func forgetCatalog(ctx context.Context, db *sql.DB, hashes []string) (int, error) {
	const forgotten = `(SELECT email_sha256 FROM forgotten)`
	stmts := []string{
		`DELETE FROM audit_history WHERE sha256(lower(trim(email))) IN ` + forgotten,
		`DELETE FROM load_audit WHERE sha256(lower(trim(email))) IN ` + forgotten,
		`DELETE FROM contact_ledger WHERE sha256(lower(trim(email))) IN ` + forgotten,
		`DELETE FROM load_state WHERE sha256(lower(trim(regexp_extract(key, '[^/]*$')))) IN ` + forgotten,
		`DELETE FROM load_log WHERE sha256(lower(trim(regexp_extract(key, '[^/]*$')))) IN ` + forgotten,
	}
	var total int
	for _, q := range stmts {
		res, err := db.ExecContext(ctx, q)
		if err != nil {
			if strings.Contains(err.Error(), "does not exist") {
				continue // a table this lake has not made yet
			}
			return total, fmt.Errorf("forgetting in the catalog: %w", err)
		}
		n, _ := res.RowsAffected()
		total += int(n)
	}
	return total, nil
}

// dropForgotten rewrites the raw files a run just wrote without the rows
// of forgotten people, before they are recorded in the manifest: the
// tombstones drop them on arrival. It returns the files as they now are.
func dropForgotten(ctx context.Context, db *sql.DB, lake schema.Lake, files []lakefile.File) ([]lakefile.File, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM forgotten`).Scan(&n); err != nil || n == 0 {
		return files, nil // no tombstone table yet, or none in it
	}
	out := make([]lakefile.File, 0, len(files))
	for _, f := range files {
		path := filepath.Join(lake.Dir, filepath.FromSlash(f.Path))
		removed, err := rewriteFile(ctx, db, path)
		if err != nil {
			return nil, err
		}
		if removed > 0 {
			f.Bytes, f.SHA256, err = lakefile.Checksum(path)
			if err != nil {
				return nil, err
			}
			f.Rows -= int64(removed)
		}
		out = append(out, f)
	}
	return out, nil
}
