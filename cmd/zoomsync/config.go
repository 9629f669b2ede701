package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/goccy/go-yaml"
	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
)

func configCommand() *cli.Command {
	return &cli.Command{
		Name:  "config",
		Usage: "show, validate or document the configuration",
		Subcommands: []*cli.Command{{
			Name:        "show",
			Usage:       "print every setting with its value and where it comes from (flag, environment, zoomsync.yaml, default)",
			Description: `Secrets are shown as [set] or [not set], never their value. A flag given on the command line wins over its environment variable.`,
			Flags: append(apiFlags(),
				&cli.StringFlag{Name: "format", Value: "table", Usage: "table or json"}),
			Action: configShow,
		}, {
			Name:  "validate",
			Usage: "check flags, environment and zoomsync.yaml without calling any API (zoomsync doctor calls them)",
			Description: `Exit code 0 when the configuration is valid, 1 when it has problems (each is
printed), 2 for a usage error.`,
			Flags:  apiFlags(),
			Action: configValidate,
		}, {
			Name:   "reference",
			Usage:  "print the configuration reference (docs/configuration.md): every flag, environment variable and zoomsync.yaml key with its default and meaning",
			Action: func(c *cli.Context) error { return writeReference(c.App.Writer) },
		}},
	}
}

// shownSetting is one row of config show.
type shownSetting struct {
	Setting string `json:"setting"`
	Value   string `json:"value"`
	Source  string `json:"source"`
}

// configShow prints one row per setting: name, value and source.
func configShow(c *cli.Context) error {
	format := c.String("format")
	if format != "table" && format != "json" {
		return usageError{fmt.Errorf("--format %q: want table or json", format)}
	}
	// Not validated: config show is where one looks at a configuration
	// that does not work (config validate says why).
	if _, err := buildConfig(c); err != nil {
		return err
	}
	fc, path, err := loadFileConfig(c)
	if err != nil {
		return err
	}
	var rows []shownSetting
	for _, s := range settings {
		value, source := settingValue(c, s)
		if s.Key == "config" && path == "" {
			value += " (absent: built-in defaults)"
		}
		rows = append(rows, shownSetting{s.Key, value, source})
	}
	rows = append(rows, fileSettings(fc, path)...)
	if format == "json" {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tVALUE\tSOURCE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Setting, r.Value, r.Source)
	}
	return tw.Flush()
}

// configValidate checks the configuration without calling any API.
func configValidate(c *cli.Context) error {
	if c.NArg() != 0 {
		return usageError{fmt.Errorf("config validate takes no arguments (got %d)", c.NArg())}
	}
	cfg, err := buildConfig(c)
	if err != nil {
		return err
	}
	var problems []string
	if err := applyFileConfig(c, cfg); err != nil {
		problems = append(problems, err.Error())
	}
	for _, err := range []error{cfg.Validate(), cfg.ValidateZoom(), cfg.ValidateHubSpot()} {
		if err != nil {
			problems = append(problems, strings.Split(err.Error(), "\n")...)
		}
	}
	if len(problems) == 0 {
		fmt.Fprintln(c.App.Writer, "configuration valid (zoomsync doctor checks the credentials against the APIs)")
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(c.App.Writer, "problem:", p)
	}
	return cli.Exit(fmt.Sprintf("config validate: %d problems", len(problems)), 1)
}

// fileSettings are the rows of the zoomsync.yaml keys: each key of
// pipelines.ConfigKeys with its value, the file as source when the file
// sets it, else its default. Maps give a row per entry; segments one per
// segment.
func fileSettings(fc *pipelines.FileConfig, path string) []shownSetting {
	if fc == nil {
		fc = &pipelines.FileConfig{}
	}
	var inFile map[string]any
	if path != "" {
		data, _ := os.ReadFile(path)
		yaml.Unmarshal(data, &inFile) //nolint:errcheck // the file parsed already
	}
	var rows []shownSetting
	for _, s := range fc.Segments {
		rows = append(rows, shownSetting{"segments." + s.Name, string(s.Format) + " → " + s.Out, path})
	}
	fileRows(reflect.ValueOf(fc).Elem(), "", inFile, path, false, &rows)
	return rows
}

