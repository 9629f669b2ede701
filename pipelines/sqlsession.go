package pipelines

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// ErrReadOnly is wrapped by the error of a query that tried to change the
// lake's catalog or anything else: query, segments and register --sql run
// one read-only statement at a time (see SQLSession).
var ErrReadOnly = errors.New("the lake is open read-only: a query cannot change it")

// ErrOutsideLake is wrapped by the error of a query that named a file
// outside the data directory, or needed an extension or the network.
var ErrOutsideLake = errors.New("a query reads the lake's own files only")

// readOnlyKinds names, for the refusal message, the statements a session
// runs.
const readOnlyKinds = "SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PIVOT or UNPIVOT"

// SQLSession runs SQL that a user wrote (zoomsync query, segments,
// register --sql) over the lake's catalog, opened read-only
// (transform.OpenReadOnly), on one DuckDB connection whose configuration
// is then locked: external access is off (no file outside the data
// directory, no network, no extension installed or loaded), except for a
// private scratch directory where DuckDB writes Parquet results before
// they are copied out. Every statement is checked before it runs: one
// SELECT-like statement only (see readOnlyKinds); anything else is refused
// with an error wrapping ErrReadOnly, and nothing runs.
//
// A session is not safe for concurrent use.
type SQLSession struct {
	e       *transform.Engine
	conn    *sql.Conn // the one connection: with the configuration locked, a new one could not start
	scratch string    // absolute; the one directory besides the lake DuckDB may write to
	files   int       // results written to scratch
}

// OpenSQLSession opens the lake's catalog read-only for user SQL.
func OpenSQLSession(ctx context.Context, lake schema.Lake) (s *SQLSession, err error) {
	e, err := transform.OpenReadOnly(ctx, lake)
	if err != nil {
		return nil, err
	}
	s = &SQLSession{e: e}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.conn, err = e.DB().Conn(ctx); err != nil {
		return nil, fmt.Errorf("opening the catalog: %w", err)
	}
	if s.scratch, err = os.MkdirTemp("", "zoomsync-sql-"); err != nil {
		return nil, err
	}
	var dirs []string
	for _, d := range []string{e.Lake().Dir, s.scratch} {
		dirs = append(dirs, transform.QuoteString(filepath.ToSlash(d)+"/"))
		if r, err := filepath.EvalSymlinks(d); err == nil && r != d {
			dirs = append(dirs, transform.QuoteString(filepath.ToSlash(r)+"/"))
		}
	}
	for _, stmt := range []string{
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET allowed_directories = [" + strings.Join(dirs, ", ") + "]",
		"SET enable_external_access = false",
		"SET lock_configuration = true",
	} {
		if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("opening the catalog for queries: %s: %w", stmt, err)
		}
	}
	return s, nil
}

// Close closes the catalog and removes the scratch directory.
func (s *SQLSession) Close() error {
	var errs []error
	if s.conn != nil {
		errs = append(errs, s.conn.Close())
	}
	errs = append(errs, s.e.Close())
	if s.scratch != "" {
		errs = append(errs, os.RemoveAll(s.scratch))
	}
	return errors.Join(errs...)
}

// Rows runs query, once Check accepts it, and returns its rows.
func (s *SQLSession) Rows(ctx context.Context, query string) (*sql.Rows, error) {
	if err := s.Check(ctx, query); err != nil {
		return nil, err
	}
	rows, err := s.conn.QueryContext(ctx, query)
	return rows, queryError(err)
}

