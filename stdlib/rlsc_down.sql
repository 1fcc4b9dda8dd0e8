-- rlsc stdlib, down: removes one entry point of rlsc.has_perm (its
-- arguments are filled in by rlsc) unless policies of another app still
-- use it (PostgreSQL records a policy's dependency on a function, so the
-- DROP fails and is skipped), then the schema if rlsc created it and
-- nothing else is left in it.
DO $rlsc_down$
BEGIN
    BEGIN
        DROP FUNCTION IF EXISTS rlsc.has_perm(@ARGS@);
    EXCEPTION WHEN dependent_objects_still_exist THEN
        RETURN;
    END;
    IF pg_catalog.obj_description(
           (SELECT n.oid FROM pg_catalog.pg_namespace n
            WHERE n.nspname OPERATOR(pg_catalog.=) 'rlsc'),
           'pg_namespace') OPERATOR(pg_catalog.=) 'created by rlsc' THEN
        BEGIN
            DROP SCHEMA rlsc;
        EXCEPTION WHEN dependent_objects_still_exist THEN
            NULL; -- other objects live there
        END;
    END IF;
END
$rlsc_down$;
