-- tenant + deny, by hand: void invoices hidden and frozen
ALTER TABLE bench_hand_deny ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_hand_deny FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bench_hand_deny
    USING (tenant_id = current_setting('app.tenant_id')::bigint);
CREATE POLICY not_void ON bench_hand_deny AS RESTRICTIVE
    USING (status <> 'void');
