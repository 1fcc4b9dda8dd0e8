-- rlsc stdlib, up: the helpers compiled policies call.
-- Idempotent, so every migration that needs it may run it.
--
-- Hardened against the roles whose rows the policies protect: the helpers
-- are SECURITY DEFINER, so their search_path holds only pg_catalog (and
-- pg_temp last, which is never searched for functions or operators), every
-- table is schema-qualified and every operator is OPERATOR(pg_catalog.x):
-- an object a role creates in public cannot stand in for ours.  The schema
-- rlsc must belong to the migrating role (or a role it is a member of, or
-- a superuser): a schema someone else owns could have its functions
-- replaced, so the script stops instead of writing into it.
DO $rlsc_schema$
DECLARE
    v_owner pg_catalog.oid;
    v_funcs pg_catalog.oid[];
BEGIN
    SELECT n.nspowner INTO v_owner FROM pg_catalog.pg_namespace n
    WHERE n.nspname OPERATOR(pg_catalog.=) 'rlsc';
    IF NOT FOUND THEN
        CREATE SCHEMA rlsc;
        -- marked, so down removes only a schema rlsc created
        COMMENT ON SCHEMA rlsc IS 'created by rlsc';
        GRANT USAGE ON SCHEMA rlsc TO PUBLIC;
        RETURN;
    END IF;
    -- and every function in it: whoever owns one can change its body
    SELECT pg_catalog.array_agg(p.proowner) INTO v_funcs FROM pg_catalog.pg_proc p
    WHERE p.pronamespace OPERATOR(pg_catalog.=) 'rlsc'::pg_catalog.regnamespace;
    IF EXISTS (
        SELECT FROM pg_catalog.unnest(ARRAY[v_owner] OPERATOR(pg_catalog.||) v_funcs) AS o(id)
        WHERE o.id OPERATOR(pg_catalog.<>) ALL (ARRAY(
            WITH RECURSIVE mine(id) AS (
                SELECT r.oid FROM pg_catalog.pg_roles r
                WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER
                UNION
                SELECT m.roleid FROM pg_catalog.pg_auth_members m
                JOIN mine ON m.member OPERATOR(pg_catalog.=) mine.id)
            SELECT mine.id FROM mine
            UNION ALL
            SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolsuper))) THEN
        RAISE EXCEPTION 'rlsc: schema rlsc or a function in it belongs to role %, which the role running this script (%) is not a member of',
            (SELECT pg_catalog.string_agg(DISTINCT r.rolname::pg_catalog.text, ', ')
             FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) ANY (ARRAY[v_owner] OPERATOR(pg_catalog.||) v_funcs)),
            CURRENT_USER
            USING HINT = 'Its owner could replace the SECURITY DEFINER helpers that policies call. Drop the schema or change its owner, then run the script again.';
    END IF;
END
$rlsc_schema$;

-- rlsc.has_perm(setting, app_label, codename): Django's user.has_perm()
-- for the default ModelBackend, for the user whose id the context named
-- `setting` holds (policies pass the name of their `user` context): an
-- active user has a permission when they are a superuser, hold it
-- directly, or hold it through a group.  It answers only for the current
-- $user, never for an id the caller names; a value that is not an id of
-- the user model's key type is no user.  The tables are the user model's
-- as the catalog has them (Django's default: auth_user, auth_user_groups,
-- auth_user_user_permissions).  plpgsql, so the auth tables need not exist
-- until the first call.  (rlsc_legacy_up.sql repeats the query for rlsc
-- 0.1.0's entry point: keep the two alike.)
CREATE OR REPLACE FUNCTION rlsc.has_perm(p_setting text, p_app text, p_codename text)
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $rlsc_fn$
DECLARE
    v_text pg_catalog.text;
BEGIN
    -- a context is a dotted name; anything else could read a server setting
    IF pg_catalog.strpos(p_setting, '.') OPERATOR(pg_catalog.=) 0 THEN
        RETURN false;
    END IF;
    v_text := pg_catalog.current_setting(p_setting, true);
    IF v_text IS NULL OR v_text OPERATOR(pg_catalog.!~) @ID_PATTERN@ THEN
        RETURN false;
    END IF;
    RETURN COALESCE((
        SELECT @IS_ACTIVE@ AND (
            @IS_SUPERUSER@
            OR EXISTS (
                SELECT
                FROM @PERMS@ up
                JOIN @PERMISSION_SCHEMA@.auth_permission p
                  ON p.id OPERATOR(pg_catalog.=) up.@PERMS_PERM@
                JOIN @CTYPE_SCHEMA@.django_content_type ct
                  ON ct.id OPERATOR(pg_catalog.=) p.content_type_id
                WHERE up.@PERMS_USER@ OPERATOR(pg_catalog.=) u.@USER_PK@
                  AND ct.app_label OPERATOR(pg_catalog.=) p_app
                  AND p.codename OPERATOR(pg_catalog.=) p_codename)
            OR EXISTS (
                SELECT
                FROM @GROUPS@ ug
                JOIN @GROUP_PERMS_SCHEMA@.auth_group_permissions gp
                  ON gp.group_id OPERATOR(pg_catalog.=) ug.@GROUPS_GROUP@
                JOIN @PERMISSION_SCHEMA@.auth_permission p
                  ON p.id OPERATOR(pg_catalog.=) gp.permission_id
                JOIN @CTYPE_SCHEMA@.django_content_type ct
                  ON ct.id OPERATOR(pg_catalog.=) p.content_type_id
                WHERE ug.@GROUPS_USER@ OPERATOR(pg_catalog.=) u.@USER_PK@
                  AND ct.app_label OPERATOR(pg_catalog.=) p_app
                  AND p.codename OPERATOR(pg_catalog.=) p_codename))
        FROM @USER@ u
        WHERE u.@USER_PK@ OPERATOR(pg_catalog.=) CAST(v_text AS pg_catalog.@ID_TYPE@)), false);
END
$rlsc_fn$;
