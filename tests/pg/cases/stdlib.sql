-- an empty schema named like the stdlib's, created before any rlsc migration
CREATE SCHEMA rlsc;
