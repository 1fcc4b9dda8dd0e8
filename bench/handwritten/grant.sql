-- tenant + Django permissions, by hand: the permission check joins the auth
-- tables directly (the application role may read them)
GRANT SELECT ON auth_user, auth_user_groups, auth_user_user_permissions, auth_group,
    auth_group_permissions, auth_permission, django_content_type TO bench_app;

-- user.has_perm('bench.<perm>_invgrant'): active, and superuser or the
-- permission directly or through a group, one policy per command
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
