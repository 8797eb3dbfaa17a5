-- Developer-console model: projects own APIs and clients (credentials).
-- A client's project_id is NULL when it belongs to no project; the foreign
-- keys have no ON DELETE action, so deleting a project that still owns an
-- API or client fails (the store reports ErrInUse). An API's scopes are a
-- jsonb array of {"name", "description"} objects.

CREATE TABLE projects (
	id          text COLLATE "C" PRIMARY KEY,
	name        text COLLATE "C" NOT NULL,
	description text NOT NULL,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL
);
CREATE INDEX projects_name_id ON projects (name, id);

CREATE TABLE apis (
	id          text COLLATE "C" PRIMARY KEY,
	project_id  text COLLATE "C" NOT NULL REFERENCES projects (id),
	name        text COLLATE "C" NOT NULL,
	identifier  text COLLATE "C" NOT NULL UNIQUE,
	scopes      jsonb NOT NULL,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL
);
CREATE INDEX apis_project_id_name_id ON apis (project_id, name, id);
CREATE INDEX apis_name_id ON apis (name, id);

ALTER TABLE clients
	ADD COLUMN project_id text COLLATE "C" REFERENCES projects (id),
	ADD COLUMN apis       text[] NOT NULL DEFAULT '{}';
CREATE INDEX clients_project_id ON clients (project_id);
