package console

import (
	"net/http"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Editing screens for the records admin.Service can already update:
// projects (UpdateProject) and APIs (UpdateAPI). Credentials, users and
// groups get theirs when the service can update them.

// projectForm fills the project edit page.
type projectForm struct {
	Project storage.Project
	Name    string
	Desc    string
	Errors  map[string]string
}

func (c *Console) editProject(w http.ResponseWriter, r *http.Request, a *adminUser) {
	p, ok := c.pathProject(w, r, a)
	if !ok {
		return
	}
	c.render(w, r, a, http.StatusOK, "project_edit", "Edit "+p.Name, projectForm{Project: p, Name: p.Name, Desc: p.Description})
}

func (c *Console) updateProject(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	p, ok := c.pathProject(w, r, a)
	if !ok {
		return
	}
	in := admin.ProjectInput{Name: r.PostForm.Get("name"), Description: r.PostForm.Get("description")}
	if _, err := c.o.Admin.UpdateProject(r.Context(), p.ID, in); err != nil {
		errs, err := fieldErrors(err)
		if err != nil {
			c.storeError(w, r, a, "Project", err)
			return
		}
		c.render(w, r, a, http.StatusBadRequest, "project_edit", "Edit "+p.Name,
			projectForm{Project: p, Name: in.Name, Desc: in.Description, Errors: errs})
		return
	}
	http.Redirect(w, r, "/console/projects/"+p.ID, http.StatusSeeOther)
}

func (c *Console) editAPI(w http.ResponseWriter, r *http.Request, a *adminUser) {
	api, p, ok := c.loadAPI(w, r, a)
	if !ok {
		return
	}
	f := apiForm{Project: p, API: api, Name: api.Name, Identifier: api.Identifier, Scopes: append([]storage.APIScope(nil), api.Scopes...)}
	c.showAPIForm(w, r, a, http.StatusOK, "Edit "+api.Name, f)
}

func (c *Console) updateAPI(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	api, p, ok := c.loadAPI(w, r, a)
	if !ok {
		return
	}
	in := apiInput(r, p.ID)
	if _, err := c.o.Admin.UpdateAPI(r.Context(), api.ID, in); err != nil {
		errs, err := fieldErrors(err)
		if err != nil {
			c.storeError(w, r, a, "API", err)
			return
		}
		f := apiForm{Project: p, API: api, Name: in.Name, Identifier: in.Identifier, Scopes: in.Scopes, Errors: errs}
		c.showAPIForm(w, r, a, http.StatusBadRequest, "Edit "+api.Name, f)
		return
	}
	http.Redirect(w, r, "/console/projects/"+p.ID, http.StatusSeeOther)
}

// pathProject loads the project the path names; on failure it has
// answered (404 page) and returns false.
func (c *Console) pathProject(w http.ResponseWriter, r *http.Request, a *adminUser) (storage.Project, bool) {
	p, err := c.o.Admin.GetProject(r.Context(), r.PathValue("id"))
	if err != nil {
		c.storeError(w, r, a, "Project", err)
		return storage.Project{}, false
	}
	return p, true
}

// loadAPI loads the API the path names and its project; on failure it
// has answered (404 page) and returns false.
func (c *Console) loadAPI(w http.ResponseWriter, r *http.Request, a *adminUser) (storage.API, storage.Project, bool) {
	ctx := r.Context()
	api, err := c.o.Admin.GetAPI(ctx, r.PathValue("id"))
	if err != nil {
		c.storeError(w, r, a, "API", err)
		return storage.API{}, storage.Project{}, false
	}
	p, err := c.o.Admin.GetProject(ctx, api.ProjectID)
	if err != nil {
		c.storeError(w, r, a, "Project", err)
		return storage.API{}, storage.Project{}, false
	}
	return api, p, true
}

// apiInput reads the API form: name, identifier and the scope rows
// (scope_name and scope_description, paired by position; empty rows are
// skipped).
func apiInput(r *http.Request, projectID string) admin.APIInput {
	in := admin.APIInput{
		ProjectID:  projectID,
		Name:       r.PostForm.Get("name"),
		Identifier: strings.TrimSpace(r.PostForm.Get("identifier")),
	}
	names, descs := r.PostForm["scope_name"], r.PostForm["scope_description"]
	for i, n := range names {
		sc := storage.APIScope{Name: strings.TrimSpace(n)}
		if i < len(descs) {
			sc.Description = descs[i]
		}
		if sc.Name != "" || strings.TrimSpace(sc.Description) != "" {
			in.Scopes = append(in.Scopes, sc)
		}
	}
	return in
}
