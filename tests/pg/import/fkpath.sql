-- tests/pg/import.sh: tables whose tenant is reached through foreign keys
CREATE TABLE orgs (id bigint PRIMARY KEY);
CREATE TABLE projects (id bigint PRIMARY KEY, organization_id bigint REFERENCES orgs (id));
CREATE TABLE tasks (id bigint PRIMARY KEY, project_id bigint REFERENCES projects (id), title text);
