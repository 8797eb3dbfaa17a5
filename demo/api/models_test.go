package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

type modelItem struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	FieldCount  int    `json:"field_count"`
	UpdatedAt   string `json:"updated_at"`
	Description string `json:"description"`
	Fields      []struct {
		ID, Name, Type string
	} `json:"fields"`
}

type modelPage struct {
	Items      []modelItem `json:"items"`
	NextCursor *string     `json:"next_cursor"`
}

// TestModelsPaging walks the catalog page by page with the cursor each page
// returns, at several page sizes, and gets every model exactly once.
func TestModelsPaging(t *testing.T) {
	e := newTestEnv(t)
	token := e.appToken(t, viewer, "openid models.read")
	get := func(t *testing.T, query url.Values) modelPage {
		t.Helper()
		r := e.call(t, http.MethodGet, "/models?"+query.Encode(), token, e.clientID, "")
		if r.Status != http.StatusOK {
			t.Fatalf("GET /models?%s: %d %s", query.Encode(), r.Status, r.Body)
		}
		var p modelPage
		r.JSON(t, &p)
		return p
	}
	all := get(t, url.Values{"limit": {"50"}})
	if len(all.Items) < 6 || all.NextCursor != nil {
		t.Fatalf("limit=50: %d models, next_cursor %v; want the whole catalog (more than one default page) and no cursor", len(all.Items), all.NextCursor)
	}
	var allIDs []string
	for _, m := range all.Items {
		allIDs = append(allIDs, m.ID)
	}
	if !slices.IsSorted(allIDs) {
		t.Errorf("models are not in ID order: %v", allIDs)
	}

	for _, limit := range []string{"", "1", "5", "7"} {
		t.Run("limit="+limit, func(t *testing.T) {
			want := 5 // the default
			if limit != "" {
				want = atoi(limit)
			}
			var ids []string
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > len(allIDs) {
					t.Fatal("the cursor never ends")
				}
				q := url.Values{}
				if limit != "" {
					q.Set("limit", limit)
				}
				if cursor != "" {
					q.Set("cursor", cursor)
				}
				p := get(t, q)
				if len(p.Items) > want || (p.NextCursor != nil && len(p.Items) != want) {
					t.Fatalf("page of %d items (next %v), want %d per page", len(p.Items), p.NextCursor, want)
				}
				for _, m := range p.Items {
					ids = append(ids, m.ID)
				}
				if p.NextCursor == nil {
					break
				}
				cursor = *p.NextCursor
			}
			if !slices.Equal(ids, allIDs) {
				t.Errorf("paged IDs %v, want %v", ids, allIDs)
			}
		})
	}

	t.Run("projections", func(t *testing.T) {
		summary := get(t, url.Values{"limit": {"2"}, "projection": {"summary"}})
		full := get(t, url.Values{"limit": {"2"}, "projection": {"full"}})
		for i, m := range summary.Items {
			if m.Fields != nil || m.Description != "" {
				t.Errorf("summary of %s has fields or a description", m.ID)
			}
			if m.FieldCount == 0 || m.Name == "" || m.UpdatedAt == "" {
				t.Errorf("summary %+v lacks name, field_count or updated_at", m)
			}
			f := full.Items[i]
			if f.ID != m.ID || len(f.Fields) != m.FieldCount || f.Description == "" {
				t.Errorf("full %+v does not match summary %+v with fields and a description", f, m)
			}
		}
		if *summary.NextCursor != *full.NextCursor {
			t.Error("the projection changed the cursor")
		}
	})

	for _, q := range []string{"limit=0", "limit=1&limit=2", "limit=51", "limit=five", "projection=all", "cursor=bm9wZQ", "cursor=%%%", "cursor=" + url.QueryEscape(strings.Repeat("A", 20))} {
		t.Run("bad "+q, func(t *testing.T) {
			e.call(t, http.MethodGet, "/models?"+q, token, e.clientID, "").wantError(t, http.StatusBadRequest, "invalid_request")
		})
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
