CREATE TABLE dn_thing (id int PRIMARY KEY, tenant_id bigint NOT NULL, locked boolean);

CREATE TABLE dn_pre_rls (id int PRIMARY KEY, tenant_id bigint NOT NULL);
ALTER TABLE dn_pre_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY keep_me ON dn_pre_rls FOR SELECT TO PUBLIC USING (id > 0);

CREATE TABLE dn_pre_forced (id int PRIMARY KEY, tenant_id bigint NOT NULL);
ALTER TABLE dn_pre_forced ENABLE ROW LEVEL SECURITY;
ALTER TABLE dn_pre_forced FORCE ROW LEVEL SECURITY;
CREATE POLICY keep_me_too ON dn_pre_forced AS RESTRICTIVE FOR UPDATE TO dn_pre
    USING (tenant_id > 0) WITH CHECK (tenant_id < 1000);

CREATE TABLE dn_pre_enabled (id int PRIMARY KEY, tenant_id bigint NOT NULL);
ALTER TABLE dn_pre_enabled ENABLE ROW LEVEL SECURITY;

CREATE TABLE dn_plain (id int PRIMARY KEY, tenant_id bigint NOT NULL);
CREATE TABLE dn_plain2 (id int PRIMARY KEY, tenant_id bigint NOT NULL);
CREATE TABLE dn_untouched (id int PRIMARY KEY);
