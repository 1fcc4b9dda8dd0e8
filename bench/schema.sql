-- bench/schema.sql — the benchmark's dataset (run by bench/run.sh through
-- psql with -v tenants=T -v rows=N -v upt=U -v ppt=Q; N a multiple of T).
--
-- Django 3.2's contenttypes and auth tables exactly as its initial
-- migrations create them (columns, keys, and the indexes Django adds for
-- every ForeignKey and for varchar_pattern_ops), then the app's tables:
--
--   bench_tenant        T tenants
--   bench_project       Q projects per tenant              (project -> tenant)
--   bench_membership    (user, tenant)                      index (user_id, tenant_id)
--   bench_inv<pattern>  N invoices, one table per pattern under compiled policies
--   bench_hand_<pattern> the same N invoices under the hand-written policies
--
-- Invoice i (1..N) belongs to tenant t = (i-1) % T + 1, is the k-th of its
-- tenant with k = (i-1) / T, so the ids of tenant t are t + T*k, k in
-- [0, N/T).  Its project is the (k % Q)-th of t, its owner the tenant's
-- first user, its status 'void' for one in twenty.  The pgbench scripts
-- compute random keys within a context from these formulas.
--
-- Users 1..T*U: user u is the (u-1)%U-th of tenant (u-1)/U+1, member of that
-- tenant.  The tenant's last user (j = U-1) is inactive; the others hold
-- every bench permission, directly (j % 3 = 0) or through a group.  After
-- them: an active superuser, an inactive superuser, and 1000 users of other
-- apps (noise permissions and groups, memberships in three tenants each).
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE TABLE "django_content_type" (
    "id" serial NOT NULL PRIMARY KEY,
    "app_label" varchar(100) NOT NULL,
    "model" varchar(100) NOT NULL,
    CONSTRAINT "django_content_type_app_label_model_76bd3d3b_uniq" UNIQUE ("app_label", "model")
);
CREATE TABLE "auth_permission" (
    "id" serial NOT NULL PRIMARY KEY,
    "name" varchar(255) NOT NULL,
    "content_type_id" integer NOT NULL,
    "codename" varchar(100) NOT NULL,
    CONSTRAINT "auth_permission_content_type_id_codename_01ab375a_uniq" UNIQUE ("content_type_id", "codename")
);
ALTER TABLE "auth_permission" ADD CONSTRAINT "auth_permission_content_type_id_2f476e4b_fk_django_co"
    FOREIGN KEY ("content_type_id") REFERENCES "django_content_type" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "auth_permission_content_type_id_2f476e4b" ON "auth_permission" ("content_type_id");
CREATE TABLE "auth_group" (
    "id" serial NOT NULL PRIMARY KEY,
    "name" varchar(150) NOT NULL UNIQUE
);
CREATE INDEX "auth_group_name_a6ea08ec_like" ON "auth_group" ("name" varchar_pattern_ops);
CREATE TABLE "auth_group_permissions" (
    "id" serial NOT NULL PRIMARY KEY,
    "group_id" integer NOT NULL,
    "permission_id" integer NOT NULL,
    CONSTRAINT "auth_group_permissions_group_id_permission_id_0cd325b0_uniq" UNIQUE ("group_id", "permission_id")
);
ALTER TABLE "auth_group_permissions" ADD CONSTRAINT "auth_group_permissio_permission_id_84c5c92e_fk_auth_perm"
    FOREIGN KEY ("permission_id") REFERENCES "auth_permission" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "auth_group_permissions" ADD CONSTRAINT "auth_group_permissions_group_id_b120cbf9_fk_auth_group_id"
    FOREIGN KEY ("group_id") REFERENCES "auth_group" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "auth_group_permissions_group_id_b120cbf9" ON "auth_group_permissions" ("group_id");
