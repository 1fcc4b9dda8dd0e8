-- tenant through invoice -> project -> tenant, by hand: a correlated EXISTS
ALTER TABLE bench_hand_path ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_hand_path FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bench_hand_path
    USING (EXISTS (SELECT 1 FROM bench_project p
                   WHERE p.id = project_id
                     AND p.tenant_id = current_setting('app.tenant_id')::bigint));
