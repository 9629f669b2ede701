package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
)

// outputFlag is --output of the commands that run a stage (sync,
// backfill, extract, transform, load).
func outputFlag() cli.Flag {
	return &cli.StringFlag{Name: "output", Value: "text", Usage: "the summary at the end: text, or json (one JSON object: the text's fields, snake_case names, durations in seconds as duration_s)"}
}

// outputJSON reads --output: true for json.
func outputJSON(c *cli.Context) (bool, error) {
	switch v := c.String("output"); v {
	case "text", "":
		return false, nil
	case "json":
		return true, nil
	default:
		return false, usageError{fmt.Errorf("--output %q: want text or json", v)}
	}
}

// writeRunJSON writes the run's summary as one JSON object on one line:
// the fields of the text summary under stable snake_case names (a field's
// json name, else its Go name in snake_case), durations as seconds
// (duration_s), the error as text, "&" and "<" unescaped.
func writeRunJSON(w io.Writer, r *pipelines.RunResult) error {
	v, _ := snakeValue(reflect.ValueOf(r)).(map[string]any)
	v["duration_s"] = r.FinishedAt.Sub(r.StartedAt).Seconds()
	v["dry_run"] = r.DryRun
	if r.Err != nil {
		v["error"] = r.Err.Error()
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing the JSON summary: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	errorType    = reflect.TypeFor[error]()
)

// snakeValue converts v for writeRunJSON: structs become maps keyed by
// snake_case names; maps keep their keys (reasons, webinar ids, emails).
func snakeValue(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	switch {
	case v.Type() == timeType:
		return v.Interface().(time.Time).UTC().Format(time.RFC3339Nano)
	case v.Type() == durationType:
		return v.Interface().(time.Duration).Seconds()
	case v.Type().Implements(errorType) && v.Kind() != reflect.Struct:
		if v.IsNil() {
			return nil
		}
		return v.Interface().(error).Error()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return snakeValue(v.Elem())
	case reflect.Struct:
		out := map[string]any{}
		snakeFields(v, out)
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		for it := v.MapRange(); it.Next(); {
			out[fmt.Sprint(it.Key().Interface())] = snakeValue(it.Value())
		}
		return out
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = snakeValue(v.Index(i))
		}
		return out
	}
	return v.Interface()
}

// snakeFields adds the exported fields of struct v to out, those of
// embedded structs too; a field tagged json:"-" is left out, and so is a
// nil or empty one tagged omitempty or omitzero.
func snakeFields(v reflect.Value, out map[string]any) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		fv := v.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && tag == "" {
			snakeFields(fv, out)
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if (strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")) && fv.IsZero() {
			continue
		}
		if name == "" {
			name = snake(f.Name)
		}
		if f.Type == durationType {
			name = durationName(name)
		}
		out[name] = snakeValue(fv)
	}
}

// snake turns a Go name into snake_case: RunID → run_id, CRMSnapshot →
// crm_snapshot, TranscriptCues → transcript_cues.
func snake(name string) string {
	r := []rune(name)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prevLower := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || (unicode.IsUpper(r[i-1]) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
