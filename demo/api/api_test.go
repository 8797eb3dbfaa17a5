package api_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/demo/api"
)

const (
	editor    = "editor@example.com"
	viewer    = "viewer@example.com"
	allScopes = "openid profile email models.read folders.read folders.write"
)

type folder struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedBy string `json:"created_by"`
}

func (e *testEnv) folders(t *testing.T, token string) []folder {
	t.Helper()
	r := e.call(t, http.MethodGet, "/folders", token, e.clientID, "")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /folders: %d %s", r.Status, r.Body)
	}
	var body struct{ Items []folder }
	r.JSON(t, &body)
	return body.Items
}

func folderNamed(fs []folder, name string) (folder, bool) {
	for _, f := range fs {
		if f.Name == name {
			return f, true
		}
	}
	return folder{}, false
}

// TestGroupsDecideWrites: editor and viewer hold tokens with the same
// scopes, folders.write included; only the editor's group lets them write.
func TestGroupsDecideWrites(t *testing.T) {
	e := newTestEnv(t)
	editorToken := e.appToken(t, editor, allScopes)
	viewerToken := e.appToken(t, viewer, allScopes)

	// The groups claim (RFC 9068 §2.2.3.1) is what the API decides on.
	for token, want := range map[string]string{editorToken: api.GroupEditor, viewerToken: api.GroupViewer} {
		if got := jwtClaims(t, token)["groups"]; !slices.Equal(toStrings(got), []string{want}) {
			t.Errorf("access token groups = %v, want [%s]", got, want)
		}
	}

	r := e.call(t, http.MethodPost, "/folders", viewerToken, e.clientID, `{"name":"Viewer's folder"}`)
	r.wantError(t, http.StatusForbidden, "forbidden")
	if !strings.Contains(string(r.Body), "editor") || !strings.Contains(string(r.Body), "viewer") {
		t.Errorf("403 body %s should say the editor group is needed and the user is a viewer", r.Body)
	}
	if _, ok := folderNamed(e.folders(t, viewerToken), "Viewer's folder"); ok {
		t.Fatal("the refused POST created the folder")
	}

	r = e.call(t, http.MethodPost, "/folders", editorToken, e.clientID, `{"name":"  Spring campaign "}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("editor POST /folders: %d %s", r.Status, r.Body)
	}
	var created folder
	r.JSON(t, &created)
	editorSub, _ := jwtClaims(t, editorToken)["sub"].(string)
	if created.Name != "Spring campaign" || created.ID == "" || created.CreatedBy != editorSub {
		t.Errorf("created %+v, want the trimmed name, an id and created_by %s", created, editorSub)
	}
	if loc := r.Header.Get("Location"); loc != "/folders/"+created.ID {
		t.Errorf("Location %q, want /folders/%s", loc, created.ID)
	}
	// Folders are shared: the viewer sees it, but may not delete it.
	if _, ok := folderNamed(e.folders(t, viewerToken), "Spring campaign"); !ok {
		t.Fatal("the viewer does not see the editor's folder")
	}
	e.call(t, http.MethodDelete, "/folders/"+created.ID, viewerToken, e.clientID, "").wantError(t, http.StatusForbidden, "forbidden")

	e.call(t, http.MethodPost, "/folders", editorToken, e.clientID, `{"name":"spring CAMPAIGN"}`).wantError(t, http.StatusConflict, "conflict")

	if r := e.call(t, http.MethodDelete, "/folders/"+created.ID, editorToken, e.clientID, ""); r.Status != http.StatusNoContent {
		t.Fatalf("editor DELETE: %d %s", r.Status, r.Body)
	}
	if _, ok := folderNamed(e.folders(t, editorToken), "Spring campaign"); ok {
		t.Fatal("the folder is still listed after DELETE")
	}
	e.call(t, http.MethodDelete, "/folders/"+created.ID, editorToken, e.clientID, "").wantError(t, http.StatusNotFound, "not_found")
}

// TestAPIKey: x-api-key must name the client the token was issued to.
func TestAPIKey(t *testing.T) {
	e := newTestEnv(t)
	token := e.appToken(t, viewer, allScopes)
	other := e.otherClient(t)
	otherToken := e.token(t, other.ID, "http://localhost:4000/callback", viewer, allScopes)

	for _, tc := range []struct {
		name, token, key string
		status           int
	}{
		{"matching key", token, e.clientID, http.StatusOK},
		{"no key", token, "", http.StatusForbidden},
		{"another client's key", token, other.ID, http.StatusForbidden},
		{"key of the app, token of another client", otherToken, e.clientID, http.StatusForbidden},
		{"other client with its own key", otherToken, other.ID, http.StatusOK},
		{"key differing in case", token, strings.ToUpper(e.clientID), http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(t, http.MethodGet, "/folders", tc.token, tc.key, "")
			if tc.status == http.StatusOK {
				if r.Status != http.StatusOK {
					t.Fatalf("status %d, want 200; body %s", r.Status, r.Body)
				}
				return
			}
			r.wantError(t, tc.status, "invalid_api_key")
		})
	}
	// Two keys are refused too, even if one matches.
	req, _ := http.NewRequest(http.MethodGet, e.api.URL+"/folders", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Add(api.APIKeyHeader, e.clientID)
	req.Header.Add(api.APIKeyHeader, other.ID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("two x-api-key headers: status %d, want 403", resp.StatusCode)
	}
}

// TestScopesAndTokens: each route needs its scope (RFC 6750 §3.1), and a
// request without a valid token gets a 401 challenge.
func TestScopesAndTokens(t *testing.T) {
	e := newTestEnv(t)
	modelsOnly := e.appToken(t, editor, "openid models.read")
	readOnly := e.appToken(t, editor, "openid models.read folders.read")

	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
		code, scope                     string
	}{
		{"models with models.read", http.MethodGet, "/models", modelsOnly, "", http.StatusOK, "", ""},
		{"folders without folders.read", http.MethodGet, "/folders", modelsOnly, "", http.StatusForbidden, "insufficient_scope", "folders.read"},
		{"create without folders.write", http.MethodPost, "/folders", readOnly, `{"name":"x"}`, http.StatusForbidden, "insufficient_scope", "folders.write"},
		{"delete without folders.write", http.MethodDelete, "/folders/fld_x", readOnly, "", http.StatusForbidden, "insufficient_scope", "folders.write"},
		{"no token", http.MethodGet, "/models", "", "", http.StatusUnauthorized, "", ""},
		{"garbage token", http.MethodGet, "/models", "not.a.jwt", "", http.StatusUnauthorized, "invalid_token", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(t, tc.method, tc.path, tc.token, e.clientID, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d; body %s", r.Status, tc.status, r.Body)
			}
			if tc.status == http.StatusOK {
				return
			}
			challenge := r.Header.Get("WWW-Authenticate")
			if !strings.HasPrefix(challenge, "Bearer") {
				t.Fatalf("WWW-Authenticate %q, want a Bearer challenge (RFC 6750 §3)", challenge)
			}
			if tc.code != "" {
				r.wantError(t, tc.status, tc.code)
			}
			if tc.scope != "" && !strings.Contains(challenge, `scope="`+tc.scope+`"`) {
				t.Errorf("WWW-Authenticate %q does not name scope %s", challenge, tc.scope)
			}
		})
	}
}

func jwtClaims(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", raw)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
