package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	var ran []string
	verb := func(name string) subcommand {
		return subcommand{name, func(_ context.Context, _ env, args []string) error {
			ran = append(ran, name+":"+strings.Join(args, ","))
			return nil
		}}
	}
	tests := []struct {
		args     []string
		wantErr  string
		wantRan  string
		wantHelp bool
	}{
		{nil, "missing subcommand: add, list or show", "", false},
		{[]string{"rename"}, `unknown subcommand "rename": want add, list or show`, "", false},
		{[]string{"list", "--json"}, "", "list:--json", false},
		{[]string{"--help"}, "", "", true},
	}
	for _, tt := range tests {
		ran = nil
		var stderr bytes.Buffer
		err := dispatch(context.Background(), env{stderr: &stderr}, tt.args, "HELP TEXT", verb("add"), verb("list"), verb("show"))
		if tt.wantErr != "" {
			if _, usage := err.(usageError); !usage || err.Error() != tt.wantErr {
				t.Errorf("%q: err %v, want usage error %q", tt.args, err, tt.wantErr)
			}
		} else if err != nil {
			t.Errorf("%q: %v", tt.args, err)
		}
		if got := strings.Join(ran, ";"); got != tt.wantRan {
			t.Errorf("%q ran %q, want %q", tt.args, got, tt.wantRan)
		}
		if got := strings.Contains(stderr.String(), "HELP TEXT"); got != tt.wantHelp {
			t.Errorf("%q: help printed %v, want %v", tt.args, got, tt.wantHelp)
		}
	}
}