CREATE INDEX "auth_group_permissions_permission_id_84c5c92e" ON "auth_group_permissions" ("permission_id");
CREATE TABLE "auth_user" (
    "id" serial NOT NULL PRIMARY KEY,
    "password" varchar(128) NOT NULL,
    "last_login" timestamp with time zone NULL,
    "is_superuser" boolean NOT NULL,
    "username" varchar(150) NOT NULL UNIQUE,
    "first_name" varchar(150) NOT NULL,
    "last_name" varchar(150) NOT NULL,
    "email" varchar(254) NOT NULL,
    "is_staff" boolean NOT NULL,
    "is_active" boolean NOT NULL,
    "date_joined" timestamp with time zone NOT NULL
);
CREATE INDEX "auth_user_username_6821ab7c_like" ON "auth_user" ("username" varchar_pattern_ops);
CREATE TABLE "auth_user_groups" (
    "id" serial NOT NULL PRIMARY KEY,
    "user_id" integer NOT NULL,
    "group_id" integer NOT NULL,
    CONSTRAINT "auth_user_groups_user_id_group_id_94350c0c_uniq" UNIQUE ("user_id", "group_id")
);
ALTER TABLE "auth_user_groups" ADD CONSTRAINT "auth_user_groups_group_id_97559544_fk_auth_group_id"
    FOREIGN KEY ("group_id") REFERENCES "auth_group" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "auth_user_groups" ADD CONSTRAINT "auth_user_groups_user_id_6a12ed8b_fk_auth_user_id"
    FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "auth_user_groups_group_id_97559544" ON "auth_user_groups" ("group_id");
CREATE INDEX "auth_user_groups_user_id_6a12ed8b" ON "auth_user_groups" ("user_id");
CREATE TABLE "auth_user_user_permissions" (
    "id" serial NOT NULL PRIMARY KEY,
    "user_id" integer NOT NULL,
    "permission_id" integer NOT NULL,
    CONSTRAINT "auth_user_user_permissions_user_id_permission_id_14a6b632_uniq" UNIQUE ("user_id", "permission_id")
);
ALTER TABLE "auth_user_user_permissions" ADD CONSTRAINT "auth_user_user_permi_permission_id_1fbb5f2c_fk_auth_perm"
    FOREIGN KEY ("permission_id") REFERENCES "auth_permission" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "auth_user_user_permissions" ADD CONSTRAINT "auth_user_user_permissions_user_id_a95ead1b_fk_auth_user_id"
    FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "auth_user_user_permissions_permission_id_1fbb5f2c" ON "auth_user_user_permissions" ("permission_id");
CREATE INDEX "auth_user_user_permissions_user_id_a95ead1b" ON "auth_user_user_permissions" ("user_id");

-- content types and the four default permissions of every model: Django's
-- own, the bench app's six, and 100 models of 25 other apps (noise)
INSERT INTO django_content_type (app_label, model) VALUES
    ('admin', 'logentry'), ('auth', 'permission'), ('auth', 'group'), ('auth', 'user'),
    ('contenttypes', 'contenttype'), ('sessions', 'session'),
    ('bench', 'tenant'), ('bench', 'project'), ('bench', 'membership'),
    ('bench', 'invtenant'), ('bench', 'invowner'), ('bench', 'invmember'),
    ('bench', 'invgrant'), ('bench', 'invpath'), ('bench', 'invdeny');
INSERT INTO django_content_type (app_label, model)
    SELECT 'app' || (m % 25), 'model' || m FROM generate_series(1, 100) m;
INSERT INTO auth_permission (name, content_type_id, codename)
    SELECT 'Can ' || a || ' ' || ct.model, ct.id, a || '_' || ct.model
    FROM django_content_type ct, unnest(ARRAY['add', 'change', 'delete', 'view']) a
    ORDER BY ct.id, a;

INSERT INTO auth_group (name) VALUES ('accountants'), ('clerks');
INSERT INTO auth_group (name) SELECT 'noise' || g FROM generate_series(1, 20) g;
-- accountants: every bench permission; clerks: view and add only
INSERT INTO auth_group_permissions (group_id, permission_id)
    SELECT g.id, p.id FROM auth_group g, auth_permission p
    JOIN django_content_type ct ON ct.id = p.content_type_id
    WHERE ct.app_label = 'bench'
      AND (g.name = 'accountants' OR (g.name = 'clerks' AND p.codename ~ '^(view|add)_'));
INSERT INTO auth_group_permissions (group_id, permission_id)
    SELECT g.id, p.id FROM auth_group g
    JOIN auth_permission p ON p.id % 20 = g.id % 20 AND p.content_type_id > 15
    WHERE g.name LIKE 'noise%';

INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
    SELECT u, 'pbkdf2_sha256$260000$bench$x', false, 'user' || u, 'First', 'Last',
           'user' || u || '@example.com', false, (u - 1) % :upt <> :upt - 1, now()
    FROM generate_series(1, :tenants * :upt) u;
INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
    SELECT :tenants * :upt + s, 'x', true, 'super' || s, '', '', '', true, s = 1, now()
    FROM generate_series(1, 2) s;
INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
    SELECT :tenants * :upt + 2 + s, 'x', false, 'other' || s, '', '', '', false, s % 10 <> 0, now()
    FROM generate_series(1, 1000) s;
