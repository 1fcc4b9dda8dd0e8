INSERT INTO django_content_type (id, app_label, model) VALUES (1, 'appa', 'item'), (2, 'appb', 'lead');
INSERT INTO auth_permission (id, name, content_type_id, codename) VALUES
    (1, 'Can view item', 1, 'view_item'), (2, 'Can view lead', 2, 'view_lead');
INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,
                       email, is_staff, is_active, date_joined)
VALUES (1, '!', false, 'viewer', '', '', '', false, true, now());
INSERT INTO auth_user_user_permissions (user_id, permission_id) VALUES (1, 1), (1, 2);

CREATE TABLE appa_item (id int PRIMARY KEY, tenant_id bigint NOT NULL);
CREATE TABLE appb_lead (id int PRIMARY KEY, tenant_id bigint NOT NULL);
INSERT INTO appa_item VALUES (1, 1), (2, 2);
INSERT INTO appb_lead VALUES (1, 1), (2, 2);
GRANT SELECT ON appa_item, appb_lead TO PUBLIC;