// fileRows appends a row per leaf key of the struct v (its yaml tags);
// with onlySet, only the keys the file sets (a map entry's: the others
// inherit).
func fileRows(v reflect.Value, prefix string, inFile map[string]any, path string, onlySet bool, rows *[]shownSetting) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || name == "segments" {
			continue
		}
		key := strings.TrimPrefix(prefix+"."+name, ".")
		fv := v.Field(i)
		sub, present := inFile[name]
		source := "default"
		if present {
			source = path
		} else if onlySet {
			continue
		}
		switch {
		case f.Type.Kind() == reflect.Struct && f.Type.NumField() > 0 && f.Type.Field(0).Tag.Get("yaml") != "":
			m, _ := sub.(map[string]any)
			fileRows(fv, key, m, path, onlySet, rows)
		case f.Type.Kind() == reflect.Map:
			keys := fv.MapKeys()
			slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
			for _, k := range keys {
				entry := fv.MapIndex(k)
				ek := key + "." + pipelines.NormalizeWebinarID(k.String())
				if entry.Kind() == reflect.Struct {
					fileRows(entry, ek, allKeys(entry), path, true, rows)
					continue
				}
				*rows = append(*rows, shownSetting{ek, showValue(entry, ""), path})
			}
		default:
			*rows = append(*rows, shownSetting{key, showValue(fv, f.Tag.Get("default")), source})
		}
	}
}

// allKeys marks every yaml key of a struct value whose field is set, so a
// map entry's fields show the file as their source.
func allKeys(v reflect.Value) map[string]any {
	m := map[string]any{}
	for i := range v.NumField() {
		if !v.Field(i).IsZero() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
			m[name] = true
		}
	}
	return m
}

// showValue formats a value of zoomsync.yaml; an unset one shows def.
func showValue(v reflect.Value, def string) string {
	if v.IsZero() && def != "" {
		return def
	}
	switch x := v.Interface().(type) {
	case pipelines.HostSelection:
		switch x.Mode {
		case "":
			return "all"
		case "list":
			return strings.Join(x.List, ", ")
		}
		return x.Mode
	case pipelines.Toggle:
		if x {
			return "on"
		}
		return "off"
	case *bool:
		if x == nil {
			return def
		}
		return strconv.FormatBool(*x)
	case []string:
		return strings.Join(x, ", ")
	}
	return fmt.Sprint(v.Interface())
}

// writeReference writes the configuration reference in Markdown: the
// settings table and pipelines.ConfigKeys. docs/configuration.md is this
// output (TestDocs_configurationReference checks it).
func writeReference(w io.Writer) error {
	var b strings.Builder
	b.WriteString(`# Configuration reference

Generated by ` + "`zoomsync config reference`" + ` from the settings table of
cmd/zoomsync/settings.go and the tags of pipelines/yamlconfig.go and
pipelines/settings.go; do not edit by hand (TestDocs fails when they differ).
` + "`zoomsync config show`" + ` prints the effective value of each and its source.

Precedence: a flag on the command line, then its environment variable, then
the default. Secrets come from the environment only (or a file named by the
variable with ` + "`_FILE`" + ` appended) and are never printed.

## Flags and environment variables

| Setting | Flag | Environment | Default | Meaning |
|---|---|---|---|---|
`)
	for _, s := range settings {
		flag := "–"
		if s.Flag != "" {
			flag = "`--" + s.Flag + "`"
			if s.Scope == scopeAPI {
				flag += " (API commands)"
			}
		}
		env := "–"
		if s.Env != "" {
			env = "`" + s.Env + "`"
			if s.Secret {
				env += ", `" + s.Env + "_FILE`"
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", s.Key, flag, env, cell(s.Default), cell(s.Doc))
	}
	b.WriteString(`
The API commands are those that call Zoom or HubSpot: sync, backfill,
extract, load, doctor, config show and config validate.

## zoomsync.yaml

An unknown key is an error that names it. zoomsync.example.yaml shows every
section.

| Key | Type | Default | Meaning |
|---|---|---|---|
`)
	for _, k := range pipelines.ConfigKeys() {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", k.Key, k.Type, cell(k.Default), cell(k.Doc))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cell(s string) string {
	if s == "" {
		return "–"
	}
	return strings.NewReplacer("|", `\|`, "<", `\<`).Replace(s)
}
