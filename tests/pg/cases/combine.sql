CREATE TABLE docs (
    id int PRIMARY KEY,
    tenant_id bigint NOT NULL,
    is_public boolean NOT NULL,
    owner_name text,
    archived boolean
);
INSERT INTO docs VALUES
    (1, 1, true,  'someone',    false),  -- public
    (2, 1, false, 'cb_reader',  false),  -- owned by cb_reader
    (3, 1, false, 'cb_reader2', false),  -- owned by cb_reader2
    (4, 1, false, 'nobody',     false),  -- neither
    (5, 1, true,  'cb_reader',  true),   -- public and owned, but archived
    (6, 1, false, 'cb_reader',  NULL),   -- archived NULL: not denied
    (7, 2, true,  'someone',    false),  -- other tenant, public
    (8, 2, false, 'cb_reader',  false);  -- other tenant, owned
GRANT SELECT, INSERT, UPDATE, DELETE ON docs TO PUBLIC;
