-- the roles policies.sql names (cluster-wide: created once)
CREATE ROLE app_user NOLOGIN;
CREATE ROLE auditor NOLOGIN;
CREATE ROLE admin_role NOLOGIN;
CREATE ROLE "Mixed Role" NOLOGIN;
CREATE ROLE "role with ""quote""" NOLOGIN;
