-- rlsc stdlib, up: the helpers compiled policies call.
-- Idempotent, so every migration that needs it may run it.
-- The schema is marked when rlsc creates it, so down removes only its own.
DO $rlsc_schema$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'rlsc') THEN
        CREATE SCHEMA rlsc;
        COMMENT ON SCHEMA rlsc IS 'created by rlsc';
        GRANT USAGE ON SCHEMA rlsc TO PUBLIC;
    END IF;
END
$rlsc_schema$;

-- rlsc.has_perm(user, app_label, codename): Django's user.has_perm() for
-- the default ModelBackend: an active user has a permission when they are
-- a superuser, hold it directly, or hold it through a group.
-- SECURITY DEFINER so that database roles without rights on auth_* can
-- evaluate it; the fixed search_path keeps callers from substituting
-- tables.  plpgsql, so the auth tables need not exist until first call.
CREATE OR REPLACE FUNCTION rlsc.has_perm(p_user bigint, p_app text, p_codename text)
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $rlsc_fn$
BEGIN
    RETURN COALESCE((
        SELECT u.is_active AND (
            u.is_superuser
            OR EXISTS (
                SELECT 1
                FROM auth_user_user_permissions up
                JOIN auth_permission p ON p.id = up.permission_id
                JOIN django_content_type ct ON ct.id = p.content_type_id
                WHERE up.user_id = u.id
                  AND ct.app_label = p_app AND p.codename = p_codename)
            OR EXISTS (
                SELECT 1
                FROM auth_user_groups ug
                JOIN auth_group_permissions gp ON gp.group_id = ug.group_id
                JOIN auth_permission p ON p.id = gp.permission_id
                JOIN django_content_type ct ON ct.id = p.content_type_id
                WHERE ug.user_id = u.id
                  AND ct.app_label = p_app AND p.codename = p_codename))
        FROM auth_user u
        WHERE u.id = p_user), false);
END
$rlsc_fn$;
