package oauth

import (
	"net/url"
	"slices"
	"testing"
)

// TestSplitResource: resource may repeat and must be an absolute URI
// without fragment (RFC 8707 §2); other parameters still may not repeat.
func TestSplitResource(t *testing.T) {
	tests := []struct {
		query   string
		want    []string
		wantErr string
	}{
		{"scope=a", nil, ""},
		{"resource=https%3A%2F%2Fa.example%2F&resource=urn%3Ax%3Ay", []string{"https://a.example/", "urn:x:y"}, ""},
		{"resource=https%3A%2F%2Fa.example%2F&resource=https%3A%2F%2Fa.example%2F", []string{"https://a.example/"}, ""},
		{"resource=", nil, ""},
		{"resource=%2Fapi", nil, InvalidTarget},
		{"resource=https%3A%2F%2Fa.example%2F%23", nil, InvalidTarget},
		{"resource=https%3A%2F%2Fa.example%2F%23frag", nil, InvalidTarget},
		{"resource=%25zz", nil, InvalidTarget},
		{"scope=a&scope=b&resource=urn%3Ax", nil, InvalidRequest},
	}
	for _, tt := range tests {
		v, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := SplitResource(v)
		if tt.wantErr != "" {
			if As(err).Code != tt.wantErr {
				t.Errorf("%s: err = %v, want %s", tt.query, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, %v; want %q", tt.query, got, err, tt.want)
		}
	}
}
