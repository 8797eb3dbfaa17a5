package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestAdminAPIBearerErrorsMatchOpenAPI sends, to every operation the
// OpenAPI document lists, the bearer-header mistakes the resource kit
// answers with 400 invalid_request (RFC 6750 §3.1), and checks the answer
// has the shape the document gives that operation's 400: the TokenError
// members (error, error_description) and a Bearer challenge.
func TestAdminAPIBearerErrorsMatchOpenAPI(t *testing.T) {
	env := servertest.New(t, servertest.Options{})
	resp, err := env.Server.Client().Get(env.URL + "/api/admin/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	headers := map[string][]string{
		"two Authorization headers": {"Bearer abc", "Bearer def"},
		"not a b64token":            {"Bearer not a token"},
		"empty bearer":              {"Bearer "},
	}
	for path, item := range doc.Paths {
		if path == "/openapi.json" {
			continue
		}
		for method, op := range item {
			if method == "parameters" {
				continue
			}
			var o struct {
				Responses map[string]struct {
					Ref string `json:"$ref"`
				} `json:"responses"`
			}
			if err := json.Unmarshal(op, &o); err != nil {
				t.Fatal(err)
			}
			ref := strings.TrimPrefix(o.Responses["400"].Ref, "#/components/responses/")
			if !strings.Contains(string(doc.Components.Responses[ref]), `"#/components/schemas/TokenError"`) {
				t.Errorf("%s %s: the documented 400 (%q) does not allow the TokenError shape", method, path, ref)
			}
			for name, values := range headers {
				req, _ := http.NewRequest(strings.ToUpper(method), env.URL+"/api/admin/v1"+param.ReplaceAllString(path, "x"), strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				req.Header["Authorization"] = values
				resp, err := env.Server.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var body map[string]any
				err = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				_, hasDesc := body["error_description"]
				_, hasMessage := body["message"]
				if resp.StatusCode != http.StatusBadRequest || err != nil || body["error"] != "invalid_request" || !hasDesc || hasMessage ||
					!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
					t.Errorf("%s %s, %s: %d %v (%v), WWW-Authenticate %q; want 400 {error: invalid_request, error_description} with a Bearer challenge",
						method, path, name, resp.StatusCode, body, err, resp.Header.Get("WWW-Authenticate"))
				}
			}
		}
	}
}
