package api

import (
	"net/url"
	"testing"
)

// FuzzModelQuery: any query string either is refused with a message or
// yields a page of at most the asked number of models whose cursor, if
// any, continues right after it.
func FuzzModelQuery(f *testing.F) {
	for _, s := range []string{"", "limit=5", "cursor=bTE6ZmFx&limit=2&projection=full", "cursor=bTE6", "limit=-1", "projection=summary&projection=full", "cursor=%zz"} {
		f.Add(s)
	}
	models := catalog()
	f.Fuzz(func(t *testing.T, raw string) {
		values, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseModelQuery(values)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		p, err := page(models, q)
		if err != nil {
			return
		}
		if len(p.Items) > q.Limit || q.Limit < 1 || q.Limit > MaxLimit {
			t.Fatalf("limit %d gave %d items", q.Limit, len(p.Items))
		}
		if p.NextCursor != "" {
			next, err := parseModelQuery(url.Values{"cursor": {p.NextCursor}})
			if err != nil {
				t.Fatalf("the API's own cursor %q is refused: %v", p.NextCursor, err)
			}
			if _, err := page(models, next); err != nil {
				t.Fatalf("the API's own cursor %q points nowhere: %v", p.NextCursor, err)
			}
		}
	})
}
