-- content types and permissions
INSERT INTO django_content_type (id, app_label, model) VALUES
    (1, 'shop', 'product'), (2, 'other', 'product'), (3, 'shop', 'order');
INSERT INTO auth_permission (id, name, content_type_id, codename) VALUES
    (1, 'Can view product',    1, 'view_product'),
    (2, 'Can add product',     1, 'add_product'),
    (3, 'Can approve product', 1, 'approve_product'),
    (4, 'Can view product',    2, 'view_product'),      -- another app's
    (5, 'Can view order',      3, 'view_order'),
    (6, 'Can change product',  1, 'change_product');

-- users: id, username, is_superuser, is_active
INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,
                       email, is_staff, is_active, date_joined)
SELECT id, '!', su, name, '', '', '', false, active, now()
FROM (VALUES
    (1,  'alice', false, true),   -- view directly
    (2,  'bob',   false, true),   -- view through group viewers
    (3,  'carol', false, true),   -- nothing
    (4,  'dave',  false, false),  -- view directly, inactive
    (5,  'erin',  true,  true),   -- superuser, no explicit permission
    (6,  'frank', false, true),   -- other.view_product only
    (7,  'gina',  false, true),   -- change_product only
    (8,  'hank',  true,  false),  -- inactive superuser
    (9,  'ivan',  false, false),  -- view through group, inactive
    (10, 'judy',  false, true),   -- view, add, approve, view_order directly
    (11, 'kim',   false, true)    -- approve through group approvers
) AS u(id, name, su, active);

INSERT INTO auth_group (id, name) VALUES (1, 'viewers'), (2, 'approvers');
INSERT INTO auth_group_permissions (group_id, permission_id) VALUES (1, 1), (2, 3);
INSERT INTO auth_user_groups (user_id, group_id) VALUES (2, 1), (9, 1), (11, 2);
INSERT INTO auth_user_user_permissions (user_id, permission_id) VALUES
    (1, 1), (4, 1), (6, 4), (7, 6), (10, 1), (10, 2), (10, 3), (10, 5);

-- the models' tables
CREATE TABLE shop_product (id int PRIMARY KEY, tenant_id bigint NOT NULL, name text NOT NULL);
INSERT INTO shop_product VALUES (1, 1, 'p1'), (2, 1, 'p2'), (3, 2, 'p3');
CREATE TABLE shop_order (id int PRIMARY KEY, tenant_id bigint NOT NULL, status text NOT NULL);
INSERT INTO shop_order VALUES (1, 1, 'open'), (2, 1, 'hidden'), (3, 2, 'open');

-- only the models' tables: the auth tables stay private to the owner
GRANT SELECT, INSERT, UPDATE, DELETE ON shop_product, shop_order TO PUBLIC;
