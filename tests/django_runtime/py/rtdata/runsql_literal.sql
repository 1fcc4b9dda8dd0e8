-- tests/django_runtime/runsql.sh: the table of runsql_literal.rls, owned by billing_owner.
CREATE TABLE lit (id int PRIMARY KEY, c text);
