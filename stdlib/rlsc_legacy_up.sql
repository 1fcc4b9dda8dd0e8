-- rlsc stdlib, legacy entry point: rlsc.has_perm(user, app, codename), which
-- policies compiled by rlsc 0.1.0 call with the id itself.  Written when a
-- migration goes back to such a state, and over 0.1.0's own copy (which
-- could be hijacked) when a migration moves on from one.  Hardened like the
-- rest, but it answers for any id, so the end of the same script drops it
-- again when no policy uses it.  The query is rlsc_up.sql's: keep the two
-- alike.
CREATE OR REPLACE FUNCTION rlsc.has_perm(p_user bigint, p_app text, p_codename text)
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $rlsc_fn$
BEGIN
    RETURN COALESCE((
        SELECT u.is_active AND (
            u.is_superuser
            OR EXISTS (
                SELECT
                FROM public.auth_user_user_permissions up
                JOIN public.auth_permission p
                  ON p.id OPERATOR(pg_catalog.=) up.permission_id
                JOIN public.django_content_type ct
                  ON ct.id OPERATOR(pg_catalog.=) p.content_type_id
                WHERE up.user_id OPERATOR(pg_catalog.=) u.id
                  AND ct.app_label OPERATOR(pg_catalog.=) p_app
                  AND p.codename OPERATOR(pg_catalog.=) p_codename)
            OR EXISTS (
                SELECT
                FROM public.auth_user_groups ug
                JOIN public.auth_group_permissions gp
                  ON gp.group_id OPERATOR(pg_catalog.=) ug.group_id
                JOIN public.auth_permission p
                  ON p.id OPERATOR(pg_catalog.=) gp.permission_id
                JOIN public.django_content_type ct
                  ON ct.id OPERATOR(pg_catalog.=) p.content_type_id
                WHERE ug.user_id OPERATOR(pg_catalog.=) u.id
                  AND ct.app_label OPERATOR(pg_catalog.=) p_app
                  AND p.codename OPERATOR(pg_catalog.=) p_codename))
        FROM public.auth_user u
        WHERE u.id OPERATOR(pg_catalog.=) p_user), false);
END
$rlsc_fn$;
