-- owner, by hand
ALTER TABLE bench_hand_owner ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_hand_owner FORCE ROW LEVEL SECURITY;
CREATE POLICY owner ON bench_hand_owner
    USING (owner_id = current_setting('app.user_id')::integer);
