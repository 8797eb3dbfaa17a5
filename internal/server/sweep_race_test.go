//go:build race

package server_test

// The race detector slows every request of the sweep several times over;
// under it (make unit) the sweep draws half as many rounds.
func init() { sweepRounds = 35 }
