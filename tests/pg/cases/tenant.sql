CREATE TABLE items (id int PRIMARY KEY, tenant_id bigint, name text NOT NULL);
INSERT INTO items VALUES
    (1, 1, 'a'), (2, 1, 'b'), (3, 1, 'c'),
    (4, 2, 'd'), (5, 2, 'e'),
    (6, 3, 'f'),
    (7, NULL, 'orphan');
CREATE TABLE items_noforce (LIKE items INCLUDING ALL);
INSERT INTO items_noforce SELECT * FROM items;
GRANT SELECT, INSERT, UPDATE, DELETE ON items, items_noforce TO PUBLIC;
