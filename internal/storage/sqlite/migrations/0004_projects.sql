-- Developer-console model: projects own APIs and clients (credentials).
-- A client's project_id is NULL when it belongs to no project; the foreign
-- keys have no ON DELETE action, so deleting a project that still owns an
-- API or client fails (the store reports ErrInUse). A client's apis is a
-- JSON array of API IDs; an API's scopes a JSON array of
-- {"name", "description"} objects.

CREATE TABLE projects (
	id          TEXT NOT NULL PRIMARY KEY,
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX projects_name_id ON projects (name, id);

CREATE TABLE apis (
	id          TEXT NOT NULL PRIMARY KEY,
	project_id  TEXT NOT NULL REFERENCES projects (id),
	name        TEXT NOT NULL,
	identifier  TEXT NOT NULL UNIQUE,
	scopes      TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX apis_project_id_name_id ON apis (project_id, name, id);
CREATE INDEX apis_name_id ON apis (name, id);

ALTER TABLE clients ADD COLUMN project_id TEXT REFERENCES projects (id);
ALTER TABLE clients ADD COLUMN apis TEXT NOT NULL DEFAULT '[]';
CREATE INDEX clients_project_id ON clients (project_id);
