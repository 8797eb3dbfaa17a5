package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/config"
)

// cmdLine is a parsed `gatehouse NOUN VERB ARG... [flags]`.
type cmdLine struct {
	cfg    config.Config
	fs     *flag.FlagSet
	args   []string // the positional arguments, as many as asked for
	asJSON bool
}

// given reports whether the flag name was on the command line (or came
// from nowhere else): how an update tells "leave as is" from "set to the
// empty value".
func (c cmdLine) given(name string) bool {
	found := false
	c.fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// positionalCommand parses the flags and exactly len(names) positional
// arguments of `gatehouse noun verb`, flags allowed before, between and
// after them (the flag package stops at the first argument, so what
// follows it is parsed again). names name the arguments for messages,
// such as "ID" or "NAME", "USER_ID". bind registers the command's flags.
func positionalCommand(e env, noun, verb, usage string, names []string, args []string, bind ...func(*flag.FlagSet)) (cmdLine, error) {
	c := cmdLine{cfg: config.Default(), fs: newFlags(e, noun+" "+verb, usage)}
	c.cfg.BindDB(c.fs)
	c.cfg.BindSecretFile(c.fs) // accepted for uniformity, as by nounIDCommand
	for _, b := range bind {
		b(c.fs)
	}
	asJSON := c.fs.Bool("json", false, "print the result as JSON")
	var err error
	if c.args, err = parseArgs(c.fs, args, len(names), " (quote values that contain spaces)"); err != nil {
		return c, err
	}
	if len(c.args) < len(names) {
		return c, usagef("give the %s: gatehouse %s %s %s", strings.Join(names[len(c.args):], " and "), noun, verb, strings.Join(names, " "))
	}
	c.asJSON = *asJSON
	return c, nil
}

// parseArgs parses fs from args with flags allowed before, between and
// after the positional arguments (the flag package stops at the first
// argument, so what follows it is parsed again), and returns the
// positional arguments. More than max is a usage error, its message ended
// by hint.
func parseArgs(fs *flag.FlagSet, args []string, max int, hint string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return pos, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		if len(pos) == max {
			return pos, usagef("unexpected argument %q%s", fs.Arg(0), hint)
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
}

// replaceList is a repeatable flag whose values, when given, replace a
// stored list; an empty value (--scope "") stands for "none", so that a
// list can be emptied.
type replaceList []string

func (l *replaceList) String() string { return strings.Join(*l, ",") }
func (l *replaceList) Set(v string) error {
	if v != "" {
		*l = append(*l, v)
	}
	return nil
}

// list is the values given, an empty (non-nil) list for "none".
func (l replaceList) list() []string {
	return append([]string{}, l...)
}

// notSetting reports whether a flag every command has (where and how to
// run) rather than a setting an update changes.
func notSetting(name string) bool { return name == "db" || name == "secret-file" || name == "json" }

// nothingToChange is the usage error of an update given no field to change.
func nothingToChange(noun, verb string) error {
	return usagef("nothing to change: give at least one flag (see gatehouse %s %s --help)", noun, verb)
}

// describeReplace is the paragraph every update's --help ends with.
const describeReplace = `
Only the flags given change; the rest is kept. A repeatable flag, when
given, replaces the whole list: give every value the list should keep.
Give it once with an empty value (--%s '') to empty the list.`

func replaceHelp(example string) string { return fmt.Sprintf(describeReplace, example) }
