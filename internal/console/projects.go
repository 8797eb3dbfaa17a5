package console

import (
	"context"
	"errors"
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// projectsData fills the projects list, with the create form.
type projectsData struct {
	Projects []projectRow
	Name     string
	Desc     string
	Errors   map[string]string
}

type projectRow struct {
	storage.Project
	APIs, Credentials int
}

func (c *Console) projects(w http.ResponseWriter, r *http.Request, a *adminUser) {
	c.showProjects(w, r, a, http.StatusOK, projectsData{})
}

func (c *Console) showProjects(w http.ResponseWriter, r *http.Request, a *adminUser, status int, d projectsData) {
	ctx := r.Context()
	ps, err := c.o.Admin.ListProjects(ctx)
	if err != nil {
		c.serverError(w, r, a, err)
		return
	}
	apis, err := c.o.Admin.ListAPIs(ctx, "")
	if err != nil {
		c.serverError(w, r, a, err)
		return
	}
	clients, err := c.o.Admin.ListClients(ctx)
	if err != nil {
		c.serverError(w, r, a, err)
		return
	}
	for _, p := range ps {
		row := projectRow{Project: p}
		for _, x := range apis {
			if x.ProjectID == p.ID {
				row.APIs++
			}
		}
		for _, x := range clients {
			if x.ProjectID == p.ID {
				row.Credentials++
			}
		}
		d.Projects = append(d.Projects, row)
	}
	c.render(w, r, a, status, "projects", "Projects", d)
}

func (c *Console) createProject(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	in := admin.ProjectInput{Name: r.PostForm.Get("name"), Description: r.PostForm.Get("description")}
	p, err := c.o.Admin.CreateProject(r.Context(), in)
	if err != nil {
		errs, err := fieldErrors(err)
		if err != nil {
			c.serverError(w, r, a, err)
			return
		}
		c.showProjects(w, r, a, http.StatusBadRequest, projectsData{Name: in.Name, Desc: in.Description, Errors: errs})
		return
	}
	http.Redirect(w, r, "/console/projects/"+p.ID, http.StatusSeeOther)
}

// projectData fills a project's page.
type projectData struct {
	Project     storage.Project
	APIs        []storage.API
	Credentials []storage.Client
	Error       string
}

// loadProject loads a project with its APIs and credentials.
func (c *Console) loadProject(ctx context.Context, id string) (projectData, error) {
	p, err := c.o.Admin.GetProject(ctx, id)
	if err != nil {
		return projectData{}, err
	}
	apis, err := c.o.Admin.ListAPIs(ctx, id)
	if err != nil {
		return projectData{}, err
	}
	all, err := c.o.Admin.ListClients(ctx)
	if err != nil {
		return projectData{}, err
	}
	d := projectData{Project: p, APIs: apis}
	for _, cl := range all {
		if cl.ProjectID == id {
			d.Credentials = append(d.Credentials, cl)
		}
	}
	return d, nil
}

func (c *Console) project(w http.ResponseWriter, r *http.Request, a *adminUser) {
	d, err := c.loadProject(r.Context(), r.PathValue("id"))
	if err != nil {
		c.storeError(w, r, a, "Project", err)
		return
	}
	c.render(w, r, a, http.StatusOK, "project", d.Project.Name, d)
}

// deleteProject deletes an empty project; the store refuses while APIs
// or credentials remain, and the page says so.
func (c *Console) deleteProject(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	id := r.PathValue("id")
	err := c.o.Admin.DeleteProject(r.Context(), id)
	if errors.Is(err, storage.ErrInUse) {
		d, lerr := c.loadProject(r.Context(), id)
		if lerr != nil {
			c.storeError(w, r, a, "Project", lerr)
			return
		}
		d.Error = "Delete this project's APIs and credentials first: a project is never deleted with credentials that apps may be using."
		c.render(w, r, a, http.StatusConflict, "project", d.Project.Name, d)
		return
	}
	if err != nil {
		c.storeError(w, r, a, "Project", err)
		return
	}
	http.Redirect(w, r, "/console", http.StatusSeeOther)
}

// apiForm fills the "new API" page, which also edits an API.
type apiForm struct {
	Project    storage.Project
	API        storage.API // set when editing an existing API
	Name       string
	Identifier string
	Scopes     []storage.APIScope // at least a few empty rows to type into
	Errors     map[string]string
}

// scopeRows is how many scope rows the "new API" form offers.
const scopeRows = 6

// showAPIForm renders the API form, new or edit, with at least scopeRows
// scope rows to type into.
func (c *Console) showAPIForm(w http.ResponseWriter, r *http.Request, a *adminUser, status int, title string, f apiForm) {
	for len(f.Scopes) < scopeRows {
		f.Scopes = append(f.Scopes, storage.APIScope{})
	}
	c.render(w, r, a, status, "api_new", title, f)
}

func (c *Console) newAPI(w http.ResponseWriter, r *http.Request, a *adminUser) {
	p, ok := c.pathProject(w, r, a)
	if !ok {
		return
	}
	c.showAPIForm(w, r, a, http.StatusOK, "New API", apiForm{Project: p})
}

func (c *Console) createAPI(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	p, ok := c.pathProject(w, r, a)
	if !ok {
		return
	}
	in := apiInput(r, p.ID)
	if _, err := c.o.Admin.CreateAPI(r.Context(), in); err != nil {
		errs, err := fieldErrors(err)
		if err != nil {
			c.serverError(w, r, a, err)
			return
		}
		f := apiForm{Project: p, Name: in.Name, Identifier: in.Identifier, Scopes: in.Scopes, Errors: errs}
		c.showAPIForm(w, r, a, http.StatusBadRequest, "New API", f)
		return
	}
	http.Redirect(w, r, "/console/projects/"+p.ID, http.StatusSeeOther)
}

// deleteAPI deletes an API no credential lists any more.
func (c *Console) deleteAPI(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	api, err := c.o.Admin.GetAPI(r.Context(), r.PathValue("id"))
	if err != nil {
		c.storeError(w, r, a, "API", err)
		return
	}
	err = c.o.Admin.DeleteAPI(r.Context(), api.ID)
	if errors.Is(err, storage.ErrInUse) {
		d, lerr := c.loadProject(r.Context(), api.ProjectID)
		if lerr != nil {
			c.storeError(w, r, a, "Project", lerr)
			return
		}
		d.Error = "The API " + api.Name + " is still allowed to a credential. Delete that credential first."
		c.render(w, r, a, http.StatusConflict, "project", d.Project.Name, d)
		return
	}
	if err != nil {
		c.storeError(w, r, a, "API", err)
		return
	}
	http.Redirect(w, r, "/console/projects/"+api.ProjectID, http.StatusSeeOther)
}
