CREATE TABLE collide (id int PRIMARY KEY, v text);
INSERT INTO collide VALUES (1, 'x');
GRANT SELECT ON collide TO PUBLIC;
