/*
 * test_import.c — pgexpr.c: expressions as pg_get_expr prints them,
 * written back in .rls condition syntax (for `rlsc import`), and the ones
 * the .rls grammar has no form for, refused with the reason.  Each output
 * must also parse as a .rls policy condition.  json.c's reader is tested
 * on what libpg_query does not produce too.
 */
#include "unit.h"

#include "json.h"
#include "pgexpr.h"

static const struct {
    const char *pg, *rls;
} printed[] = {
    {"(a = 1)", "a = 1"},
    {"true", "true"},
    {"((tenant_id = 1) AND (owner = CURRENT_USER))", "(tenant_id = 1) AND (owner = current_user)"},
    {"((a > 0) OR (b < 0) OR (c <> 2))", "(a > 0) OR (b < 0) OR (c <> 2)"},
    {"(NOT deleted)", "NOT deleted"},
    {"(owner = SESSION_USER)", "owner = session_user"},
    {"(status = 'draft'::text)", "status = 'draft'::text"},
    {"(note = 'it''s'::text)", "note = 'it''s'::text"},
    {"(p ~~ 'a\\b%'::text)", "p ~~ 'a\\b%'::text"},
    {"(tenant_id = (current_setting('app.tenant'::text))::bigint)",
     "tenant_id = current_setting('app.tenant'::text)::bigint"},
    {"((name)::text ~~* 'x%'::text)", "name::text ~~* 'x%'::text"},
    {"(x = (-1))", "x = (-1)"},
    {"(x = (- 17))", "x = (-17)"},
    {"(x = ANY (ARRAY[-3, 0, 4]))", "x = ANY (ARRAY[(-3), 0, 4])"},
    {"(x > '-1.5'::numeric)", "x > '-1.5'::numeric"},
    {"(x > 1.5)", "x > 1.5"},
    {"(x = 12345678901)", "x = 12345678901"},
    {"(x = 0)", "x = 0"},
    {"(s = ''::text)", "s = ''::text"},
    {"(v IS NULL)", "v IS NULL"},
    {"(v IS NOT NULL)", "v IS NOT NULL"},
    {"(flag IS TRUE)", "flag IS TRUE"},
    {"(flag IS NOT FALSE)", "flag IS NOT FALSE"},
    {"(a IS DISTINCT FROM b)", "a IS DISTINCT FROM b"},
    {"(a IS NOT DISTINCT FROM b)", "a IS NOT DISTINCT FROM b"},
    {"(a = ANY (ARRAY[1, 2, 3]))", "a = ANY (ARRAY[1, 2, 3])"},
    {"(a <> ALL (ARRAY['x'::text, 'y'::text]))", "a <> ALL (ARRAY['x'::text, 'y'::text])"},
    {"(a IN (1, 2))", "a IN (1, 2)"},
    {"((status)::text = ANY ((ARRAY['a'::character varying, NULL::character varying])::text[]))",
     "status::text = ANY ((ARRAY['a'::character varying, NULL::character varying]::character varying[])::text[])"},
    {"(a NOT IN (1, 2))", "a NOT IN (1, 2)"},
    {"(tags @> ARRAY['a'::text])", "tags @> ARRAY['a'::text]"},
    {"(tags && '{a,b}'::text[])", "tags && '{a,b}'::text[]"},
    {"(tags[1] = 'x'::text)", "tags[1] = 'x'::text"},
    {"(tags[1:2] = '{}'::text[])", "tags[1:2] = '{}'::text[]"},
    {"((data ->> 'k'::text) = 'v'::text)", "(data ->> 'k'::text) = 'v'::text"},
    {"(x::character varying(10) = 'a'::bpchar)", "x::character varying(10) = 'a'::bpchar"},
    {"(x::character varying = y::character(3))", "x::character varying = y::character(3)"},
    {"(t > '2020-01-01 00:00:00'::timestamp without time zone)",
     "t > '2020-01-01 00:00:00'::timestamp without time zone"},
    {"(t > (now() - '1 day'::interval))", "t > (now() - '1 day'::interval)"},
    {"(t::timestamp(3) with time zone IS NULL)", "t::timestamp(3) with time zone IS NULL"},
    {"(x::double precision > 0.5::real)", "x::double precision > 0.5::real"},
    {"(x::numeric(10,2) > (0)::numeric)", "x::numeric(10,2) > 0::numeric"},
    {"(c = 'a'::\"char\")", "c = 'a'::\"char\""},
    {"(lower(name) = upper(name))", "lower(name) = upper(name)"},
    {"(public.f(a, 'b'::text) > 0)", "public.f(a, 'b'::text) > 0"},
    {"(count(*) > 0)", "count(*) > 0"},
    {"(COALESCE(a, 0) = NULLIF(b, 1))", "coalesce(a, 0) = nullif(b, 1)"},
    {"(GREATEST(a, b) < LEAST(c, d))", "greatest(a, b) < least(c, d)"},
    {"(CASE WHEN (a > 1) THEN 'x'::text ELSE NULL::text END = 'x'::text)",
     "CASE WHEN (a > 1) THEN 'x'::text ELSE NULL::text END = 'x'::text"},
    {"(CASE a WHEN 1 THEN true ELSE false END)", "CASE a WHEN 1 THEN true ELSE false END"},
    {"(EXISTS ( SELECT 1 FROM members m WHERE ((m.team_id = t.team_id) AND (m.login = CURRENT_USER))))",
     "EXISTS (SELECT 1 FROM members m WHERE ((m.team_id = t.team_id) AND (m.login = current_user)))"},
    {"(NOT (EXISTS ( SELECT 1 FROM \"Other\".\"T\" WHERE true)))",
     "NOT EXISTS (SELECT 1 FROM \"Other\".\"T\" WHERE true)"},
    {"(team_id IN ( SELECT members.team_id FROM members))",
     "team_id IN (SELECT members.team_id FROM members)"},
    {"(NOT (team_id IN ( SELECT members.team_id FROM other.members)))",
     "NOT (team_id IN (SELECT members.team_id FROM other.members))"},
    {"(a = ( SELECT max(b.x) AS max FROM b))", "a = (SELECT max(b.x) FROM b)"},
    {"(EXISTS ( SELECT 1 AS \"?column?\" FROM b))", "EXISTS (SELECT 1 FROM b)"},
    {"(a = ( SELECT (b.x)::integer AS x FROM b))", "a = (SELECT b.x::integer FROM b)"},
    {"(a = ( SELECT 'k'::text AS text))", "a = (SELECT 'k'::text)"},
    {"( SELECT CASE WHEN b.x THEN true ELSE f(b.y) END AS f FROM b)",
     "(SELECT CASE WHEN b.x THEN true ELSE f(b.y) END FROM b)"},
    {"( SELECT CASE WHEN b.x THEN true ELSE NULL::boolean END AS \"case\" FROM b)",
     "(SELECT CASE WHEN b.x THEN true ELSE NULL::boolean END FROM b)"},
    {"( SELECT (b.x)::boolean AS x FROM b)", "(SELECT b.x::boolean FROM b)"},
    {"( SELECT (1)::boolean AS bool)", "(SELECT 1::boolean)"},
    {"(( SELECT true) AND flag)", "(SELECT true) AND flag"},
    {"(( SELECT 1) = a)", "(SELECT 1) = a"},
    {"(( SELECT ( SELECT max(x.a) AS max FROM t x) AS max) = 1)",
     "(SELECT (SELECT max(x.a) FROM t x)) = 1"},
    {"(a = ( SELECT COALESCE(b.x, 0) AS \"coalesce\" FROM b))",
     "a = (SELECT coalesce(b.x, 0) FROM b)"},
    {"(a = ANY (ARRAY( SELECT b.x FROM b)))", "a = ANY (ARRAY(SELECT b.x FROM b))"},
    {"(a > ALL ( SELECT b.x FROM b))", "a > ALL (SELECT b.x FROM b)"},
    {"(\"Owner\" = \"current_user\"())", "\"Owner\" = \"current_user\"()"},
    {"(\"select\" = \"a\"\"b\")", "\"select\" = \"a\"\"b\""},
    {"(tenant = policy)", "tenant = policy"},
    {"(((a + b) * c) / (d - (-e)))", "((a + b) * c) / (d - (-e))"},
    {"((a || b) = 'ab'::text)", "(a || b) = 'ab'::text"},
    {"(a BETWEEN 1 AND 2)", "a BETWEEN 1 AND 2"},
    {"(name LIKE 'a%')", "name LIKE 'a%'"},
    {"((s)::text ~ similar_to_escape('a%'::text))", "s::text SIMILAR TO 'a%'::text"},
    {"(s !~ similar_to_escape('a#%'::text, '#'::text))", "s NOT SIMILAR TO 'a#%'::text ESCAPE '#'::text"},
    {"(s ~ public.similar_to_escape('a'::text))", "s ~ public.similar_to_escape('a'::text)"},
    {"(name NOT ILIKE 'a%')", "name NOT ILIKE 'a%'"},
    {"(d = CURRENT_DATE)", "d = current_date"},
};

