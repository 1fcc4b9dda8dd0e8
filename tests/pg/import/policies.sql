-- tests/pg/import/policies.sql — the hand-written corpus of the import
-- round trip (tests/pg/import.sh): every CREATE POLICY feature, and the
-- RLS and FORCE flags.  One policy per statement; tests/pg/import.sh
-- counts them.
ALTER TABLE public.docs ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.docs FORCE ROW LEVEL SECURITY;
ALTER TABLE public.teams ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.teams FORCE ROW LEVEL SECURITY;
ALTER TABLE public.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.audit ENABLE ROW LEVEL SECURITY;        -- FORCE off
ALTER TABLE other."Mixed Case" ENABLE ROW LEVEL SECURITY;
ALTER TABLE other."Mixed Case" FORCE ROW LEVEL SECURITY;
ALTER TABLE other.notes ENABLE ROW LEVEL SECURITY;         -- FORCE off
ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.events FORCE ROW LEVEL SECURITY;
ALTER TABLE public.rls_only ENABLE ROW LEVEL SECURITY;     -- no policies
ALTER TABLE public.rls_only FORCE ROW LEVEL SECURITY;
ALTER TABLE public.rls_only_noforce ENABLE ROW LEVEL SECURITY;
ALTER TABLE public."t""x" ENABLE ROW LEVEL SECURITY;         -- FORCE off

