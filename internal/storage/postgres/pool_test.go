package postgres

import "testing"

func TestSetsPoolMaxConns(t *testing.T) {
	for _, tc := range []struct {
		conn string
		want bool
	}{
		{"postgres://u@h:5432/db?sslmode=disable", false},
		{"postgres://u@h:5432/db?sslmode=disable&pool_max_conns=4", true},
		{"postgresql://u@h/db?pool_max_conns=8", true},
		{"postgres://u:pool_max_conns@h/db", false},
		{"postgres://u@h/db?application_name=pool_max_conns", false},
		{"host=h user=u dbname=db pool_max_conns=4", true},
		{"host=h user=u password=pool_max_conns", false},
	} {
		if got := setsPoolMaxConns(tc.conn); got != tc.want {
			t.Errorf("setsPoolMaxConns(%q) = %v, want %v", tc.conn, got, tc.want)
		}
	}
}
