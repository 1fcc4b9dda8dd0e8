-- rlsc stdlib, down: removes the helpers unless policies of another app
-- still use them (PostgreSQL records a policy's dependency on a function,
-- so the DROP fails and is skipped).
DO $rlsc_down$
BEGIN
    BEGIN
        DROP FUNCTION IF EXISTS rlsc.has_perm(bigint, text, text);
    EXCEPTION WHEN dependent_objects_still_exist THEN
        RETURN;
    END;
    BEGIN
        DROP SCHEMA IF EXISTS rlsc;
    EXCEPTION WHEN dependent_objects_still_exist THEN
        NULL;
    END;
END
$rlsc_down$;
