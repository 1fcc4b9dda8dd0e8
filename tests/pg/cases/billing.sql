-- The tables Django would create for examples/billing (app label billing).
INSERT INTO django_content_type (id, app_label, model) VALUES (1, 'billing', 'invoice');
INSERT INTO auth_permission (id, name, content_type_id, codename) VALUES
    (1, 'Can view invoice',   1, 'view_invoice'),
    (2, 'Can add invoice',    1, 'add_invoice'),
    (3, 'Can change invoice', 1, 'change_invoice'),
    (4, 'Can delete invoice', 1, 'delete_invoice');
INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,
                       email, is_staff, is_active, date_joined)
SELECT id, '!', false, name, '', '', '', false, true, now()
FROM (VALUES (1, 'clerk'), (2, 'manager'), (3, 'other')) AS u(id, name);
INSERT INTO auth_user_user_permissions (user_id, permission_id) VALUES
    (1, 1),                   -- clerk: view
    (2, 1), (2, 3), (2, 4),   -- manager: view, change, delete
    (3, 1);                   -- other (tenant 2): view

CREATE TABLE billing_customer (id bigserial PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE billing_invoice (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES billing_customer (id) DEFERRABLE INITIALLY DEFERRED,
    status varchar(10) NOT NULL,
    created_by_id integer NOT NULL REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED,
    number varchar(20) NOT NULL
);
CREATE TABLE billing_lineitem (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES billing_customer (id) DEFERRABLE INITIALLY DEFERRED,
    invoice_id bigint NOT NULL REFERENCES billing_invoice (id) DEFERRABLE INITIALLY DEFERRED,
    amount numeric(12, 2) NOT NULL
);
CREATE TABLE billing_audit_log (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL,
    actor_id integer NOT NULL,
    msg text NOT NULL
);
INSERT INTO billing_customer (id, name) VALUES (1, 'Acme'), (2, 'Globex');
INSERT INTO billing_invoice (id, customer_id, status, created_by_id, number) VALUES
    (1, 1, 'draft', 1, 'A-1'),
    (2, 1, 'sent',  1, 'A-2'),
    (3, 1, 'paid',  2, 'A-3'),
    (4, 1, 'draft', 2, 'A-4'),
    (5, 2, 'draft', 3, 'G-1');
INSERT INTO billing_lineitem (id, customer_id, invoice_id, amount) VALUES
    (1, 1, 1, 10), (2, 1, 2, 20), (3, 2, 5, 30);
INSERT INTO billing_audit_log (id, customer_id, actor_id, msg) VALUES
    (1, 1, 1, 'created A-1'), (2, 2, 3, 'created G-1');
GRANT SELECT, INSERT, UPDATE, DELETE ON billing_customer, billing_invoice, billing_lineitem,
    billing_audit_log TO PUBLIC;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO PUBLIC;
