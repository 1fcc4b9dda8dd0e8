CREATE TABLE reports (id int PRIMARY KEY, tenant_id bigint NOT NULL, secret boolean);
INSERT INTO reports VALUES (1, 1, false), (2, 1, true), (3, 2, false), (4, 1, NULL);

CREATE TABLE legacy (id int PRIMARY KEY, v text);
INSERT INTO legacy VALUES (1, 'a'), (2, 'b');

CREATE TABLE ledger (id int PRIMARY KEY, tenant_id bigint NOT NULL, amount numeric NOT NULL);
INSERT INTO ledger VALUES (1, 1, 5), (2, 2, 5);

GRANT SELECT, INSERT, UPDATE, DELETE ON reports, legacy, ledger TO PUBLIC;
