//go:build duckdb_arrow

package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
	"github.com/zoomsync/zoomsync/schema"
)

var updateDocs = flag.Bool("update", false, "rewrite docs/configuration.md and the generated sections of docs/*.md")

const updateHint = "run `go test -tags duckdb_arrow ./cmd/zoomsync -run TestDocs -update` to rewrite the generated sections"

// docPath is a file of the repository, from this package's folder.
func docPath(name string) string { return filepath.Join("..", "..", name) }

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(docPath(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// generated returns the lines between <!-- BEGIN GENERATED id --> and
// <!-- END GENERATED id --> of text.
func generated(text, id string) (string, bool) {
	begin, end := "<!-- BEGIN GENERATED "+id+" -->\n", "<!-- END GENERATED "+id+" -->"
	i := strings.Index(text, begin)
	j := strings.Index(text, end)
	if i < 0 || j < i {
		return "", false
	}
	return text[i+len(begin) : j], true
}

// checkGenerated compares the generated section id of docs file name with
// want; names lists the things the section names (a command, a view, a
// reason), so that the message says which are missing and which are extra.
// With -update it rewrites the section.
func checkGenerated(t *testing.T, name, id, want string, names func(string) []string) {
	t.Helper()
	text := readDoc(t, name)
	have, ok := generated(text, id)
	if !ok {
		t.Fatalf("%s has no section <!-- BEGIN GENERATED %s --> … <!-- END GENERATED %s -->", name, id, id)
	}
	if have == want {
		return
	}
	if *updateDocs {
		i := strings.Index(text, "<!-- BEGIN GENERATED "+id+" -->\n") + len("<!-- BEGIN GENERATED "+id+" -->\n")
		text = text[:i] + want + text[i+len(have):]
		if err := os.WriteFile(docPath(name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	h, w := names(have), names(want)
	var missing, extra []string
	for _, n := range w {
		if !slices.Contains(h, n) {
			missing = append(missing, n)
		}
	}
	for _, n := range h {
		if !slices.Contains(w, n) {
			extra = append(extra, n)
		}
	}
	t.Errorf("%s, section %q, is out of date:\n  not named there, add: %v\n  named there, no longer exist, remove: %v\n  (or descriptions changed)\n%s",
		name, id, missing, extra, updateHint)
}

// firstCells returns the first backquoted cell of every table row.
func firstCells(section string) []string {
	var out []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([^`]+)`").FindAllStringSubmatch(section, -1) {
		out = append(out, m[1])
	}
	return out
}

// commandsOf walks the app's commands, skipping help.
func commandsOf(cmds []*cli.Command, prefix string, visit func(path string, c *cli.Command)) {
	for _, c := range cmds {
		if c.Name == "help" || c.Hidden {
			continue
		}
		path := strings.TrimSpace(prefix + " " + c.Name)
		visit(path, c)
		commandsOf(c.Subcommands, path, visit)
	}
}

// flagRows are the rows of a flags table: name, environment, default, usage.
func flagRows(b *strings.Builder, flags []cli.Flag, required []string) {
	b.WriteString("| flag | environment | default | meaning |\n|---|---|---|---|\n")
	for _, f := range flags {
		df, _ := f.(cli.DocGenerationFlag)
		env, def, usage := "–", "–", ""
		if df != nil {
			if e := df.GetEnvVars(); len(e) > 0 {
				env = "`" + strings.Join(e, "`, `") + "`"
			}
			if v := df.GetDefaultText(); v != "" {
				def = v
			} else if v := strings.Trim(df.GetValue(), `"`); v != "" && v != "false" {
				def = "`" + v + "`"
			}
			usage = df.GetUsage()
		}
		if slices.Contains(required, f.Names()[0]) {
			usage += " (required)"
		}
		fmt.Fprintf(b, "| `--%s` | %s | %s | %s |\n", f.Names()[0], env, def, cell(usage))
	}
}

// commandsSection is docs/commands.md's generated section: every command
// with its usage and flags, from the CLI itself.
func commandsSection() string {
	app := newApp()
	var b strings.Builder
	b.WriteString("### Global flags\n\nGiven before the command: `zoomsync --data-dir DIR sync`.\n\n")
	var global []cli.Flag
	for _, f := range app.Flags {
		if f.Names()[0] != "help" && f.Names()[0] != "version" {
			global = append(global, f)
		}
	}
	flagRows(&b, global, nil)
	b.WriteString("\n| command | what it does |\n|---|---|\n")
	commandsOf(app.Commands, "", func(path string, c *cli.Command) {
		fmt.Fprintf(&b, "| `zoomsync %s` | %s |\n", path, cell(c.Usage))
	})
	commandsOf(app.Commands, "", func(path string, c *cli.Command) {
		if len(c.Subcommands) > 0 && c.Action != nil && len(c.Flags) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n### zoomsync %s\n\n%s.\n", path, c.Usage)
		var flags []cli.Flag
		for _, f := range c.Flags {
			if f.Names()[0] != "help" {
				flags = append(flags, f)
			}
		}
		if len(flags) > 0 {
			b.WriteString("\n")
			req, _ := app.Metadata[requiredKey+path].([]string)
			flagRows(&b, flags, req)
		}
	})
	return b.String()
}

func TestDocs_commands(t *testing.T) {
	checkGenerated(t, "docs/commands.md", "commands", commandsSection(), func(s string) []string {
		var out []string
		for _, m := range regexp.MustCompile("(?m)^(### zoomsync .*|\\| `--[a-z-]+`)").FindAllString(s, -1) {
			out = append(out, m)
		}
		return out
	})
}

// TestDocs_configurationReference: docs/configuration.md is the output of
// zoomsync config reference.
func TestDocs_configurationReference(t *testing.T) {
	var want strings.Builder
	if err := writeReference(&want); err != nil {
		t.Fatal(err)
	}
	have := readDoc(t, "docs/configuration.md")
	if have == want.String() {
		return
	}
	if *updateDocs {
		os.WriteFile(docPath("docs/configuration.md"), []byte(want.String()), 0o644)
		return
	}
	h, w := firstCells(have), firstCells(want.String())
	var missing, extra []string
	for _, n := range w {
		if !slices.Contains(h, n) {
			missing = append(missing, n)
		}
	}
	for _, n := range h {
		if !slices.Contains(w, n) {
			extra = append(extra, n)
		}
	}
	t.Errorf("docs/configuration.md differs from `zoomsync config reference`:\n  not named there: %v\n  no longer exist: %v\n"+
		"run `go run -tags duckdb_arrow ./cmd/zoomsync config reference > docs/configuration.md`", missing, extra)
}

// TestDocs_exampleYAML: zoomsync.example.yaml parses, and names every key
// of zoomsync.yaml (set or in a comment).
func TestDocs_exampleYAML(t *testing.T) {
	text := readDoc(t, "zoomsync.example.yaml")
	if _, err := pipelines.ParseFileConfig(docPath("zoomsync.example.yaml"), []byte(text)); err != nil {
		t.Fatalf("zoomsync.example.yaml does not parse: %v", err)
	}
	for _, k := range pipelines.ConfigKeys() {
		parts := strings.Split(strings.ReplaceAll(k.Key, "[]", ""), ".")
		last := parts[len(parts)-1]
		if strings.HasPrefix(last, "<") {
			continue
		}
		if !regexp.MustCompile(`(?m)^[\s#-]*` + regexp.QuoteMeta(last) + `:`).MatchString(text) {
			t.Errorf("zoomsync.example.yaml does not show the key %s (%s): add it, set or commented, with its meaning", k.Key, k.Doc)
		}
	}
}

// auditSection is docs/audit.md's generated table: every reason code with
// its category and the integration's audit-log message.
func auditSection() string {
	var b strings.Builder
	b.WriteString("| reason | category | audit-log message |\n|---|---|---|\n")
	for _, r := range schema.AuditReasons() {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.Reason, r.Category, cell(r.Message))
	}
	return b.String()
}

func TestDocs_auditReasons(t *testing.T) {
	checkGenerated(t, "docs/audit.md", "reasons", auditSection(), firstCells)
}

// lakeSection is docs/lake.md's generated list of the tables and views of
// zoomsync.duckdb after a sync and a forget.
func lakeSection(t *testing.T) (string, map[string][]string) {
	t.Helper()
	// The demo's sync, then a forget, create every table of the catalog.
	dir := filepath.Join(t.TempDir(), "lake")
	if out, err := run(t, "--data-dir", dir, "demo", "--unthrottled"); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if out, err := run(t, "--data-dir", dir, "forget", "--email", "nobody@example.com"); err != nil {
		t.Fatalf("forget: %v\n%s", err, out)
	}
	db, err := sql.Open("duckdb", filepath.Join(dir, "zoomsync.duckdb")+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT DISTINCT table_name, table_type FROM information_schema.tables
		WHERE table_schema = 'main' ORDER BY table_type, table_name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	outs, _ := filepath.Glob(filepath.Join(dir, "out", "*.parquet"))
	outTable := map[string]bool{}
	for _, f := range outs {
		outTable[strings.TrimSuffix(filepath.Base(f), ".parquet")] = true
	}
	var b strings.Builder
	b.WriteString("| name | kind |\n|---|---|\n")
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		kind := "view"
		switch {
		case typ == "BASE TABLE":
			kind = "table (the catalog's own)"
		case outTable[name]:
			kind = "view of out/" + name + ".parquet"
		case strings.HasPrefix(name, "raw_"):
			kind = "view of every file of raw/" + strings.TrimPrefix(name, "raw_") + "/"
		case strings.HasPrefix(name, "stg_"):
			kind = "view: the latest snapshot per key of a raw stream"
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", name, kind)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	cols := map[string][]string{}
	crows, err := db.Query(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	defer crows.Close()
	for crows.Next() {
		var table, col string
		if err := crows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		cols[table] = append(cols[table], col)
	}
	return b.String(), cols
}

// TestDocs_lake: docs/lake.md names every table and view of the catalog
// (its generated section), and every view its other tables describe exists.
func TestDocs_lake(t *testing.T) {
	want, columns := lakeSection(t)
	checkGenerated(t, "docs/lake.md", "catalog", want, firstCells)
	exists := firstCells(want)
	text := readDoc(t, "docs/lake.md")
	for n, documented := range viewTables(text) {
		if !slices.Contains(exists, n) {
			t.Errorf("docs/lake.md describes %q, which is no table or view of zoomsync.duckdb: remove or rename it", n)
			continue
		}
		for _, c := range columns[n] {
			if !slices.Contains(documented, c) {
				t.Errorf("docs/lake.md, the row of view %s: add its column `%s`", n, c)
			}
		}
		for _, c := range documented {
			if !slices.Contains(columns[n], c) {
				t.Errorf("docs/lake.md, the row of view %s: it has no column `%s`: remove it", n, c)
			}
		}
	}
	for _, s := range schema.RawStreams {
		if !strings.Contains(text, s.Name) {
			t.Errorf("docs/lake.md does not name the raw stream %s: add it to the layout", s.Name)
		}
	}
}

// TestDocs_namesExist: every command, flag and zoomsync.yaml key the
// README and docs/*.md name in code spans exists.
func TestDocs_namesExist(t *testing.T) {
	app := newApp()
	commands := map[string]bool{}
	flags := map[string]bool{"help": true, "version": true}
	for _, f := range app.Flags {
		flags[f.Names()[0]] = true
	}
	commandsOf(app.Commands, "", func(path string, c *cli.Command) {
		commands[path] = true
		for _, f := range c.Flags {
			for _, n := range f.Names() {
				flags[n] = true
			}
		}
	})
	keys := map[string]bool{}
	for _, k := range pipelines.ConfigKeys() {
		keys[k.Key] = true
	}
	files, _ := filepath.Glob(docPath("docs/*.md"))
	files = append(files, docPath("README.md"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(f, docPath("")+"/")
		for _, m := range regexp.MustCompile("`zoomsync ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?").FindAllStringSubmatch(string(b), -1) {
			if !commands[m[1]] {
				t.Errorf("%s names `zoomsync %s`, which is no command", name, m[1])
			} else if m[2] != "" && len(app.Command(m[1]).Subcommands) > 0 && !commands[m[1]+" "+m[2]] {
				t.Errorf("%s names `zoomsync %s %s`, which is no command", name, m[1], m[2])
			}
		}
		// A flag in a code span that is a flag, or a zoomsync command line.
		for _, m := range regexp.MustCompile("`([^`\n]*?)--([a-z][a-z-]+)").FindAllStringSubmatch(string(b), -1) {
			first, _, _ := strings.Cut(strings.TrimSpace(m[1]), " ")
			if first != "" && first != "zoomsync" && first != "bin/zoomsync" && !commands[first] {
				continue // another program's command line
			}
			if !flags[m[2]] {
				t.Errorf("%s names the flag --%s, which no command has", name, m[2])
			}
		}
		for _, m := range regexp.MustCompile("`((?:zoom|hubspot)\\.[a-z_.]+)`").FindAllStringSubmatch(string(b), -1) {
			if isSettingKey(m[1]) {
				continue
			}
			if !keys[m[1]] {
				t.Errorf("%s names the zoomsync.yaml key %s, which pipelines.ConfigKeys does not list", name, m[1])
			}
		}
	}
}

// viewTables returns the rows of the tables whose header is "| view |"
// (the views docs/lake.md describes): the view, and the columns its row
// names in code spans (identifiers only).
func viewTables(text string) map[string][]string {
	out := map[string][]string{}
	in := false
	ident := regexp.MustCompile("`([a-z_][a-z0-9_]*)`")
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "| view |"):
			in = true
		case !strings.HasPrefix(line, "|"):
			in = false
		case in && len(firstCells(line)) == 1:
			cells := strings.Split(line, "|")
			var cols []string
			for _, m := range ident.FindAllStringSubmatch(cells[len(cells)-2], -1) {
				cols = append(cols, m[1])
			}
			out[firstCells(line)[0]] = cols
		}
	}
	return out
}

func isSettingKey(k string) bool {
	return slices.ContainsFunc(settings, func(s setting) bool { return s.Key == k })
}
