-- rlsc stdlib, down: removes the helpers unless policies of another app
-- still use them, and the schema if rlsc created it (PostgreSQL records a policy's dependency on a function,
-- so the DROP fails and is skipped).
DO $rlsc_down$
BEGIN
    BEGIN
        DROP FUNCTION IF EXISTS rlsc.has_perm(bigint, text, text);
    EXCEPTION WHEN dependent_objects_still_exist THEN
        RETURN;
    END;
    IF pg_catalog.obj_description(
           (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'rlsc'),
           'pg_namespace') = 'created by rlsc' THEN
        BEGIN
            DROP SCHEMA rlsc;
        EXCEPTION WHEN dependent_objects_still_exist THEN
            NULL; -- other objects live there
        END;
    END IF;
END
$rlsc_down$;
