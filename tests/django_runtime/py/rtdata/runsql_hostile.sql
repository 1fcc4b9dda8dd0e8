-- tests/django_runtime/runsql.sh: the tables of runsql_hostile.rls, owned by billing_owner.
CREATE TABLE "t'a""b\ -- /* ; %s $$ ü
x\" (
    id int PRIMARY KEY,
    "ten'ant\" text NOT NULL,
    "c""ol -- /* ; */" text,
    "pct%s" text,
    "pct%(x)s" text,
    "dollar$$" text,
    "semi;" text,
    "ü" text,
    "back\" text
);
CREATE TABLE "plain\" (id int PRIMARY KEY, "v\" text);
