// Package transform runs the DuckDB SQL of zoomsync over the Parquet lake.
//
// The engine keeps one DuckDB catalog per data directory (schema.Lake.DB).
// It holds views, never copies of the data: one view per raw stream
// (raw_users, raw_registrants, ...) over the stream's Parquet files, the
// staging and rollup views that the SQL files in sql/ create, and one view
// per load-ready table (contacts, audit) over out/<table>.parquet. Within a
// Run only, the relations a SQL file's header names on a "-- Materialize:"
// line are copied into Parquet files under temporary views that shadow the
// views for the later files, so that shared relations are computed once per
// run; the copies are dropped before the run commits and their files when
// it ends (see materializeDirectives and materializeSQL).
//
// Views name their files by absolute path, so a notebook can open the
// catalog from any working directory. Open and Run recreate the raw and out
// views (a moved data directory heals on the next Open); OpenReadOnly
// shadows them with temporary views built from the lake as it is when each
// connection opens.
package transform

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/zoomsync/zoomsync/schema"
)

//go:embed sql/*.sql
var embedded embed.FS

// SQL returns the SQL files embedded in the binary, with the files at the
// root of the returned FS.
func SQL() fs.FS {
	sub, err := fs.Sub(embedded, "sql")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}

// Engine is a DuckDB catalog over one lake.
type Engine struct {
	lake     schema.Lake
	dir      string // absolute data directory
	db       *sql.DB
	sql      fs.FS
	log      *slog.Logger
	readOnly bool
	// excludedDomains are the excluded contact domains, normalised
	// (WithExcludedContactDomains).
	excludedDomains []string
	// sessionGap stitches instances into sessions (WithSessionGap;
	// DefaultSessionGap when not set, 0: off).
	sessionGap time.Duration
	// memoryLimit is DuckDB's memory_limit in bytes (WithMemoryLimit; 0:
	// DefaultMemoryLimit).
	memoryLimit int64
	// beforeFile and afterFile, when set (by tests), are called around
	// each SQL file of a session with its name and text, on the session's
	// transaction; an error ends the session.
	beforeFile, afterFile func(ctx context.Context, q execQuerier, name, text string) error
}

// Option configures Open.
type Option func(*Engine)

// WithSQL replaces the embedded SQL files: every *.sql file at the root of
// fsys runs, in name order, with its "-- Materialize:" header lines obeyed.
func WithSQL(fsys fs.FS) Option { return func(e *Engine) { e.sql = fsys } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// ErrBusy is returned (wrapped) when another process, or another open of
// this one, holds zoomsync.duckdb: DuckDB lets one writer, or readers only,
// have the file at a time.
var ErrBusy = errors.New("the catalog zoomsync.duckdb is in use (a sync transforming or loading, or another reader or writer)")

// busy wraps err with ErrBusy when DuckDB refused the file because it is held.
func busy(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Conflicting lock") || strings.Contains(msg, "Could not set lock") ||
		strings.Contains(msg, "different configuration than existing connections") {
		return fmt.Errorf("%w: %w", ErrBusy, err)
	}
	return err
}

// Open opens the lake's catalog read-write, creating the data directory and
// the catalog when missing, and (re)creates the raw and out views.
func Open(ctx context.Context, lake schema.Lake, opts ...Option) (*Engine, error) {
	e, err := newEngine(lake, opts)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(e.tempDir(), 0o755); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	connector, err := duckdb.NewConnector(e.dsn(false), e.boot(false))
	if err != nil {
		return nil, fmt.Errorf("transform: opening %s: %w", lake.DB(), busy(err))
	}
	e.db = sql.OpenDB(connector)
	if err := e.refreshViews(ctx); err != nil {
		e.db.Close()
		return nil, busy(err)
	}
	return e, nil
}

// OpenReadOnly opens the lake's catalog read-only (DuckDB access_mode
// READ_ONLY), for segment queries: no statement can change the catalog or
// its tables. Temporary views over the lake's files as they are now shadow
// the persisted raw and out views, so queries see the current files even
// when the data directory was moved since the last Run.
func OpenReadOnly(ctx context.Context, lake schema.Lake) (*Engine, error) {
	e, err := newEngine(lake, nil)
	if err != nil {
		return nil, err
	}
	e.readOnly = true
	path := filepath.Join(e.dir, "zoomsync.duckdb")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("transform: no catalog at %s (run a transform first): %w", path, err)
	}
	os.MkdirAll(e.tempDir(), 0o755) // best effort: DuckDB needs it only to spill
	connector, err := duckdb.NewConnector(e.dsn(true), e.boot(true))
	if err != nil {
		return nil, fmt.Errorf("transform: opening %s read-only: %w", path, busy(err))
	}
	e.db = sql.OpenDB(connector)
	if err := e.db.PingContext(ctx); err != nil {
		e.db.Close()
		return nil, fmt.Errorf("transform: opening %s read-only: %w", path, busy(err))
	}
	return e, nil
}

func newEngine(lake schema.Lake, opts []Option) (*Engine, error) {
	if lake.Dir == "" {
		return nil, errors.New("transform: empty data directory")
	}
	dir, err := filepath.Abs(lake.Dir)
	if err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	e := &Engine{lake: schema.Lake{Dir: dir}, dir: dir, sql: SQL(), log: slog.New(slog.DiscardHandler),
		sessionGap: DefaultSessionGap}
	for _, o := range opts {
		o(e)
	}
	return e, nil
}

// settings are the statements that set up every new DuckDB connection.
// The machine may have no network, so extensions are never installed or
// loaded on demand (parquet, json and icu are built in); times are UTC.
// (Memory is bounded by the database's settings: see dsn.)
func (e *Engine) settings() []string {
	return []string{
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET TimeZone = 'UTC'",
		// Lets ad-hoc queries name lake files relative to the data
		// directory: read_parquet('raw/users/*/*.parquet').
		"SET file_search_path = " + QuoteString(e.dir),
		// No result of the SQL depends on the order rows were inserted in
		// (every ordered aggregate has its ORDER BY; the out files are
		// written ORDER BY their key), and keeping that order costs
		// memory: DuckDB buffers rows to keep it when it writes a file.
		"SET preserve_insertion_order = false",
	}
}

// boot returns the function run on every new DuckDB connection: the
// settings, and for a read-only engine the temporary views over the lake.
func (e *Engine) boot(readOnly bool) func(driver.ExecerContext) error {
	return func(x driver.ExecerContext) error {
		ctx := context.Background()
		stmts := e.settings()
		if readOnly {
			ddl, err := e.viewDDL(true)
			if err != nil {
				return err
			}
			stmts = append(stmts, ddl...)
		}
		for _, s := range stmts {
			if _, err := x.ExecContext(ctx, s, nil); err != nil {
				return fmt.Errorf("transform: %s: %w", s, err)
			}
		}
		return nil
	}
}

// DB is the catalog, for the loader and for queries. The caller must not
// close it; Close does.
func (e *Engine) DB() *sql.DB { return e.db }

// Lake is the engine's data directory, with an absolute path.
func (e *Engine) Lake() schema.Lake { return e.lake }

// Close closes the catalog.
func (e *Engine) Close() error {
	if e == nil || e.db == nil {
		return nil
	}
	return e.db.Close()
}

// refreshViews recreates the persisted raw and out views in one transaction.
func (e *Engine) refreshViews(ctx context.Context) error {
	ddl, err := e.viewDDL(false)
	if err != nil {
		return err
	}
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	defer tx.Rollback()
	for _, s := range ddl {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("transform: creating views: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("transform: creating views: %w", err)
	}
	return nil
}
