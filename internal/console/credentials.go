package console

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// credentialKind explains one client type in the "new credential" flow.
type credentialKind struct {
	Type    storage.ClientType
	Name    string
	Summary string
}

// credentialKinds are the credential types, in the order offered.
var credentialKinds = []credentialKind{
	{storage.ClientSPA, "Single-Page App",
		"A JavaScript app running in the browser. It cannot keep a secret, so it signs users in with the authorization code flow and PKCE; redirect URIs use https (http only on localhost)."},
	{storage.ClientWeb, "Web App",
		"An app with its own server that can keep a secret. It gets a client secret and signs users in with the authorization code flow and PKCE, optionally with refresh tokens."},
	{storage.ClientNative, "Native App",
		"A desktop, mobile or command-line app. It holds no secret and receives the answer on a loopback address on any port (RFC 8252) or a private-use URI scheme such as com.example.app:/callback."},
	{storage.ClientService, "Server-to-Server",
		"A backend service or script acting on its own behalf, without a user. It gets a client secret and uses the client credentials grant; it has no redirect URIs."},
}

func kindOf(t string) (credentialKind, bool) {
	i := slices.IndexFunc(credentialKinds, func(k credentialKind) bool { return string(k.Type) == t })
	if i < 0 {
		return credentialKind{}, false
	}
	return credentialKinds[i], true
}

// credentialForm fills the "new credential" page: the type chooser when
// Kind is unset, else the form for that type.
type credentialForm struct {
	Project   storage.Project
	Kinds     []credentialKind
	Kind      credentialKind
	APIs      []storage.API
	Name      string
	Redirects string // one per line
	Patterns  string // one per line
	Default   string
	Logout    string          // post-logout redirect URIs, one per line
	Refresh   bool            // issue refresh tokens without offline_access
	Selected  map[string]bool // "apiID scope" of the checked scope boxes
	Extra     string          // other scopes, space-separated (editing only)
	ShowExtra bool            // show the Extra field
	Errors    map[string]string
	// Client is the credential being edited; nil on the "new" page.
	Client *storage.Client
}

// Interactive reports whether the type has redirect URIs.
func (f credentialForm) Interactive() bool { return f.Kind.Type != storage.ClientService }

func (c *Console) newCredential(w http.ResponseWriter, r *http.Request, a *adminUser) {
	ctx := r.Context()
	p, ok := c.pathProject(w, r, a)
	if !ok {
		return
	}
	f := credentialForm{Project: p, Kinds: credentialKinds, Selected: map[string]bool{}}
	if k, ok := kindOf(r.URL.Query().Get("type")); ok {
		f.Kind = k
		var err error
		if f.APIs, err = c.o.Admin.ListAPIs(ctx, p.ID); err != nil {
			c.serverError(w, r, a, err)
			return
		}
	}
	c.render(w, r, a, http.StatusOK, "credential_new", "New credential", f)
}

func (c *Console) createCredential(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	ctx := r.Context()
	p, ok := c.pathProject(w, r, a)
	if !ok {
		return
	}
	apis, err := c.o.Admin.ListAPIs(ctx, p.ID)
	if err != nil {
		c.serverError(w, r, a, err)
		return
	}
	f, in, ok := readCredentialForm(r, p, apis)
	if !ok {
		f.Errors = map[string]string{"type": "Choose the kind of app first."}
		c.render(w, r, a, http.StatusBadRequest, "credential_new", "New credential", f)
		return
	}
	cl, plain, err := c.o.Admin.CreateClient(ctx, in)
	if err != nil {
		c.credentialFormError(w, r, a, "New credential", f, err)
		return
	}
	// The secret exists in plain text only in this response.
	c.showCredential(w, r, a, http.StatusCreated, cl, credentialExtras{Secret: plain, Created: true})
}

// credentialFormError answers a failed create or update: the form again
// (titled title) with the message next to its field for a validation
// error, 400; a server error otherwise.
func (c *Console) credentialFormError(w http.ResponseWriter, r *http.Request, a *adminUser, title string, f credentialForm, err error) {
	errs, err := f.fieldErrors(err)
	if err != nil {
		c.serverError(w, r, a, err)
		return
	}
	f.Errors = errs
	c.render(w, r, a, http.StatusBadRequest, "credential_new", title, f)
}

