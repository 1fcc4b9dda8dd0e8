CREATE TABLE invoices (id int PRIMARY KEY, tenant_id bigint NOT NULL, status text, note text);
INSERT INTO invoices VALUES
    (1, 1, 'paid', ''), (2, 1, 'draft', ''), (3, 1, NULL, ''),
    (4, 2, 'paid', ''), (5, 2, 'draft', ''), (6, 1, 'paid', '');

CREATE TABLE payments (id int PRIMARY KEY, tenant_id bigint NOT NULL, locked boolean, amount numeric);
INSERT INTO payments VALUES (1, 1, true, 10), (2, 1, false, 10), (3, 1, NULL, 10), (4, 2, false, 10);

GRANT SELECT, INSERT, UPDATE, DELETE ON invoices, payments TO PUBLIC;
