CREATE TABLE vault (id int PRIMARY KEY, tenant_id bigint NOT NULL, secret text);
INSERT INTO vault VALUES (1, 1, 's1'), (2, 1, 's2'), (3, 2, 's3');
GRANT SELECT, INSERT, UPDATE, DELETE ON vault TO PUBLIC;
