-- tenant, by hand: the setting read with a bare current_setting()::bigint
ALTER TABLE bench_hand_tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_hand_tenant FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bench_hand_tenant
    USING (tenant_id = current_setting('app.tenant_id')::bigint);