-- every command, PUBLIC and roles
CREATE POLICY all_public ON docs USING (true);
CREATE POLICY sel_owner ON docs FOR SELECT USING (owner = current_user);
CREATE POLICY ins_owner ON docs FOR INSERT WITH CHECK (owner = current_user);
CREATE POLICY upd_owner ON docs FOR UPDATE USING (owner = current_user) WITH CHECK (owner = current_user AND status <> 'locked');
CREATE POLICY del_owner ON docs FOR DELETE USING (owner = session_user);
CREATE POLICY sel_auditor ON docs FOR SELECT TO auditor USING (true);
CREATE POLICY sel_two_roles ON docs FOR SELECT TO auditor, app_user USING (status = 'public');
CREATE POLICY sel_three_roles ON docs FOR SELECT TO auditor, app_user, "Mixed Role" USING (flag);
CREATE POLICY quoted_role ON docs FOR SELECT TO "role with ""quote""" USING (NOT flag);
CREATE POLICY all_admin ON docs TO admin_role USING (true) WITH CHECK (true);
-- restrictive
CREATE POLICY r_tenant ON docs AS RESTRICTIVE USING (tenant_id = current_setting('app.tenant')::bigint);
CREATE POLICY r_tenant_nullsafe ON docs AS RESTRICTIVE FOR SELECT USING (tenant_id = nullif(current_setting('app.tenant', true), '')::bigint);
CREATE POLICY r_ins ON docs AS RESTRICTIVE FOR INSERT TO app_user WITH CHECK (status IS NOT NULL);
CREATE POLICY r_upd ON docs AS RESTRICTIVE FOR UPDATE USING (status IS DISTINCT FROM 'archived') WITH CHECK (status IS NOT DISTINCT FROM 'draft' OR status = 'review');
CREATE POLICY r_del ON docs AS RESTRICTIVE FOR DELETE TO app_user, auditor USING (status <> 'paid');
CREATE POLICY r_all_permissive_word ON docs AS PERMISSIVE FOR ALL USING (level >= 0);
-- subqueries and EXISTS
CREATE POLICY team_member ON docs FOR SELECT USING (EXISTS (SELECT 1 FROM members m WHERE m.team_id = docs.team_id AND m.login = current_user));
CREATE POLICY team_in ON docs FOR UPDATE USING (team_id IN (SELECT team_id FROM members WHERE login = current_user));
CREATE POLICY team_not_in ON docs FOR DELETE USING (team_id NOT IN (SELECT team_id FROM members WHERE role = 'viewer'));
CREATE POLICY team_not_exists ON docs AS RESTRICTIVE FOR INSERT WITH CHECK (NOT EXISTS (SELECT 1 FROM teams t WHERE t.id = team_id AND t.name = 'frozen'));
CREATE POLICY team_scalar ON docs FOR SELECT TO auditor USING (owner = (SELECT t.owner FROM teams t WHERE t.id = docs.team_id));
CREATE POLICY team_any_array ON docs FOR SELECT TO app_user USING (team_id = ANY (ARRAY(SELECT m.team_id FROM members m WHERE m.login = current_user)));
CREATE POLICY team_count ON docs FOR SELECT USING ((SELECT count(*) FROM members m WHERE m.team_id = docs.team_id) > 2);
CREATE POLICY nested_scalar ON docs FOR SELECT USING ((SELECT (SELECT max(m.team_id) FROM members m)) = team_id);
CREATE POLICY nested_scalar_col ON docs FOR SELECT USING ((SELECT (SELECT m.team_id FROM members m WHERE m.login = 'lead')) = team_id);
CREATE POLICY case_target ON docs FOR SELECT USING ((SELECT CASE WHEN t.name = 'x' THEN true ELSE public.is_admin(t.owner) END FROM teams t WHERE t.id = docs.team_id));
CREATE POLICY varchar_in_sub ON docs FOR SELECT USING (title IN (SELECT t.name FROM teams t));
CREATE POLICY other_schema_sub ON docs FOR SELECT USING (EXISTS (SELECT 1 FROM other.notes n WHERE n.author = docs.owner));
-- casts, functions, CASE, COALESCE, arrays, LIKE
CREATE POLICY cast_text ON docs FOR SELECT USING (id::text = current_setting('app.doc'));
CREATE POLICY cast_sql ON docs FOR SELECT USING (CAST(level AS integer) < 10);
CREATE POLICY cast_varchar ON docs FOR SELECT USING (title::varchar(10) = 'x');
CREATE POLICY cast_numeric ON docs FOR SELECT USING (amount > 100.50::numeric(10,2));
CREATE POLICY cast_date ON docs FOR SELECT USING (due > '2024-01-01'::date);
CREATE POLICY cast_ts ON docs FOR SELECT USING (created > now() - interval '30 days');
CREATE POLICY func_lower ON docs FOR SELECT USING (lower(owner) = lower(current_user::text));
CREATE POLICY func_user ON docs FOR SELECT USING (public.is_admin(current_user));
CREATE POLICY func_other ON docs FOR SELECT USING (team_id = other.team_of(owner));
CREATE POLICY func_length ON docs FOR INSERT WITH CHECK (length(title) BETWEEN 1 AND 100);
CREATE POLICY case_when ON docs FOR SELECT USING (CASE WHEN status = 'draft' THEN owner = current_user WHEN status = 'public' THEN true ELSE false END);
CREATE POLICY case_simple ON docs FOR SELECT USING (CASE level WHEN 1 THEN flag WHEN 2 THEN NOT flag END);
CREATE POLICY coalesce_flag ON docs FOR SELECT USING (COALESCE(flag, false));
CREATE POLICY greatest_least ON docs FOR SELECT USING (GREATEST(level, 0) <= LEAST(level, 5));
CREATE POLICY array_contains ON docs FOR SELECT USING (tags @> ARRAY['public']);
CREATE POLICY array_overlap ON docs FOR SELECT USING (tags && '{a,b}'::text[]);
CREATE POLICY array_any ON docs FOR SELECT USING ('x' = ANY (tags));
CREATE POLICY array_all ON docs FOR SELECT USING (level <> ALL (ARRAY[1, 2, 3]));
CREATE POLICY array_subscript ON docs FOR SELECT USING (tags[1] = 'first');
CREATE POLICY in_list ON docs FOR SELECT USING (status IN ('a', 'b', 'c'));
CREATE POLICY in_list_varchar ON docs FOR SELECT USING (title IN ('a', 'b', NULL));
CREATE POLICY not_in_list ON docs FOR SELECT USING (level NOT IN (-1, 0));
CREATE POLICY like_prefix ON docs FOR SELECT USING (title LIKE 'pub%');
CREATE POLICY not_like ON docs FOR SELECT USING (title NOT LIKE '%secret%');
CREATE POLICY ilike_owner ON docs FOR SELECT USING (owner ILIKE 'a%');
CREATE POLICY regex ON docs FOR SELECT USING (owner ~ '^[a-z]+$');
CREATE POLICY jsonb_field ON docs FOR SELECT USING (data ->> 'visibility' = 'public');
CREATE POLICY jsonb_has ON docs FOR SELECT USING (data ? 'owner' AND (data -> 'n')::int > 3);
CREATE POLICY arith ON docs FOR SELECT USING ((level + 1) * 2 % 3 = -1 - -2);
CREATE POLICY concat ON docs FOR SELECT USING (owner || '@' || status = 'a@b');
CREATE POLICY is_true ON docs FOR SELECT USING (flag IS TRUE OR flag IS NOT FALSE);
CREATE POLICY is_null ON docs FOR SELECT USING (status IS NULL);
CREATE POLICY quoted_cols ON docs FOR SELECT USING ("Mixed Col" = 'x' AND "select" > 0);
CREATE POLICY quote_literal ON docs FOR SELECT USING (status <> 'it''s' AND status <> 'back\slash');
CREATE POLICY similar_to ON docs FOR SELECT USING (status SIMILAR TO 'a%');
CREATE POLICY current_role_owner ON docs FOR SELECT USING (owner = current_role);
CREATE POLICY date_today ON docs FOR SELECT USING (created::date = current_date);
CREATE POLICY local_ts ON docs FOR SELECT USING (created::timestamp(0) without time zone < localtimestamp);
CREATE POLICY jsonb_contains ON docs FOR SELECT USING (data @> '{"a": 1}'::jsonb);
CREATE POLICY array_slice ON docs FOR SELECT USING (tags[1:2] = ARRAY['a', 'b']);
CREATE POLICY float_types ON docs FOR SELECT USING (amount::float8 > 0.5::real);
CREATE POLICY char_types ON docs FOR SELECT USING (code::character(2) = 'ab' OR code::bpchar = 'a');
CREATE POLICY not_similar ON docs FOR SELECT USING (title NOT SIMILAR TO 'x#_%' ESCAPE '#');
CREATE POLICY between_dates ON docs FOR SELECT USING (due BETWEEN '2024-01-01' AND '2024-12-31');
CREATE POLICY any_literal ON docs FOR SELECT USING (level = ANY ('{1,2}'::int[]));
CREATE POLICY not_null_test ON docs FOR SELECT USING (NOT (flag IS NULL) AND "Mixed Col" IS NOT NULL);
CREATE POLICY "Quoted Name" ON docs FOR SELECT USING (code = 'abc');
CREATE POLICY "policy" ON docs FOR SELECT USING (current_date > due);
-- other tables: force off, quoted names, a second schema, a partitioned table
CREATE POLICY teams_sel ON teams FOR SELECT USING (owner = current_user OR EXISTS (SELECT 1 FROM members m WHERE m.team_id = teams.id AND m.login = current_user));
CREATE POLICY teams_ins ON teams FOR INSERT TO app_user WITH CHECK (owner = current_user);
CREATE POLICY members_self ON members USING (login = current_user);
CREATE POLICY audit_ins ON audit FOR INSERT WITH CHECK (actor = current_user AND at <= now());
CREATE POLICY audit_sel ON audit FOR SELECT TO auditor USING (true);
CREATE POLICY "Mixed Policy" ON other."Mixed Case" FOR SELECT TO "Mixed Role" USING ("Owner Name" = current_user);
CREATE POLICY mixed_upd ON other."Mixed Case" FOR UPDATE USING ("ID" > 0) WITH CHECK ("ID" > 0 AND note IS NOT NULL);
CREATE POLICY notes_private ON other.notes AS RESTRICTIVE USING (NOT private OR author = current_user);
CREATE POLICY notes_all ON other.notes USING (true);
CREATE POLICY events_sel ON events FOR SELECT USING (day >= current_date - 30);
CREATE POLICY events_ins ON events FOR INSERT WITH CHECK (who = current_user);
-- hostile names and literals: an injected statement, comments, quotes, backslashes, dollars, a newline
CREATE POLICY "p""1; policy evil on t using (true); --" ON public."t""x" TO "role with ""quote""" USING ("na--me" = E'it''s \\ /* -- $$ "q"' AND "c*/" LIKE '%*/%');
CREATE POLICY "c*/ /*x" ON public."t""x" FOR INSERT WITH CHECK ("na--me" <> E'\n' AND "c*/" <> $q$'$$'$q$);
