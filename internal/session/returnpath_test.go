package session

import "testing"

func TestReturnPath(t *testing.T) {
	tests := []struct {
		in   string
		safe bool
	}{
		{"/account", true},
		{"/", true},
		{"/account?notice=x&y=1", true},
		{"/a/b/../c", true},
		{"/%2F%2Fevil.example", true}, // an encoded slash stays a path
		{"", false},
		{"account", false},
		{"//evil.example", false},
		{"//evil.example/account", false},
		{"/\\evil.example", false},
		{"/account\\..\\x", false},
		{"\\\\evil.example", false},
		{"https://evil.example/", false},
		{"http:/account", false},
		{"javascript:alert(1)", false},
		{"/account#frag", false},
		{"/ account", false},
		{"/account\r\nSet-Cookie: x=1", false},
		{"/account\t", false},
		{"/\x00", false},
		{"/caf\u00e9", false},
		{"/" + string(make([]byte, 600)), false},
	}
	for _, tc := range tests {
		got := ReturnPath(tc.in)
		if tc.safe && got != tc.in || !tc.safe && got != "" {
			t.Errorf("ReturnPath(%q) = %q, want safe=%v", tc.in, got, tc.safe)
		}
	}
}

func FuzzReturnPath(f *testing.F) {
	for _, s := range []string{"/account", "//x", "/\\x", "https://x", "/a?b=c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := ReturnPath(p)
		if got == "" {
			return
		}
		if got != p || got[0] != '/' || len(got) > 1 && (got[1] == '/' || got[1] == '\\') {
			t.Fatalf("ReturnPath(%q) = %q: not a same-origin path", p, got)
		}
	})
}