SELECT setval('auth_user_id_seq', (SELECT max(id) FROM auth_user)) \g /dev/null
-- tenant users: j % 3 = 0 direct permissions, 1 accountants, 2 clerks and accountants
INSERT INTO auth_user_user_permissions (user_id, permission_id)
    SELECT u.id, p.id FROM auth_user u, auth_permission p
    JOIN django_content_type ct ON ct.id = p.content_type_id
    WHERE u.id <= :tenants * :upt AND (u.id - 1) % :upt % 3 = 0 AND ct.app_label = 'bench';
INSERT INTO auth_user_groups (user_id, group_id)
    SELECT u.id, g.id FROM auth_user u, auth_group g
    WHERE u.id <= :tenants * :upt AND (u.id - 1) % :upt % 3 <> 0
      AND (g.name = 'accountants' OR (g.name = 'clerks' AND (u.id - 1) % :upt % 3 = 2));
-- the other users: two noise groups and five noise permissions each
INSERT INTO auth_user_groups (user_id, group_id)
    SELECT u.id, g.id FROM auth_user u JOIN auth_group g
      ON g.name LIKE 'noise%' AND (g.id % 10) IN (u.id % 10, (u.id + 3) % 10)
    WHERE u.id > :tenants * :upt + 2;
INSERT INTO auth_user_user_permissions (user_id, permission_id)
    SELECT u.id, p.id FROM auth_user u JOIN auth_permission p
      ON p.content_type_id > 15 AND p.id % 80 = u.id % 80
    WHERE u.id > :tenants * :upt + 2;

CREATE TABLE bench_tenant (
    id bigserial NOT NULL PRIMARY KEY,
    name varchar(100) NOT NULL
);
INSERT INTO bench_tenant (id, name) SELECT t, 'tenant ' || t FROM generate_series(1, :tenants) t;
SELECT setval('bench_tenant_id_seq', :tenants) \g /dev/null

CREATE TABLE bench_project (
    id bigserial NOT NULL PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES bench_tenant (id) DEFERRABLE INITIALLY DEFERRED,
    name varchar(100) NOT NULL
);
CREATE INDEX bench_project_tenant_id ON bench_project (tenant_id);
INSERT INTO bench_project (id, tenant_id, name)
    SELECT (t - 1) * :ppt + q, t, 'project ' || q
    FROM generate_series(1, :tenants) t, generate_series(1, :ppt) q;
SELECT setval('bench_project_id_seq', :tenants * :ppt) \g /dev/null

CREATE TABLE bench_membership (
    id bigserial NOT NULL PRIMARY KEY,
    user_id integer NOT NULL REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED,
    tenant_id bigint NOT NULL REFERENCES bench_tenant (id) DEFERRABLE INITIALLY DEFERRED,
    role varchar(20) NOT NULL,
    CONSTRAINT bench_membership_user_tenant_uniq UNIQUE (user_id, tenant_id)
);
CREATE INDEX bench_membership_tenant_id ON bench_membership (tenant_id);
INSERT INTO bench_membership (user_id, tenant_id, role)
    SELECT u, (u - 1) / :upt + 1, 'member' FROM generate_series(1, :tenants * :upt) u;
INSERT INTO bench_membership (user_id, tenant_id, role)
    SELECT u.id, (u.id * 7 + x * 31) % :tenants + 1, 'consultant'
    FROM auth_user u, generate_series(0, 2) x
    WHERE u.id > :tenants * :upt + 2;

-- the invoices, generated once, then copied into one table per pattern and
-- variant (identical contents, loaded in id order)
CREATE UNLOGGED TABLE bench_seed AS
    SELECT i::bigint AS id,
           ((i - 1) % :tenants + 1)::bigint AS tenant_id,
           (((i - 1) % :tenants) * :upt + 1)::integer AS owner_id,
           (((i - 1) % :tenants) * :ppt + ((i - 1) / :tenants) % :ppt + 1)::bigint AS project_id,
           ('INV-' || lpad(i::text, 8, '0'))::varchar(32) AS number,
           (CASE WHEN (i - 1) / :tenants % 20 = 19 THEN 'void'
                 ELSE (ARRAY['draft', 'sent', 'paid'])[(i - 1) / :tenants % 3 + 1] END)::varchar(10) AS status,
           ((i::bigint * 7919) % 100000 / 100.0)::numeric(12, 2) AS amount,
           (timestamptz '2024-01-01' + (i % 100000) * interval '5 minutes') AS created_at
    FROM generate_series(1, :rows) i;