// Check refuses, before anything runs, whatever is not one read-only
// statement: DuckDB parses query (json_serialize_sql, which serialises
// SELECT-like statements only), and EXPLAIN and statement-level PIVOT are
// checked by what they wrap.
func (s *SQLSession) Check(ctx context.Context, query string) error {
	n, parseErr, err := s.selects(ctx, query)
	if err != nil {
		return err
	}
	switch {
	case parseErr != "":
		return fmt.Errorf("query: %s", parseErr)
	case n == 1:
		return nil
	case n > 1:
		return fmt.Errorf("%w: one %s statement may run; got %d statements", ErrReadOnly, readOnlyKinds, n)
	}
	kw, rest := leadingKeyword(query)
	var inner string
	switch kw {
	case "EXPLAIN":
		inner = rest
		if k, r := leadingKeyword(rest); k == "ANALYZE" {
			inner = r
		}
	case "PIVOT", "PIVOT_WIDER":
		// A PIVOT without an IN list is not one statement to DuckDB's
		// serialiser (it first computes the pivoted values): accepted when
		// it is one statement by the plain lexical rules of oneStatement.
		if oneStatement(query) {
			return nil
		}
	}
	if inner != "" {
		if n, parseErr, err = s.selects(ctx, inner); err != nil {
			return err
		} else if n == 1 && parseErr == "" {
			return nil
		}
	}
	if kw == "" {
		kw = "an empty statement"
	}
	return fmt.Errorf("%w: one %s statement may run; refused %s", ErrReadOnly, readOnlyKinds, kw)
}

// selects parses query with DuckDB: n is its number of statements when
// every one is SELECT-like (0 when one is not), parseErr DuckDB's message
// for a syntax error.
func (s *SQLSession) selects(ctx context.Context, query string) (n int, parseErr string, err error) {
	var js string
	if err := s.conn.QueryRowContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR", query).Scan(&js); err != nil {
		return 0, "", fmt.Errorf("checking the query: %w", err)
	}
	var r struct {
		Error      bool              `json:"error"`
		Type       string            `json:"error_type"`
		Message    string            `json:"error_message"`
		Statements []json.RawMessage `json:"statements"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		return 0, "", fmt.Errorf("checking the query: %w", err)
	}
	switch {
	case !r.Error:
		return len(r.Statements), "", nil
	case r.Type == "not implemented":
		return 0, "", nil
	}
	return 0, r.Message, nil
}

// oneStatement reports whether query is one statement: no semicolon
// outside quotes and comments but trailing ones. It decides only simple
// text: a query with a dollar quote, a backslash (escape strings) or a
// block comment (which DuckDB nests) is not taken for one statement.
func oneStatement(query string) bool {
	if strings.ContainsAny(query, "$\\") || strings.Contains(query, "/*") {
		return false
	}
	q := selectText(query)
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '\'' || c == '"':
			// A doubled quote inside reads as the end and the start of
			// two quoted parts: the same for counting.
			end := strings.IndexByte(q[i+1:], c)
			if end < 0 {
				return false
			}
			i += 1 + end
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			end := strings.IndexAny(q[i:], "\r\n")
			if end < 0 {
				return true
			}
			i += end
		case c == ';':
			return onlyComments(q[i+1:])
		}
	}
	return true
}

// onlyComments reports whether s holds nothing but white space,
// semicolons and -- comments.
func onlyComments(s string) bool {
	for {
		s = strings.TrimLeft(s, " \t\r\n\f;")
		if !strings.HasPrefix(s, "--") {
			return s == ""
		}
		end := strings.IndexAny(s, "\r\n")
		if end < 0 {
			return true
		}
		s = s[end:]
	}
}

// leadingKeyword returns the first word of query in upper case, after
// white space and comments, and what follows it.
func leadingKeyword(query string) (kw, rest string) {
	q := query
	for {
		q = strings.TrimLeft(q, " \t\r\n\f(")
		switch {
		case strings.HasPrefix(q, "--"):
			_, q, _ = strings.Cut(q, "\n")
		case strings.HasPrefix(q, "/*"):
			_, q, _ = strings.Cut(q, "*/")
		default:
			end := strings.IndexFunc(q, func(r rune) bool {
				return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
			})
			if end < 0 {
				end = len(q)
			}
			return strings.ToUpper(q[:end]), q[end:]
		}
	}
}

// queryError names what the locked configuration refused.
func queryError(err error) error {
	switch {
	case err == nil:
		return nil
	case strings.Contains(err.Error(), "read-only mode"):
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	case strings.Contains(err.Error(), "disabled by configuration"), strings.Contains(err.Error(), "configuration has been locked"):
		return fmt.Errorf("%w: %w", ErrOutsideLake, err)
	}
	return err
}

// selectText strips what may not sit inside COPY ( ... ) or FROM ( ... ):
// trailing semicolons and white space.
func selectText(query string) string {
	return strings.TrimRight(strings.TrimSpace(query), "; \t\r\n")
}