// readCredentialForm reads a posted credential form into the page's
// state (to show it again with errors) and the admin service's input.
// admin.NewClient is also what updating a client takes, so the editing
// screen reuses this form and this reader (editcredential.go). ok is false
// for an unknown type.
func readCredentialForm(r *http.Request, p storage.Project, apis []storage.API) (credentialForm, admin.NewClient, bool) {
	k, ok := kindOf(r.PostForm.Get("type"))
	if !ok {
		f, _ := readCredentialFields(r, p, apis, credentialKind{})
		return f, admin.NewClient{}, false
	}
	f, in := readCredentialFields(r, p, apis, k)
	return f, in, true
}

// readCredentialFields reads the fields the form shows for a credential
// of kind k; in has only those set.
func readCredentialFields(r *http.Request, p storage.Project, apis []storage.API, k credentialKind) (credentialForm, admin.NewClient) {
	f := credentialForm{
		Project: p, Kinds: credentialKinds, Kind: k, APIs: apis, Selected: map[string]bool{},
		Name: r.PostForm.Get("name"), Redirects: r.PostForm.Get("redirect_uris"),
		Patterns: r.PostForm.Get("redirect_uri_patterns"), Default: strings.TrimSpace(r.PostForm.Get("default_redirect_uri")),
		Logout: r.PostForm.Get("post_logout_redirect_uris"), Refresh: r.PostForm.Get("issue_refresh_tokens") == "on",
		Extra: r.PostForm.Get("extra_scopes"), ShowExtra: r.PostForm.Has("extra_scopes"),
	}
	in := admin.NewClient{Type: k.Type, Name: f.Name, ProjectID: p.ID, DefaultRedirectURI: f.Default}
	if f.Interactive() {
		in.RedirectURIs, in.RedirectURIPatterns = lines(f.Redirects), lines(f.Patterns)
		in.PostLogoutRedirectURIs, in.IssueRefreshTokens = lines(f.Logout), f.Refresh
	}
	// Each checked box is "apiID scope"; the credential may call every
	// API it was given a scope of (its tokens carry those APIs as aud).
	for _, v := range r.PostForm["scope"] {
		apiID, scope, ok := strings.Cut(v, " ")
		if !ok || !slices.ContainsFunc(apis, func(x storage.API) bool { return x.ID == apiID }) {
			continue
		}
		f.Selected[v] = true
		if !slices.Contains(in.Scopes, scope) {
			in.Scopes = append(in.Scopes, scope)
		}
		if !slices.Contains(in.APIs, apiID) {
			in.APIs = append(in.APIs, apiID)
		}
	}
	// Scopes no API of the form offers (a credential registered with
	// free-form scopes, e.g. by the command line), kept on editing.
	for _, sc := range strings.Fields(f.Extra) {
		if !slices.Contains(in.Scopes, sc) {
			in.Scopes = append(in.Scopes, sc)
		}
	}
	return f, in
}

// credentialExtras are the one-off parts of a credential page.
type credentialExtras struct {
	Secret  string // shown once, after creation or rotation
	Created bool
	Saved   bool // after editing
	TestURL string
	Test    *matchResult
	Errors  map[string]string
}

// credentialData fills the credential page.
type credentialData struct {
	Client     storage.Client
	Project    storage.Project // zero for a client outside projects
	Kind       credentialKind
	APIs       []apiScopes
	AuthMethod string
	HasSecret  bool
	Issuer     string
	BuiltIn    bool // the console's own client: not editable
	credentialExtras
}

// apiScopes is an API the credential may call, with the scopes it may ask for.
type apiScopes struct {
	API    storage.API
	Scopes []storage.APIScope
}

