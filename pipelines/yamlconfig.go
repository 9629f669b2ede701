package pipelines

import (
	"github.com/zoomsync/zoomsync/internal/output"

	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
)

// FileConfig is the content of zoomsync.yaml (--config). Each top-level key
// is one section; a key that no field declares is an error that names it,
// so that a typo never silently does nothing. A new section (the sync
// settings, say) is a new field with its yaml tag.
type FileConfig struct {
	// Segments are the named segment queries that `zoomsync segments` runs.
	Segments []Segment `yaml:"segments" doc:"named SQL queries over the lake that zoomsync segments runs, each written to a file"`
	// Zoom are the sync settings: which hosts, webinars and recordings sync.
	Zoom ZoomSettings `yaml:"zoom" doc:"the sync settings: which hosts, webinars and recordings sync"`
	// HubSpot are the CRM settings: contact exclusions, marketing events,
	// timeline events.
	HubSpot HubSpotSettings `yaml:"hubspot" doc:"the CRM settings: contact exclusions, marketing events, timeline events"`
}

// Segment is one named query over the lake and the file it is written to.
type Segment struct {
	// Name identifies the segment (--only NAME): letters, digits, '_' and
	// '-', unique in the file.
	Name string `yaml:"name" doc:"the segment's name (--only NAME): letters, digits, '_' and '-', unique in the file"`
	// SQL is one SELECT over the views of zoomsync.duckdb, run read-only.
	SQL string `yaml:"sql" doc:"one SELECT over the views of zoomsync.duckdb, run read-only"`
	// Format is csv or parquet. When empty, the extension of Out decides.
	Format output.Format `yaml:"format" default:"from the extension of out" doc:"csv or parquet"`
	// Out is the file written, atomically (temporary name, then rename).
	// A relative path is relative to the directory of zoomsync.yaml; its
	// folder is created when missing.
	Out string `yaml:"out" doc:"the file written, atomically; relative to the folder of zoomsync.yaml"`
}

// SegmentFormats are the formats a segment may be written in.
var SegmentFormats = []output.Format{output.FormatCSV, output.FormatParquet}

var segmentName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ParseFileConfig decodes and validates zoomsync.yaml. name is the file's
// path: it prefixes every message and anchors relative paths. Every error
// of the file is reported, not just the first.
func ParseFileConfig(name string, data []byte) (*FileConfig, error) {
	var generic any
	if err := yaml.Unmarshal(data, &generic); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if generic != nil {
		if _, ok := generic.(map[string]any); !ok {
			return nil, fmt.Errorf("%s: want a mapping of sections (segments: ...) at the top level", name)
		}
	}
	var unknown []string
	unknownKeys(generic, reflect.TypeFor[FileConfig](), "", &unknown)
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%s: unknown keys: %s", name, strings.Join(unknown, ", "))
	}
	var fc FileConfig
	if err := yaml.Unmarshal(data, &fc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	base := filepath.Dir(name)
	for i := range fc.Segments {
		s := &fc.Segments[i]
		if s.Out != "" && !filepath.IsAbs(s.Out) {
			s.Out = filepath.Join(base, s.Out)
		}
	}
	if err := fc.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &fc, nil
}

// Validate checks every segment and reports every problem, naming the
// segment and the field. It fills Format from Out's extension when empty.
func (fc *FileConfig) Validate() error {
	errs := []error{fc.Zoom.Validate(), fc.HubSpot.Validate()}
	names := map[string]int{}
	outs := map[string]int{}
	for i := range fc.Segments {
		s := &fc.Segments[i]
		at := fmt.Sprintf("segments[%d]", i)
		if s.Name != "" {
			at += fmt.Sprintf(" (%s)", s.Name)
		}
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("%s: name is required", at))
		case !segmentName.MatchString(s.Name):
			errs = append(errs, fmt.Errorf("%s: name %q: use letters, digits, '_' and '-'", at, s.Name))
		default:
			if j, dup := names[s.Name]; dup {
				errs = append(errs, fmt.Errorf("%s: name %q is also segments[%d]'s", at, s.Name, j))
			}
			names[s.Name] = i
		}
		if strings.TrimSpace(s.SQL) == "" {
			errs = append(errs, fmt.Errorf("%s: sql is required", at))
		}
		if f, ok := output.FormatOf(s.Out); s.Format == "" && ok && slices.Contains(SegmentFormats, f) {
			s.Format = f
		}
		switch {
		case s.Format == "":
			errs = append(errs, fmt.Errorf("%s: format is required (csv or parquet) when out does not end in .csv or .parquet", at))
		case !slices.Contains(SegmentFormats, s.Format):
			errs = append(errs, fmt.Errorf("%s: format %q: want csv or parquet", at, s.Format))
		}
		if s.Out == "" {
			errs = append(errs, fmt.Errorf("%s: out is required (the file to write)", at))
		} else {
			clean := filepath.Clean(s.Out)
			if j, dup := outs[clean]; dup {
				errs = append(errs, fmt.Errorf("%s: out %s is also segments[%d]'s", at, s.Out, j))
			}
			outs[clean] = i
		}
	}
	return errors.Join(errs...)
}

