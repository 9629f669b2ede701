//go:build !duckdb_arrow

package load

// The loader streams DuckDB results as Arrow record batches, which
// duckdb-go only compiles with the duckdb_arrow build tag. Build and test
// through the Makefile, or pass -tags duckdb_arrow.
var _ = build_with_tag_duckdb_arrow
