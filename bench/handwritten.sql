-- bench/handwritten.sql — the policies a developer would write by hand for
-- each pattern, on the bench_hand_<pattern> copies of the invoices: the
-- setting read with a bare current_setting(...)::type in the condition,
-- membership and foreign-key paths as IN / EXISTS subqueries, and the
-- permission check as a join over Django's auth tables.  Same semantics as
-- the compiled policies for the contexts the benchmark sets.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- the auth tables, readable by the application role (the hand-written
-- permission check reads them as the querying role)
GRANT SELECT ON auth_user, auth_user_groups, auth_user_user_permissions, auth_group,
    auth_group_permissions, auth_permission, django_content_type TO bench_app;

ALTER TABLE bench_hand_tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_hand_tenant FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bench_hand_tenant
    USING (tenant_id = current_setting('app.tenant_id')::bigint);

ALTER TABLE bench_hand_owner ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_hand_owner FORCE ROW LEVEL SECURITY;
CREATE POLICY owner ON bench_hand_owner
    USING (owner_id = current_setting('app.user_id')::integer);

ALTER TABLE bench_hand_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_hand_member FORCE ROW LEVEL SECURITY;
CREATE POLICY member ON bench_hand_member
    USING (tenant_id IN (SELECT tenant_id FROM bench_membership
                         WHERE user_id = current_setting('app.user_id')::integer));

-- user.has_perm('bench.<perm>_invgrant'): active, and superuser or the
-- permission directly or through a group
ALTER TABLE bench_hand_grant ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_hand_grant FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bench_hand_grant AS RESTRICTIVE
    USING (tenant_id = current_setting('app.tenant_id')::bigint);
SELECT format($f$
CREATE POLICY %1$I ON bench_hand_grant FOR %2$s %3$s (EXISTS (
    SELECT 1 FROM auth_user u
    WHERE u.id = current_setting('app.user_id')::integer
      AND u.is_active
      AND (u.is_superuser
           OR EXISTS (SELECT 1 FROM auth_user_user_permissions up
                      JOIN auth_permission p ON p.id = up.permission_id
                      JOIN django_content_type ct ON ct.id = p.content_type_id
                      WHERE up.user_id = u.id AND ct.app_label = 'bench'
                        AND p.codename = %4$L)
           OR EXISTS (SELECT 1 FROM auth_user_groups ug
                      JOIN auth_group_permissions gp ON gp.group_id = ug.group_id
                      JOIN auth_permission p ON p.id = gp.permission_id
                      JOIN django_content_type ct ON ct.id = p.content_type_id
                      WHERE ug.user_id = u.id AND ct.app_label = 'bench'
                        AND p.codename = %4$L))))
$f$, 'perm_' || perm, cmd, CASE cmd WHEN 'INSERT' THEN 'WITH CHECK' ELSE 'USING' END,
   perm || '_invgrant')
FROM (VALUES ('view', 'SELECT'), ('add', 'INSERT'), ('change', 'UPDATE'), ('delete', 'DELETE'))
    AS c(perm, cmd) \gexec

ALTER TABLE bench_hand_path ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_hand_path FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bench_hand_path
    USING (EXISTS (SELECT 1 FROM bench_project p
                   WHERE p.id = project_id
                     AND p.tenant_id = current_setting('app.tenant_id')::bigint));

ALTER TABLE bench_hand_deny ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_hand_deny FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bench_hand_deny
    USING (tenant_id = current_setting('app.tenant_id')::bigint);
CREATE POLICY not_void ON bench_hand_deny AS RESTRICTIVE
    USING (status <> 'void');