static const struct {
    const char *pg, *why;
} refused[] = {
    {"(a OPERATOR(pg_catalog.+) 1 = 2)", "OPERATOR(pg_catalog.+)"},
    {"((name)::text = 'x'::text COLLATE \"C\")", "COLLATE"},
    {"(ROW(a, b) = ROW(1, 2))", "a row value ROW(...)"},
    {"((a, b) IN ( SELECT x.a, x.b FROM x))", "a row value compared with a subquery"},
    {"(EXTRACT(year FROM t) = (2020)::numeric)", "a function call in SQL's keyword syntax"},
    {"(count(DISTINCT a) > 1)", "an aggregate or window call"},
    {"(a = ( SELECT b.x FROM b JOIN c ON (b.id = c.id)))", "a subquery with a join"},
    {"(a = ( SELECT b.x FROM b, c))", "a subquery over more than one table"},
    {"(a = ( SELECT b.x FROM b ORDER BY b.x LIMIT 1))", "a subquery with DISTINCT"},
    {"(a = ( SELECT max(b.x) AS m FROM b))", "a subquery target named m (`AS m`)"},
    {"(a = ( SELECT 1 AS one))", "a subquery target named one"},
    {"(a = ( SELECT max(b.x) FROM b))", "named ?column? (`AS ?column?`), which PostgreSQL would name max"},
    {"(( SELECT 'x'::text) = s)", "a subquery target named ?column? (`AS ?column?`), "
                                  "which PostgreSQL would name text"},
    {"( SELECT CASE WHEN b.x THEN true ELSE NULL::boolean END AS f FROM b)",
     "a subquery target named f"},
    {"(a IN ( SELECT b.x, b.y FROM b))", "a subquery that selects other than one expression"},
    {"(a = ( SELECT b.x FROM ONLY b))", "FROM ONLY"},
    {"(flag IS UNKNOWN)", "IS [NOT] UNKNOWN"},
    {"(s = ANY ((ARRAY[v, 'a'::character varying])::text[]))", "a cast of a whole ARRAY[...]"},
    {"(s = ANY ((ARRAY['a'::character(2)])::text[]))", "a cast of a whole ARRAY[...]"},
    {"(x::other.mytype IS NULL)", "the schema-qualified type other.mytype"},
    {"(a ## b)", "the operator ##"},
    {"(~ a = 1)", "the prefix operator ~"},
    {"(x = B'101')", "a bit-string constant"},
    {"((x).f = 1)", "a field selection"},
    {"(d = CURRENT_TIMESTAMP(3))", "the SQL value function CURRENT_TIMESTAMP_N"},
    {"(a = 1); DROP TABLE t", "more than one expression"},
    {"(a = ", "PostgreSQL's parser: syntax error at end of input"},
};

