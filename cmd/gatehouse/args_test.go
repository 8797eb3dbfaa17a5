package main

import (
	"flag"
	"io"
	"slices"
	"testing"
)

// TestParseArgs: flags go anywhere around the positional arguments, and
// one argument too many is a usage error naming it, ended by the hint.
func TestParseArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		max     int
		want    []string
		json    bool
		wantErr string
	}{
		{"flag after", []string{"id1", "--json"}, 1, []string{"id1"}, true, ""},
		{"flag before", []string{"--json", "id1"}, 1, []string{"id1"}, true, ""},
		{"flag between", []string{"a", "--json", "b"}, 2, []string{"a", "b"}, true, ""},
		{"none", nil, 1, nil, false, ""},
		{"one too many", []string{"a", "b", "--json"}, 1, []string{"a"}, false, `unexpected argument "b" (hint)`},
		{"unknown flag", []string{"a", "--nope"}, 1, []string{"a"}, false, "flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			asJSON := fs.Bool("json", false, "")
			got, err := parseArgs(fs, tt.args, tt.max, " (hint)")
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) || *asJSON != tt.json {
				t.Errorf("got %q json=%v, want %q json=%v", got, *asJSON, tt.want, tt.json)
			}
		})
	}
}
