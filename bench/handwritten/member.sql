-- membership, by hand: IN (subquery)
ALTER TABLE bench_hand_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_hand_member FORCE ROW LEVEL SECURITY;
CREATE POLICY member ON bench_hand_member
    USING (tenant_id IN (SELECT tenant_id FROM bench_membership
                         WHERE user_id = current_setting('app.user_id')::integer));