static void test_expressions_print_as_rls(void)
{
    for (size_t i = 0; i < sizeof printed / sizeof printed[0]; i++) {
        if (!printed[i].rls)
            continue;
        StrBuf sb;
        sb_init(&sb, u_arena());
        const char *why = NULL;
        bool ok = pgexpr_to_rls(u_arena(), printed[i].pg, &sb, &why);
        if (!ok || strcmp(sb_str(&sb), printed[i].rls) != 0)
            fprintf(stderr, "\n  %s\n  got:  %s (%s)\n  want: %s\n", printed[i].pg,
                    sb_str(&sb), why ? why : "", printed[i].rls);
        CU_ASSERT_TRUE(ok);
        CU_ASSERT_STRING_EQUAL(sb_str(&sb), printed[i].rls);
    }
}

/* What the printer writes is a condition the .rls grammar reads. */
static void test_printed_conditions_parse(void)
{
    for (size_t i = 0; i < sizeof printed / sizeof printed[0]; i++) {
        if (!printed[i].rls)
            continue;
        const char *src = arena_printf(u_arena(), "policy p on t using (%s);\n", printed[i].rls);
        u_parse(src);
        if (u_errors())
            fprintf(stderr, "\n  does not parse: %s\n%s", printed[i].rls, u_messages());
        CU_ASSERT_EQUAL(u_errors(), 0);
    }
}