// Select returns the segments named in only, in the file's order, or all
// of them when only is empty. A name the file does not define is an error
// that lists the names it does.
func (fc *FileConfig) Select(only []string) ([]Segment, error) {
	if len(fc.Segments) == 0 {
		return nil, errors.New("no segments defined (add a segments: list to zoomsync.yaml)")
	}
	if len(only) == 0 {
		return fc.Segments, nil
	}
	var known, missing []string
	for _, s := range fc.Segments {
		known = append(known, s.Name)
	}
	for _, n := range only {
		if !slices.Contains(known, n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no segment named %s (defined: %s)", strings.Join(missing, ", "), strings.Join(known, ", "))
	}
	var out []Segment
	for _, s := range fc.Segments {
		if slices.Contains(only, s.Name) {
			out = append(out, s)
		}
	}
	return out, nil
}

// unknownKeys appends the path of every mapping key in v that the yaml tags
// of t do not declare.
func unknownKeys(v any, t reflect.Type, path string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if customYAML(t) {
		return // the type reads its own syntax and reports its own errors
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return // a type error, which the typed decode reports
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			fields[name] = f.Type
		}
		for _, k := range sortedKeys(m) {
			ft, ok := fields[k]
			p := k
			if path != "" {
				p = path + "." + k
			}
			if !ok {
				*out = append(*out, p)
				continue
			}
			unknownKeys(m[k], ft, p, out)
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for _, k := range sortedKeys(m) {
			unknownKeys(m[k], t.Elem(), path+"."+k, out)
		}
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			return
		}
		for i, x := range l {
			unknownKeys(x, t.Elem(), fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
}

// customYAML reports whether t (or *t) decodes itself from YAML.
func customYAML(t reflect.Type) bool {
	for _, u := range []reflect.Type{
		reflect.TypeFor[yaml.BytesUnmarshaler](),
		reflect.TypeFor[yaml.BytesUnmarshalerContext](),
		reflect.TypeFor[yaml.InterfaceUnmarshaler](),
		reflect.TypeFor[yaml.InterfaceUnmarshalerContext](),
		reflect.TypeFor[yaml.NodeUnmarshaler](),
		reflect.TypeFor[yaml.NodeUnmarshalerContext](),
	} {
		if t.Implements(u) || reflect.PointerTo(t).Implements(u) {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ConfigKey describes one key of zoomsync.yaml, from the tags of its field:
// `yaml` (the name), `doc` (its meaning, one line), `default` (when the
// key has one) and `key` (what the keys of a map name).
type ConfigKey struct {
	Key     string // dotted path: zoom.defaults.sync_recordings; maps add <name>, lists []
	Type    string // section, list of sections, string, int, bool, list of strings, map, or the type's own syntax
	Default string
	Doc     string
	Field   string // the Go field, for messages: ZoomSettings.LookbackDays
}

// ConfigKeys lists every key zoomsync.yaml may hold, in the order of the
// fields, a section before its keys. The configuration reference (config
// show, docs/configuration.md, the example file's check) is made from it.
func ConfigKeys() []ConfigKey {
	var out []ConfigKey
	configKeys(reflect.TypeFor[FileConfig](), "", &out)
	return out
}

func configKeys(t reflect.Type, prefix string, out *[]ConfigKey) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		*out = append(*out, ConfigKey{Key: key, Type: yamlType(ft), Default: f.Tag.Get("default"),
			Doc: f.Tag.Get("doc"), Field: t.Name() + "." + f.Name})
		switch {
		case customYAML(ft):
		case ft.Kind() == reflect.Struct:
			configKeys(ft, key, out)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			configKeys(ft.Elem(), key+"[]", out)
		case ft.Kind() == reflect.Map && ft.Elem().Kind() == reflect.Struct:
			configKeys(ft.Elem(), key+".<"+cmpOr(f.Tag.Get("key"), "name")+">", out)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// yamlType names the YAML shape of a field's type.
func yamlType(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[HostSelection]():
		return "none, all or a list"
	case t == reflect.TypeFor[Toggle]():
		return "on or off"
	case customYAML(t):
		return t.Name()
	}
	switch t.Kind() {
	case reflect.Struct:
		return "section"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Struct {
			return "list of sections"
		}
		return "list of " + yamlType(t.Elem()) + "s"
	case reflect.Map:
		return "map of " + yamlType(t.Elem())
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "int"
	}
	return t.Kind().String()
}
