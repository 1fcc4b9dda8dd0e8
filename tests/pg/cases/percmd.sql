CREATE TABLE ro_tab (id int PRIMARY KEY, tenant_id bigint NOT NULL, v text);
INSERT INTO ro_tab VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c');

CREATE TABLE log (id int PRIMARY KEY, tenant_id bigint NOT NULL, msg text);
INSERT INTO log VALUES (1, 1, 'one'), (2, 2, 'two');

CREATE TABLE notes (id int PRIMARY KEY, tenant_id bigint NOT NULL, status text NOT NULL, body text);
INSERT INTO notes VALUES
    (1, 1, 'draft', 'x'), (2, 1, 'published', 'x'), (3, 2, 'draft', 'x'), (4, 1, 'draft', 'x');

CREATE TABLE tasks (id int PRIMARY KEY, tenant_id bigint NOT NULL, status text NOT NULL,
                    priority int, title text);
INSERT INTO tasks VALUES
    (1, 1, 'open', 1, 't'), (2, 1, 'done', 2, 't'), (3, 1, 'open', 3, 't'), (4, 2, 'done', 1, 't');

GRANT SELECT, INSERT, UPDATE, DELETE ON ro_tab, log, notes, tasks TO PUBLIC;