static void test_unsupported_expressions_are_refused(void)
{
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        StrBuf sb;
        sb_init(&sb, u_arena());
        sb_puts(&sb, "before");
        const char *why = NULL;
        bool ok = pgexpr_to_rls(u_arena(), refused[i].pg, &sb, &why);
        if (ok || !why || !strstr(why, refused[i].why))
            fprintf(stderr, "\n  %s\n  got: %s (%s)\n  want: %s\n", refused[i].pg, sb_str(&sb),
                    why ? why : "", refused[i].why);
        CU_ASSERT_FALSE(ok);
        CU_ASSERT_PTR_NOT_NULL_FATAL(why);
        CU_ASSERT_PTR_NOT_NULL(strstr(why, refused[i].why));
        CU_ASSERT_STRING_EQUAL(sb_str(&sb), "before"); /* nothing half-written */
    }
}

static void test_names_are_quoted_for_rls(void)
{
    static const char *const names[][2] = {
        {"a", "a"}, {"_x1", "_x1"}, {"A", "\"A\""}, {"a b", "\"a b\""},
        {"a\"b", "\"a\"\"b\""}, {"select", "\"select\""}, {"check", "\"check\""},
        {"tenant", "tenant"}, {"policy", "policy"}, {"1a", "\"1a\""}, {"é", "\"é\""},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        StrBuf sb;
        sb_init(&sb, u_arena());
        pgexpr_ident(&sb, names[i][0]);
        CU_ASSERT_STRING_EQUAL(sb_str(&sb), names[i][1]);
    }
}

