-- A project with AUTH_USER_MODEL = 'accounts.User' (uuid keys, no
-- auth_user table), as Django's migrations create it; grant must find the
-- user model through the foreign keys (rlsc sql --db reads them).
CREATE TABLE django_content_type (
    id serial PRIMARY KEY, app_label varchar(100) NOT NULL, model varchar(100) NOT NULL);
CREATE TABLE auth_permission (
    id serial PRIMARY KEY, name varchar(255) NOT NULL,
    content_type_id integer NOT NULL REFERENCES django_content_type (id),
    codename varchar(100) NOT NULL);
CREATE TABLE auth_group (id serial PRIMARY KEY, name varchar(150) NOT NULL UNIQUE);
CREATE TABLE auth_group_permissions (
    id bigserial PRIMARY KEY,
    group_id integer NOT NULL REFERENCES auth_group (id),
    permission_id integer NOT NULL REFERENCES auth_permission (id));
CREATE TABLE accounts_user (
    id uuid PRIMARY KEY, password varchar(128) NOT NULL, is_superuser boolean NOT NULL,
    email varchar(254) NOT NULL, is_active boolean NOT NULL);
CREATE TABLE accounts_user_groups (
    id bigserial PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES accounts_user (id),
    group_id integer NOT NULL REFERENCES auth_group (id));
CREATE TABLE accounts_user_user_permissions (
    id bigserial PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES accounts_user (id),
    permission_id integer NOT NULL REFERENCES auth_permission (id));
CREATE TABLE projects_project (
    id integer PRIMARY KEY, organization_id integer NOT NULL,
    owner_id uuid NOT NULL REFERENCES accounts_user (id), name text NOT NULL);

INSERT INTO django_content_type VALUES (1, 'projects', 'project'), (2, 'other', 'project');
INSERT INTO auth_permission VALUES
    (1, 'Can view project', 1, 'view_project'),
    (2, 'Can change project', 1, 'change_project'),
    (3, 'Can close project', 1, 'close_project'),
    (4, 'Can view project', 2, 'view_project');
INSERT INTO auth_group VALUES (1, 'viewers');
INSERT INTO auth_group_permissions (group_id, permission_id) VALUES (1, 1);
INSERT INTO accounts_user VALUES
    ('00000000-0000-0000-0000-00000000000a', '', false, 'direct@x', true),
    ('00000000-0000-0000-0000-00000000000b', '', false, 'group@x', true),
    ('00000000-0000-0000-0000-00000000000c', '', false, 'none@x', true),
    ('00000000-0000-0000-0000-00000000000d', '', false, 'inactive@x', false),
    ('00000000-0000-0000-0000-00000000000e', '', true, 'super@x', true),
    ('00000000-0000-0000-0000-00000000000f', '', false, 'otherapp@x', true);
INSERT INTO accounts_user_user_permissions (user_id, permission_id) VALUES
    ('00000000-0000-0000-0000-00000000000a', 1),
    ('00000000-0000-0000-0000-00000000000d', 1),
    ('00000000-0000-0000-0000-00000000000f', 4);
INSERT INTO accounts_user_groups (user_id, group_id) VALUES
    ('00000000-0000-0000-0000-00000000000b', 1);
INSERT INTO projects_project VALUES
    (1, 1, '00000000-0000-0000-0000-00000000000a', 'p1'),
    (2, 1, '00000000-0000-0000-0000-00000000000c', 'p2'),
    (3, 2, '00000000-0000-0000-0000-00000000000a', 'p3');
