package oauth

import (
	"regexp/syntax"
	"strconv"
	"strings"
)

// Limits on patterns and on the URIs matched against them. RE2 matches in
// time proportional to the URI's length times the compiled program's size,
// and counted repetitions ([a-z]{0,1000}) multiply the program, so a short
// pattern could make every authorization request that names a long
// redirect URI cost seconds of CPU. Real patterns compile to well under a
// hundred instructions.
const (
	MaxPatternLen    = 1024 // bytes of the expression
	maxPatternInsts  = 500  // instructions of the compiled program
	MaxPatternURILen = 4096 // bytes of a redirect URI a pattern can match
)

// checkComplexity refuses a pattern whose compiled program is large.
func checkComplexity(tree *syntax.Regexp) error {
	prog, err := syntax.Compile(tree.Simplify())
	if err != nil {
		return patternError("not a valid RE2 expression: " + err.Error())
	}
	if len(prog.Inst) > maxPatternInsts {
		return patternError("the pattern is too complex (" + strconv.Itoa(len(prog.Inst)) + " steps compiled, at most " +
			strconv.Itoa(maxPatternInsts) + "); use fewer counted repetitions such as {0,100} and fewer alternatives")
	}
	return nil
}

// classRune writes a rune of a class range: printable ASCII as itself (the
// class metacharacters escaped), anything else as a Go escape.
func classRune(r rune) string {
	switch {
	case strings.ContainsRune("\\-[]^", r):
		return "\\" + string(r)
	case r > ' ' && r < 0x7f:
		return string(r)
	}
	return strings.Trim(strconv.QuoteRuneToASCII(r), "'")
}

// cut shortens s to 40 runes.
func cut(str string) string {
	s := []rune(str)
	if len(s) > 40 {
		return string(s[:40]) + "..."
	}
	return string(s)
}
