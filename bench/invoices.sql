-- bench/invoices.sql — one invoices table (psql -v tbl=NAME): the columns of
-- a Django model with ForeignKeys to tenant, owner and project, loaded from
-- bench_seed in id order, with the indexes Django and a DBA would add.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET maintenance_work_mem = '256MB';
CREATE TABLE :"tbl" (
    id bigserial NOT NULL,
    tenant_id bigint NOT NULL,
    owner_id integer NOT NULL,
    project_id bigint NOT NULL,
    number varchar(32) NOT NULL,
    status varchar(10) NOT NULL,
    amount numeric(12, 2) NOT NULL,
    created_at timestamp with time zone NOT NULL
);
INSERT INTO :"tbl" SELECT * FROM bench_seed ORDER BY id;
SELECT setval(pg_get_serial_sequence(:'tbl', 'id'), (SELECT max(id) FROM bench_seed)) \g /dev/null
ALTER TABLE :"tbl" ADD PRIMARY KEY (id);
CREATE INDEX ON :"tbl" (tenant_id);
CREATE INDEX ON :"tbl" (owner_id);
CREATE INDEX ON :"tbl" (project_id);
ALTER TABLE :"tbl" ADD FOREIGN KEY (tenant_id) REFERENCES bench_tenant (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE :"tbl" ADD FOREIGN KEY (owner_id) REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE :"tbl" ADD FOREIGN KEY (project_id) REFERENCES bench_project (id) DEFERRABLE INITIALLY DEFERRED;
GRANT SELECT, INSERT, UPDATE, DELETE ON :"tbl" TO bench_app;
SELECT format('GRANT USAGE ON SEQUENCE %s TO bench_app', pg_get_serial_sequence(:'tbl', 'id')) \gexec
VACUUM (ANALYZE) :"tbl";