static void test_json_reader(void)
{
    const char *err = NULL;
    Json *v = json_parse(u_arena(), " {\"a\": [1, -2.5e3, true, false, null],"
                                    " \"s\": \"x\\\"\\\\\\n\\u00e9\\ud83d\\ude00\", \"o\": {}} ",
                         &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    const Json *a = json_get(v, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->kind, JSON_ARRAY);
    CU_ASSERT_EQUAL(a->n, 5);
    CU_ASSERT_STRING_EQUAL(a->items[1]->str, "-2.5e3");
    CU_ASSERT_TRUE(a->items[2]->b);
    CU_ASSERT_EQUAL(a->items[3]->kind, JSON_BOOL);
    CU_ASSERT_EQUAL(a->items[4]->kind, JSON_NULL);
    CU_ASSERT_STRING_EQUAL(json_get_str(v, "s"), "x\"\\\n\xc3\xa9\xf0\x9f\x98\x80");
    CU_ASSERT_EQUAL(json_get(v, "o")->n, 0);
    CU_ASSERT_PTR_NULL(json_get(v, "missing"));
    static const char *const bad[] = {
        "", "{", "[1,]", "{\"a\" 1}", "\"abc", "[1] x", "tru", "\"\\u12\"", "\"\\x\"", "{1: 2}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err = NULL;
        CU_ASSERT_PTR_NULL(json_parse(u_arena(), bad[i], &err));
        CU_ASSERT_PTR_NOT_NULL(err);
    }
    /* deep nesting is refused, not a stack overflow */
    char *deep = arena_alloc(u_arena(), 5001);
    memset(deep, '[', 5000);
    CU_ASSERT_PTR_NULL(json_parse(u_arena(), deep, &err));
}

/* The shapes of rlsc's own policies, as pg_get_expr prints them, and
 * look-alikes that are not those shapes. */
static PgExpr u_pgexpr(const char *text)
{
    PgExpr e = {0};
    const char *why = NULL;
    CU_ASSERT_TRUE(pgexpr_parse(u_arena(), text, &e, &why));
    return e;
}

#define U_CTX(setting, type)                                                                   \
    "( SELECT (NULLIF(current_setting('" setting "'::text, true), ''::text))::" type          \
    " AS \"nullif\")"

static void test_context_reads_are_recognised(void)
{
    const char *setting = NULL, *type = NULL;
    CU_ASSERT_TRUE(pgexpr_context_read(u_arena(), u_pgexpr(U_CTX("app.tenant_id", "bigint")),
                                       &setting, &type));
    CU_ASSERT_STRING_EQUAL(setting, "app.tenant_id");
    CU_ASSERT_STRING_EQUAL(type, "bigint");
    CU_ASSERT_TRUE(pgexpr_context_read(u_arena(), u_pgexpr(U_CTX("a.org", "uuid")), &setting,
                                       &type));
    CU_ASSERT_STRING_EQUAL(type, "uuid");
    /* an error when unset, not rlsc's fail-closed read: not a context */
    static const char *const not_reads[] = {
        "(current_setting('app.tenant'::text))::bigint",
        "(NULLIF(current_setting('app.tenant'::text, true), ''::text))::bigint",
        "( SELECT (NULLIF(current_setting('a.b'::text, false), ''::text))::bigint AS \"nullif\")",
        "( SELECT (NULLIF(current_setting('a.b'::text, true), 'x'::text))::bigint AS \"nullif\")",
        "( SELECT (NULLIF(current_setting('a.b'::text, true), ''::text))::bigint AS \"nullif\" "
        "FROM t)",
        "( SELECT (NULLIF(my_setting('a.b'::text, true), ''::text))::bigint AS \"nullif\")",
    };
    for (size_t i = 0; i < sizeof not_reads / sizeof not_reads[0]; i++)
        CU_ASSERT_FALSE(pgexpr_context_read(u_arena(), u_pgexpr(not_reads[i]), &setting, &type));
    /* printed as $name where the map says, else as before */
    Map *m = map_new(u_arena());
    map_put(m, pgexpr_context_key(u_arena(), "app.tenant_id", "bigint"), (void *)"tenant");
    StrBuf sb;
    sb_init(&sb, u_arena());
    const char *why = NULL;
    CU_ASSERT_TRUE(pgexpr_print(u_arena(),
                                u_pgexpr("((tenant_id = " U_CTX("app.tenant_id", "bigint")
                                         ") AND (x = " U_CTX("app.tenant_id", "integer") "))"),
                                m, &sb, &why));
    CU_ASSERT_STRING_EQUAL(sb_str(&sb), "(tenant_id = $tenant) AND (x = (SELECT (nullif("
                                        "current_setting('app.tenant_id'::text, true), "
                                        "''::text))::integer))");
    PtrVec found = {0};
    pgexpr_context_reads(u_arena(), u_pgexpr("((a = " U_CTX("s.a", "text") ") OR (b = "
                                             U_CTX("s.b", "bigint") "))"),
                         &found);
    CU_ASSERT_EQUAL_FATAL(found.n, 4);
    CU_ASSERT_STRING_EQUAL(found.items[0], "s.a");
    CU_ASSERT_STRING_EQUAL(found.items[3], "bigint");
}

static void test_bypass_and_deny_shapes(void)
{
    PgExpr *args, rest, arg;
    PtrVec roles = {0};
    PgExpr e = u_pgexpr("(( SELECT (pg_has_role('a'::name, 'USAGE'::text) OR "
                        "pg_has_role('b c'::name, 'USAGE'::text))) OR ((locked) IS NOT TRUE))");
    CU_ASSERT_EQUAL_FATAL(pgexpr_or_args(u_arena(), e, &args), 2);
    CU_ASSERT_TRUE(pgexpr_bypass_read(u_arena(), args[0], &roles));
    CU_ASSERT_EQUAL_FATAL(roles.n, 2);
    CU_ASSERT_STRING_EQUAL(roles.items[1], "b c");
    CU_ASSERT_TRUE(pgexpr_not_true(args[1], &arg));
    StrBuf sb;
    sb_init(&sb, u_arena());
    const char *why;
    CU_ASSERT_TRUE(pgexpr_print(u_arena(), arg, NULL, &sb, &why));
    CU_ASSERT_STRING_EQUAL(sb_str(&sb), "locked");
    roles.n = 0;
    CU_ASSERT_FALSE(pgexpr_bypass_read(u_arena(),
                                       u_pgexpr("( SELECT pg_has_role('a'::name, 'MEMBER'::text))"),
                                       &roles));
    CU_ASSERT_FALSE(pgexpr_not_true(u_pgexpr("((locked) IS NOT FALSE)"), &arg));
    CU_ASSERT_EQUAL(pgexpr_or_args(u_arena(), u_pgexpr("(a AND b)"), &args), 1);
    const char *col = NULL;
    CU_ASSERT_TRUE(pgexpr_column_eq(u_pgexpr("(customer_id = 1)"), &col, &rest));
    CU_ASSERT_STRING_EQUAL(col, "customer_id");
    CU_ASSERT_FALSE(pgexpr_column_eq(u_pgexpr("(t.customer_id = 1)"), &col, &rest));
    CU_ASSERT_FALSE(pgexpr_column_eq(u_pgexpr("(customer_id <> 1)"), &col, &rest));
    CU_ASSERT_TRUE(pgexpr_is_true(u_pgexpr("true")));
    CU_ASSERT_FALSE(pgexpr_is_true(u_pgexpr("false")));
    CU_ASSERT_FALSE(pgexpr_is_true(u_pgexpr("(true AND true)")));
}

static void test_grant_shape(void)
{
    static const char perm[] =
        "( SELECT CASE WHEN (current_setting('rlsc.perms_user'::text, true) IS DISTINCT FROM "
        "current_setting('app.user_id'::text, true)) THEN rlsc.has_perm('app.user_id'::text, "
        "'shop'::text, 'view_order'::text) WHEN ('+shop.view_order'::text = ANY ((NULLIF("
        "current_setting('rlsc.perms'::text, true), ''::text))::text[])) THEN true WHEN "
        "('-shop.view_order'::text = ANY ((NULLIF(current_setting('rlsc.perms'::text, true), "
        "''::text))::text[])) THEN false ELSE rlsc.has_perm('app.user_id'::text, 'shop'::text, "
        "'view_order'::text) END AS has_perm)";
    const char *setting = NULL, *app = NULL, *codename = NULL;
    PgExpr *args;
    PgExpr e = u_pgexpr(arena_printf(u_arena(), "(%s AND (status <> 'hidden'::text))", perm));
    CU_ASSERT_EQUAL_FATAL(pgexpr_and_args(u_arena(), e, &args), 2);
    CU_ASSERT_TRUE(pgexpr_perm_check(args[0], &setting, &app, &codename));
    CU_ASSERT_STRING_EQUAL(setting, "app.user_id");
    CU_ASSERT_STRING_EQUAL(app, "shop");
    CU_ASSERT_STRING_EQUAL(codename, "view_order");
    CU_ASSERT_TRUE(pgexpr_perm_check(u_pgexpr(perm), &setting, &app, &codename));
    CU_ASSERT_EQUAL(pgexpr_and_args(u_arena(), u_pgexpr("(a OR b)"), &args), 1);
    CU_ASSERT_EQUAL(pgexpr_and_args(u_arena(), u_pgexpr("(a AND b AND c)"), &args), 3);
    /* another schema's has_perm is not rlsc's */
    CU_ASSERT_FALSE(pgexpr_perm_check(
        u_pgexpr("( SELECT CASE WHEN (current_setting('rlsc.perms_user'::text, true) IS DISTINCT "
                 "FROM current_setting('u'::text, true)) THEN true WHEN a THEN true WHEN b THEN "
                 "false ELSE public.has_perm('u'::text, 'a'::text, 'b'::text) END)"),
        &setting, &app, &codename));
}

static void test_tenant_path_shape(void)
{
    PtrVec cols = {0};
    PgExpr rhs;
    const char *setting, *type;
    PgExpr e = u_pgexpr("(task_id = ANY (ARRAY( SELECT t1.id FROM tasks_task t1 WHERE "
                        "(t1.project_id = ANY (ARRAY( SELECT t2.id FROM projects_project t2 "
                        "WHERE (t2.organization_id = " U_CTX("app.org", "uuid") ")))))))");
    CU_ASSERT_TRUE_FATAL(pgexpr_tenant_path(u_arena(), e, &cols, &rhs));
    CU_ASSERT_EQUAL_FATAL(cols.n, 3);
    CU_ASSERT_STRING_EQUAL(cols.items[0], "task_id");
    CU_ASSERT_STRING_EQUAL(cols.items[1], "project_id");
    CU_ASSERT_STRING_EQUAL(cols.items[2], "organization_id");
    CU_ASSERT_TRUE(pgexpr_context_read(u_arena(), rhs, &setting, &type));
    CU_ASSERT_STRING_EQUAL(setting, "app.org");
    /* a step whose column is not of the subquery's own alias is no path */
    CU_ASSERT_FALSE(pgexpr_tenant_path(
        u_arena(),
        u_pgexpr("(task_id = ANY (ARRAY( SELECT t1.id FROM tasks_task t1 WHERE "
                 "(x.project_id = 1))))"),
        &cols, &rhs));
    CU_ASSERT_FALSE(pgexpr_tenant_path(u_arena(), u_pgexpr("(task_id = 1)"), &cols, &rhs));
}

static CU_TestInfo import_tests[] = {
    {"context reads are recognised", test_context_reads_are_recognised},
    {"bypass and deny shapes", test_bypass_and_deny_shapes},
    {"grant shape", test_grant_shape},
    {"tenant path shape", test_tenant_path_shape},
    {"expressions print as .rls", test_expressions_print_as_rls},
    {"printed conditions parse", test_printed_conditions_parse},
    {"unsupported expressions are refused", test_unsupported_expressions_are_refused},
    {"names are quoted for .rls", test_names_are_quoted_for_rls},
    {"JSON reader", test_json_reader},
    CU_TEST_INFO_NULL,
};

void add_import_suite(void) { unit_add_suite("import", import_tests); }
