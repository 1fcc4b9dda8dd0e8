-- an empty schema named like the stdlib's, created before any rlsc
-- migration by the role that runs them (here the superuser): newdb runs
-- this file as app_owner, so switch back first.  (A schema rlsc of another
-- role is refused: see sc_attack.)
RESET ROLE;
CREATE SCHEMA rlsc;