func (c *Console) credentialPage(ctx context.Context, cl storage.Client, x credentialExtras) (credentialData, error) {
	d := credentialData{Client: cl, AuthMethod: admin.EffectiveAuthMethod(cl), Issuer: c.o.Issuer, credentialExtras: x}
	d.Kind, _ = kindOf(string(cl.Type))
	d.HasSecret = cl.SecretHash != ""
	d.BuiltIn = cl.ID == ConsoleClientID
	if cl.ProjectID != "" {
		p, err := c.o.Admin.GetProject(ctx, cl.ProjectID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return d, err
		}
		d.Project = p
	}
	for _, id := range cl.APIs {
		api, err := c.o.Admin.GetAPI(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		} else if err != nil {
			return d, err
		}
		as := apiScopes{API: api}
		for _, sc := range api.Scopes {
			if slices.Contains(cl.Scopes, sc.Name) {
				as.Scopes = append(as.Scopes, sc)
			}
		}
		d.APIs = append(d.APIs, as)
	}
	return d, nil
}

func (c *Console) showCredential(w http.ResponseWriter, r *http.Request, a *adminUser, status int, cl storage.Client, x credentialExtras) {
	d, err := c.credentialPage(r.Context(), cl, x)
	if err != nil {
		c.serverError(w, r, a, err)
		return
	}
	c.render(w, r, a, status, "credential", cl.Name, d)
}

func (c *Console) credential(w http.ResponseWriter, r *http.Request, a *adminUser) {
	cl, ok := c.loadCredential(w, r, a)
	if ok {
		c.showCredential(w, r, a, http.StatusOK, cl, credentialExtras{})
	}
}

// loadCredential loads the credential the path names. The console's own
// client is not offered for editing: breaking it would lock every
// administrator out.
func (c *Console) loadCredential(w http.ResponseWriter, r *http.Request, a *adminUser) (storage.Client, bool) {
	id := r.PathValue("id")
	cl, err := c.o.Admin.GetClient(r.Context(), id)
	if err == nil && id == ConsoleClientID && r.Method != http.MethodGet {
		err = storage.ErrNotFound
	}
	if err != nil {
		c.storeError(w, r, a, "Credential", err)
		return storage.Client{}, false
	}
	return cl, true
}

// secretOverlaps are the choices for how long a rotated secret keeps working.
var secretOverlaps = map[string]time.Duration{"0": 0, "1h": time.Hour, "24h": 24 * time.Hour}

func (c *Console) rotateSecret(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	cl, ok := c.loadCredential(w, r, a)
	if !ok {
		return
	}
	overlap, ok := secretOverlaps[r.PostForm.Get("overlap")]
	if !ok {
		c.showCredential(w, r, a, http.StatusBadRequest, cl, credentialExtras{Errors: map[string]string{"overlap": "Choose when the old secret stops working."}})
		return
	}
	cl, plain, err := c.o.Admin.RotateSecret(r.Context(), cl.ID, overlap)
	if errors.Is(err, admin.ErrNoSecret) {
		c.fail(w, r, a, http.StatusConflict, "No secret to rotate", "This credential does not authenticate with a client secret.")
		return
	}
	if err != nil {
		c.serverError(w, r, a, err)
		return
	}
	c.showCredential(w, r, a, http.StatusOK, cl, credentialExtras{Secret: plain})
}

func (c *Console) confirmDeleteCredential(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if cl, ok := c.loadCredential(w, r, a); ok {
		c.render(w, r, a, http.StatusOK, "credential_delete", "Delete "+cl.Name, cl)
	}
}

// deleteCredential deletes the client with its codes, tokens and
// consents, once the administrator typed its name to confirm.
func (c *Console) deleteCredential(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	cl, ok := c.loadCredential(w, r, a)
	if !ok {
		return
	}
	if strings.TrimSpace(r.PostForm.Get("confirm")) != cl.Name {
		c.renderView(w, r, http.StatusBadRequest, "credential_delete", view{
			Title: "Delete " + cl.Name, User: a, Data: cl, Notice: "Type the credential's name exactly to confirm.",
		})
		return
	}
	if err := c.o.Admin.DeleteClient(r.Context(), cl.ID); err != nil {
		c.storeError(w, r, a, "Credential", err)
		return
	}
	to := "/console"
	if cl.ProjectID != "" {
		to = "/console/projects/" + cl.ProjectID
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
