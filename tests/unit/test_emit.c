/*
 * test_emit.c — SQL text (lang/sqlfmt.c), the emitted scripts
 * (codegen/emit_sql.c) and what migration formats share (codegen/migrate.c).
 */
#include "unit.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *ident(const char *name)
{
    StrBuf sb;
    sb_init(&sb, u_arena());
    sqlfmt_ident(&sb, name);
    return sb_str(&sb);
}

static const char *literal(const char *value)
{
    StrBuf sb;
    sb_init(&sb, u_arena());
    sqlfmt_literal(&sb, value);
    return sb_str(&sb);
}

/* ---- identifiers and literals */

static void test_identifiers_are_always_quoted(void)
{
    ASSERT_STR(ident("a\"b"), "\"a\"\"b\"");
    ASSERT_STR(ident("Order Items"), "\"Order Items\"");
    ASSERT_STR(ident("café"), "\"café\"");
    ASSERT_STR(ident("select"), "\"select\"");
    StrBuf sb;
    sb_init(&sb, u_arena());
    sqlfmt_qname(&sb, "audit", "Log");
    sb_putc(&sb, ' ');
    sqlfmt_qname(&sb, NULL, "t");
    ASSERT_STR(sb_str(&sb), "\"audit\".\"Log\" \"t\"");
}

static void test_literals_double_quotes_and_escape_backslashes(void)
{
    ASSERT_STR(literal("it's"), "'it''s'");
    ASSERT_STR(literal(""), "''");
    /* a backslash would mean something else with standard_conforming_strings
     * off, so the literal switches to E'' and doubles it */
    ASSERT_STR(literal("a\\b"), "E'a\\\\b'");
    ASSERT_STR(literal("it's \\"), "E'it''s \\\\'");
}

/* ---- conditions */

static void test_equal_trees_print_equal_text(void)
{
    const char *canon = u_cond("a = 1 and b <> 2");
    ASSERT_STR(canon, "((\"a\" = 1) AND (\"b\" <> 2))");
    ASSERT_STR(u_cond("((a)=(1)) AND ((b != 2))"), canon);
    ASSERT_STR(u_cond("A = 1\n  /* x */ AnD b<>2 -- y\n"), canon);
    ASSERT_STR(u_cond("x::bigint = 1"), u_cond("cast(x as BIGINT) = 1"));
}

static void test_function_names_are_quoted_only_when_reserved(void)
{
    ASSERT_STR(u_cond("coalesce(a, 0) = \"left\"(b, 2)"),
               "(coalesce(\"a\", 0) = \"left\"(\"b\", 2))");
    ASSERT_STR(u_cond("pg_catalog.lower(\"Name\") = 'x'"),
               "(pg_catalog.lower(\"Name\") = 'x')");
    ASSERT_STR(u_cond("\"MyFunc\"(1)"), "\"MyFunc\"(1)");
}

static const char *ctx_sql(void *env, const char *name)
{
    return strcmp(name, "user") == 0 ? (const char *)env : NULL;
}

/* SqlfmtCtx.membership_eq as lowering answers it for an IN whose left
 * side cannot raise: the node itself */
static const Expr *mark_in(void *env, const Expr *e)
{
    (void)env;
    return e->kind == E_IN_SUBQ ? e : NULL;
}

static void test_context_reads_and_membership_follow_the_printer_context(void)
{
    AstFile *f = u_parse("policy p on t using (o = $user and id in (select id from s) "
                         "and $other is null);");
    CU_ASSERT_FATAL(f->policies.n == 1);
    const Expr *e = ((Rule *)f->policies.items[0])->using_;
    SqlfmtCtx ctx = {.context_sql = ctx_sql, .env = (void *)(uintptr_t)"current_setting('x.user')",
                     .rewrite_membership = true};
    StrBuf sb;
    sb_init(&sb, u_arena());
    sqlfmt_expr(&sb, e, &ctx);
    /* unknown contexts print as written; IN stays IN while the subquery's
     * type is unknown */
    ASSERT_STR(sb_str(&sb),
               "(((\"o\" = current_setting('x.user')) AND "
               "(\"id\" IN (SELECT \"id\" FROM \"s\"))) AND ($other IS NULL))");
    /* once the type checker knows the subquery yields a scalar, the
     * membership becomes an array probe where lowering marked it */
    e->a->b->sub->target->ty = &type_int8;
    sb_init(&sb, u_arena());
    sqlfmt_expr(&sb, e->a->b, &ctx);
    ASSERT_STR(sb_str(&sb), "(\"id\" IN (SELECT \"id\" FROM \"s\"))");
    ctx.membership_eq = mark_in;
    sb_init(&sb, u_arena());
    sqlfmt_expr(&sb, e->a->b, &ctx);
    ASSERT_STR(sb_str(&sb), "(\"id\" = ANY (ARRAY(SELECT \"id\" FROM \"s\")))");
    ctx.rewrite_membership = false;
    sb_init(&sb, u_arena());
    sqlfmt_expr(&sb, e->a->b, &ctx);
    ASSERT_STR(sb_str(&sb), "(\"id\" IN (SELECT \"id\" FROM \"s\"))");
}

/* ---- the up and down scripts */

#define SRC                                                      \
    "app billing;\n"                                             \
    "context tenant bigint = 'app.tenant_id';\n"                 \
    "role clerk;\n"                                              \
    "model Invoice { tenant customer_id; allow select; }\n"      \
    "table audit.\"Log\" { no force; allow all to clerk; }\n"

static void test_up_enables_and_forces_rls(void)
{
    const char *up = u_sql(SRC, false, true);
    CU_ASSERT_FATAL(up != NULL);
    ASSERT_HAS(up, "ALTER TABLE \"billing_invoice\" ENABLE ROW LEVEL SECURITY;\n");
    ASSERT_HAS(up, "ALTER TABLE \"billing_invoice\" FORCE ROW LEVEL SECURITY;\n");
    /* `no force;` keeps ENABLE and drops FORCE */
    ASSERT_HAS(up, "ALTER TABLE \"audit\".\"Log\" ENABLE ROW LEVEL SECURITY;\n");
    ASSERT_LACKS(up, "ALTER TABLE \"audit\".\"Log\" FORCE");
    ASSERT_INT(u_count(up, "FORCE ROW LEVEL SECURITY"), 1);
}

static void test_up_creates_each_policy(void)
{
    const char *up = u_sql(SRC, false, true);
    CU_ASSERT_FATAL(up != NULL);
    ASSERT_HAS(up, "CREATE POLICY \"allow_select\" ON \"billing_invoice\"\n"
                   "    AS PERMISSIVE FOR SELECT\n"
                   "    TO PUBLIC\n"
                   "    USING (true);\n");
    ASSERT_HAS(up, "CREATE POLICY \"tenant\" ON \"billing_invoice\"\n"
                   "    AS RESTRICTIVE FOR ALL\n"
                   "    TO PUBLIC\n"
                   "    USING ((\"customer_id\" = (SELECT CAST(NULLIF("
                   "pg_catalog.current_setting('app.tenant_id', true), '') AS bigint))));\n");
    ASSERT_HAS(up, "CREATE POLICY \"allow_all_to_clerk\" ON \"audit\".\"Log\"\n"
                   "    AS PERMISSIVE FOR ALL\n"
                   "    TO \"clerk\"\n");
    ASSERT_INT(u_count(up, "CREATE POLICY"), 3);
}

static void test_up_creates_missing_roles_nologin(void)
{
    const char *up = u_sql(SRC, false, true);
    CU_ASSERT_FATAL(up != NULL);
    ASSERT_HAS(up, "DO $rlsc$\nBEGIN\n"
                   "    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'clerk') THEN\n"
                   "        CREATE ROLE \"clerk\" NOLOGIN;\n");
    /* roles come before the policies that name them */
    CU_ASSERT(strstr(up, "CREATE ROLE") < strstr(up, "CREATE POLICY"));
}

static void test_down_drops_policies_in_reverse_order(void)
{
    const char *down = u_sql(SRC, true, true);
    CU_ASSERT_FATAL(down != NULL);
    ASSERT_LACKS(down, "CREATE POLICY");
    const char *tenant = strstr(down, "DROP POLICY IF EXISTS \"tenant\" ON \"billing_invoice\";");
    const char *allow = strstr(down, "DROP POLICY IF EXISTS \"allow_select\" ON \"billing_invoice\";");
    CU_ASSERT_FATAL(tenant && allow);
    CU_ASSERT(tenant < allow); /* "tenant" sorts after "allow_select" */
    ASSERT_HAS(down, "DROP POLICY IF EXISTS \"allow_all_to_clerk\" ON \"audit\".\"Log\";");
    /* RLS goes back to how it was before up */
    ASSERT_HAS(down, "ALTER TABLE \"billing_invoice\" DISABLE ROW LEVEL SECURITY;");
    ASSERT_HAS(down, "polrelid = '\"audit\".\"Log\"'::pg_catalog.regclass");
    ASSERT_HAS(down, "DROP ROLE \"clerk\";");
}

static void test_dollar_quote_tag_avoids_names(void)
{
    const char *up = u_sql("role \"x$rlsc$y\"; table \"a$rlsc$b\" { allow all; }", false, true);
    CU_ASSERT_FATAL(up != NULL);
    ASSERT_HAS(up, "DO $rlsc1$\nBEGIN\n"
                   "    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'x$rlsc$y')");
    ASSERT_HAS(up, "CREATE ROLE \"x$rlsc$y\" NOLOGIN;");
    ASSERT_HAS(up, "DO $rlsc1$\nDECLARE\n"); /* the table's block */
    ASSERT_INT(u_count(up, "\n$rlsc1$;\n"), 2);
    ASSERT_LACKS(up, "DO $rlsc$");
    /* a name without the tag keeps the plain one */
    ASSERT_HAS(u_sql("role r; table t { allow all; }", false, true), "DO $rlsc$\n");
}

/* `rlsc sql` streams its script table by table (sb_init_sink): the text
 * is the one emit_sql makes in memory, up and down, for an input large
 * enough to be written in many pieces, with a DO tag to avoid in some of
 * them; the buffer never holds much more than one flush. */
static void test_streamed_script_is_the_one_made_in_memory(void)
{
    Arena *a = u_arena();
    StrBuf src;
    sb_init(&src, a);
    sb_puts(&src, "app shop;\ncontext tenant bigint = 'app.tenant_id';\n"
                  "role clerk; role ops bypass;\n");
    enum { N = 600 };
    for (int i = 0; i < N; i++)
        sb_printf(&src, "model M%d { tenant shop_id; allow select, update to clerk using (owner = %d); "
                        "deny delete using (locked); policy \"%s%d\" for insert with check (true); }\n",
                  i, i, i % 10 == 0 ? "p$rlsc$" : "p", i);
    Ir *ir = u_compile(sb_str(&src));
    CU_ASSERT_FATAL(ir != NULL);
    for (int down = 0; down < 2; down++) {
        StrBuf mem;
        sb_init(&mem, a);
        emit_sql(&mem, ir, down, true);
        FILE *f = tmpfile();
        CU_ASSERT_FATAL(f != NULL);
        StrBuf out;
        sb_init_sink(&out, a, f);
        emit_sql(&out, ir, down, true);
        sb_flush(&out, true);
        ASSERT_INT(out.err, 0);
        ASSERT_INT(out.flushed, mem.len);
        CU_ASSERT(mem.len > 16 * 64 * 1024);
        CU_ASSERT(out.cap <= 128 * 1024);
        CU_ASSERT(u_file_is(f, &mem));
        ASSERT_INT(u_count(sb_str(&mem), down ? "DROP POLICY IF EXISTS" : "CREATE POLICY"), N * 6);
        ASSERT_INT(u_count(sb_str(&mem), "\n$rlsc1$;\n"), N / 10);
    }
}

static void test_transaction_wrapping_is_optional(void)
{
    const char *with = u_sql(SRC, false, true);
    CU_ASSERT_FATAL(with != NULL);
    ASSERT_HAS(with, "-- Generated by rlsc (up). Do not edit.\nBEGIN;\n");
    ASSERT_INT(strcmp(with + strlen(with) - 8, "COMMIT;\n"), 0);
    const char *without = u_sql(SRC, false, false);
    const char *down = u_sql(SRC, true, false);
    CU_ASSERT_FATAL(without && down);
    ASSERT_LACKS(without, "BEGIN;");
    ASSERT_LACKS(without, "COMMIT;");
    ASSERT_LACKS(down, "COMMIT;");
}

static void test_stdlib_is_included_only_for_grants(void)
{
    const char *plain = u_sql(SRC, false, false);
    const char *granted = u_sql("app billing; context user bigint = 'app.user_id';\n"
                                "model Invoice { grant view; }\n",
                                false, false);
    CU_ASSERT_FATAL(plain && granted);
    const char *helper = "CREATE OR REPLACE FUNCTION rlsc.has_perm(p_setting text";
    ASSERT_LACKS(plain, helper);
    ASSERT_HAS(granted, helper);
    CU_ASSERT(strstr(granted, helper) < strstr(granted, "CREATE POLICY"));
    /* every placeholder of rlsc_up.sql is filled in */
    ASSERT_LACKS(granted, "@");
    ASSERT_HAS(granted, "FROM \"public\".\"auth_user\" u");
}

/* Does sql hold `needle` at the start of a line that is SQL code, outside
 * quoted identifiers, string literals and comments? */
static bool code_line_starts_with(const char *sql, const char *needle)
{
    char quote = 0;
    bool comment = false, line_start = true;
    for (const char *p = sql; *p; p++) {
        if (line_start && !quote && !comment && strncmp(p, needle, strlen(needle)) == 0)
            return true;
        line_start = *p == '\n';
        if (comment) {
            comment = *p != '\n';
        } else if (quote) {
            if (*p == quote && p[1] == quote)
                p++; /* a doubled quote stays inside */
            else if (*p == quote)
                quote = '\0';
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (p[0] == '-' && p[1] == '-') {
            comment = true;
        }
    }
    return false;
}

static void test_names_cannot_break_out_of_comments(void)
{
    /* a quoted name may hold a line break; written into a `--` comment,
     * the rest of the name must not become SQL */
    const char *src = "table \"t\nDROP TABLE users; --\" { allow all; }";
    const char *up = u_sql(src, false, true);
    const char *down = u_sql(src, true, true);
    CU_ASSERT_FATAL(up && down);
    ASSERT_HAS(up, "ON \"t\nDROP TABLE users; --\""); /* the name, quoted */
    CU_ASSERT(!code_line_starts_with(up, "DROP TABLE users"));
    CU_ASSERT(!code_line_starts_with(down, "DROP TABLE users"));
    /* the checker itself sees the bad line where it is code */
    CU_ASSERT(code_line_starts_with("-- x\nDROP TABLE users;", "DROP TABLE users"));
}

/* ---- statements for Django's RunSQL */

static const char *const *split(const char *sql, int *n)
{
    PtrVec v = {0};
    emit_statements(u_arena(), sql, &v);
    *n = v.n;
    /* the pieces put together are the script, byte for byte */
    StrBuf sb;
    sb_init(&sb, u_arena());
    for (int i = 0; i < v.n; i++)
        sb_puts(&sb, v.items[i]);
    ASSERT_STR(sb_str(&sb), sql);
    return (const char *const *)v.items;
}

static void test_statements_split_at_top_level_semicolons(void)
{
    int n;
    const char *const *s = split("-- head\nA;\n\n-- c ; x\nB 'x;y' \"q;\"\"\" E'\\';' ;  \nC;\n-- tail\n", &n);
    ASSERT_INT(n, 3);
    ASSERT_STR(s[0], "-- head\nA;\n");
    ASSERT_STR(s[1], "\n-- c ; x\nB 'x;y' \"q;\"\"\" E'\\';' ;  \n");
    ASSERT_STR(s[2], "C;\n-- tail\n"); /* a comment-only query is an error */
}

static void test_statements_keep_dollar_quotes_and_comments_whole(void)
{
    int n;
    const char *const *s =
        split("DO $x$ BEGIN a; $y$ b; END $x$;\n/* a /* b; */ ; */ C 'it''s -- ;';\n"
              "SELECT $1;\nD 'a\\';\n", &n);
    ASSERT_INT(n, 4);
    ASSERT_STR(s[0], "DO $x$ BEGIN a; $y$ b; END $x$;\n");
    ASSERT_STR(s[1], "/* a /* b; */ ; */ C 'it''s -- ;';\n");
    ASSERT_STR(s[2], "SELECT $1;\n");
    ASSERT_STR(s[3], "D 'a\\';\n"); /* no E: the backslash is a plain character */
    split("unterminated 'a; b", &n);
    ASSERT_INT(n, 1);
}

static void test_statements_of_generated_sql_with_hostile_names(void)
{
    /* the issue's literal '\'' -- x<newline>y' that sqlparse misread */
    const char *src = "table \"t;\\\" { allow select using (x = '\\'' -- x\ny;' or y = '$rlsc$;'); }";
    const char *up = u_sql(src, false, false);
    CU_ASSERT_FATAL(up != NULL);
    int n;
    const char *const *s = split(up, &n);
    int creates = 0;
    for (int i = 0; i < n; i++)
        creates += strncmp(s[i] + strspn(s[i], "\n"), "CREATE POLICY", 13) == 0
                   || strstr(s[i], "\nCREATE POLICY") != NULL;
    ASSERT_INT(creates, 1);
}

/* ---- the recorded state of a migration */

static void test_state_round_trips(void)
{
    Ir *ir = u_compile("app billing;\ncontext tenant bigint = 'app.tenant_id';\n"
                       "context user integer = 'app.user_id';\nrole r bypass;\n"
                       "model Invoice { tenant customer_id; grant view; "
                       "allow update to r using (a = 'x\\y\ttab') check (b > 0); }\n"
                       "table s.\"we\\ird\" { allow insert check (true); }\n");
    CU_ASSERT_FATAL(ir != NULL);
    StrBuf one, two;
    sb_init(&one, u_arena());
    sb_init(&two, u_arena());
    ir_write_state(&one, ir);
    Ir *back = NULL;
    int line = -1;
    const char *why = ir_read_state(u_arena(), sb_str(&one), &back, &line);
    ASSERT_STR(why ? why : "accepted", "accepted");
    CU_ASSERT_FATAL(back != NULL);
    CU_ASSERT(back->perm_helper == IR_HELPER_V2);
    ir_write_state(&two, back);
    ASSERT_STR(sb_str(&two), sb_str(&one));
}

/* Damage anywhere is found, with the state's line. */
static void test_state_damage_is_refused_with_its_line(void)
{
    static const struct {
        const char *state, *why;
        int line;
    } cases[] = {
        {"rlsc-state\t2\n", "not an rlsc state of version 1", 1},
        {"rlsc-state\t1\textra\n", "not an rlsc state of version 1", 1},
        {"rlsc-state\t1\nhelper\tX\n", "the helper is", 2},
        {"rlsc-state\t1\nhelper\thas_perm\t2\nhelper\thas_perm\n", "the helper is", 3},
        {"rlsc-state\t1\nrole\tr\t2\n", "bypass flag 0 or 1", 2},
        {"rlsc-state\t1\nrole\t\t0\n", "1 to 63 bytes", 2},
        {"rlsc-state\t1\nrole\tr\t0\nrole\tr\t1\n", "listed twice", 3},
        {"rlsc-state\t1\ntable\t\\N\tt\tyes\n", "force flag", 2},
        {"rlsc-state\t1\ntable\t\\N\tt\t1\ntable\tpublic\tt\t1\n", "listed twice", 3},
        {"rlsc-state\t1\npolicy\tp\tP\tselect\t0\ttrue\t\\N\n", "before any table", 2},
        {"rlsc-state\t1\ntable\t\\N\tt\t1\npolicy\tp\tX\tselect\t0\ttrue\t\\N\n",
         "kind is P", 3},
        {"rlsc-state\t1\ntable\t\\N\tt\t1\npolicy\tp\tP\tupsert\t0\ttrue\t\\N\n",
         "command is", 3},
        {"rlsc-state\t1\ntable\t\\N\tt\t1\npolicy\tp\tP\tselect\tx\ttrue\t\\N\n",
         "role count", 3},
        {"rlsc-state\t1\ntable\t\\N\tt\t1\npolicy\tp\tP\tselect\t2\tr\ttrue\t\\N\n",
         "role count", 3},
        {"rlsc-state\t1\ntable\t\\N\tt\t1\npolicy\tp\tP\tinsert\t0\ttrue\t\\N\n",
         "no USING", 3},
        {"rlsc-state\t1\ntable\t\\N\tt\t1\npolicy\tp\tP\tdelete\t0\ttrue\ttrue\n",
         "no WITH CHECK", 3},
        {"rlsc-state\t1\ntable\t\\N\tt\t1\npolicy\tp\tP\tselect\t0\t\t\\N\n",
         "not empty", 3},
        {"rlsc-state\t1\ntable\t\\N\tt\t1\npolicy\tp\tP\tselect\t0\ttrue\t\\N\n"
         "policy\tp\tR\tall\t0\ttrue\t\\N\n", "used twice", 4},
        {"rlsc-state\t1\ntable\t\\N\tt\t1\npolicy\tp\tP\tselect\t0\tx\\q\t\\N\n",
         "backslash escape", 3},
        {"rlsc-state\t1\ntable\t\\N\tt\\N\t1\n", "backslash escape", 2},
        {"rlsc-state\t1\ntable\t\\N\t\xff\t1\n", "UTF-8", 2},
        {"rlsc-state\t1\n\nrole\tr\t0\n", "empty line", 2},
        {"rlsc-state\t1\nsurprise\n", "unexpected 'surprise'", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Ir *ir = NULL;
        int line = -1;
        const char *why = ir_read_state(u_arena(), cases[i].state, &ir, &line);
        ASSERT_HAS(why ? why : "(accepted)", cases[i].why);
        ASSERT_INT(line, cases[i].line);
    }
    /* a name of 63 bytes is fine, 64 is not */
    char state[256];
    snprintf(state, sizeof state, "rlsc-state\t1\nrole\t%s\t0\n",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    Ir *ir = NULL;
    int line = 0;
    CU_ASSERT(ir_read_state(u_arena(), state, &ir, &line) == NULL);
    snprintf(state, sizeof state, "rlsc-state\t1\nrole\t%s\t0\n",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    CU_ASSERT(ir_read_state(u_arena(), state, &ir, &line) != NULL);
}

/* ---- tables Django renamed or deleted after a state was recorded */

static Ir *state_of(const char *text)
{
    Ir *ir = NULL;
    int line = 0;
    const char *why = ir_read_state(u_arena(), text, &ir, &line);
    ASSERT_STR(why ? why : "accepted", "accepted");
    return ir;
}

static const char *state_text(const Ir *ir)
{
    StrBuf sb;
    sb_init(&sb, u_arena());
    ir_write_state(&sb, ir);
    return sb_str(&sb);
}

static const char three_tables[] =
    "rlsc-state\t1\nrole\tr\t0\n"
    "table\t\\N\tshop_a\t1\npolicy\tp\tP\tselect\t0\ttrue\t\\N\n"
    "table\t\\N\tshop_b\t0\npolicy\tq\tP\tselect\t0\ttrue\t\\N\n"
    "table\tsales\tshop_c\t1\npolicy\tr\tP\tselect\t0\ttrue\t\\N\n";

/* Renames apply all at once (names may swap), keep each table's flags
 * and policies, and leave the IR sorted; public is the default schema. */
static void test_state_tables_renamed_all_at_once(void)
{
    Ir *ir = state_of(three_tables);
    CU_ASSERT_FATAL(ir != NULL);
    IrTableName from[] = {{NULL, "shop_a"}, {"public", "shop_b"}, {"sales", "shop_c"},
                          {NULL, "shop_gone"}};
    IrTableName to[] = {{"public", "shop_b"}, {NULL, "shop_a"}, {NULL, "shop_z"},
                        {NULL, "shop_y"}};
    const IrTable *moved[4];
    const char *why = ir_rename_tables(u_arena(), ir, from, to, 4, moved);
    ASSERT_STR(why ? why : "renamed", "renamed");
    CU_ASSERT(moved[0] && moved[1] && moved[2] && !moved[3]);
    ASSERT_STR(state_text(ir),
               "rlsc-state\t1\nrole\tr\t0\n"
               "table\t\\N\tshop_a\t0\npolicy\tq\tP\tselect\t0\ttrue\t\\N\n"
               "table\t\\N\tshop_b\t1\npolicy\tp\tP\tselect\t0\ttrue\t\\N\n"
               "table\t\\N\tshop_z\t1\npolicy\tr\tP\tselect\t0\ttrue\t\\N\n");
    CU_ASSERT(ir_find_table(ir, NULL, "shop_z") == moved[2]);
}

/* A rename onto a table that stays, or the same table renamed twice, is
 * refused: the caller's account of Django's migrations is wrong. */
static void test_state_table_renames_that_clash_are_refused(void)
{
    Ir *ir = state_of(three_tables);
    CU_ASSERT_FATAL(ir != NULL);
    IrTableName from[] = {{NULL, "shop_a"}, {NULL, "shop_a"}};
    IrTableName to[] = {{NULL, "shop_b"}, {NULL, "shop_x"}};
    const IrTable *moved[2];
    ASSERT_HAS(ir_rename_tables(u_arena(), ir, from, to, 1, moved),
               "two tables would be named shop_b");
    IrTableName b[] = {{NULL, "shop_b"}}, a[] = {{"public", "shop_a"}};
    ir = state_of(three_tables);
    ASSERT_HAS(ir_rename_tables(u_arena(), ir, b, a, 1, moved),
               "two tables would be named shop_a");
    ir = state_of(three_tables);
    ASSERT_HAS(ir_rename_tables(u_arena(), ir, from, to + 1, 2, moved), "renamed twice");
}

/* The state after Django deleted tables: the others, roles and helper
 * stay, and the state read is left as it was (the diff needs both). */
static void test_state_without_deleted_tables(void)
{
    Ir *ir = state_of("rlsc-state\t1\nhelper\thas_perm\t2\nrole\tr\t0\n"
                      "table\t\\N\tshop_a\t1\npolicy\tp\tP\tselect\t0\ttrue\t\\N\n"
                      "table\tsales\tshop_c\t1\npolicy\tr\tP\tselect\t0\ttrue\t\\N\n");
    CU_ASSERT_FATAL(ir != NULL);
    const char *before = state_text(ir);
    IrTableName gone[] = {{"public", "shop_a"}, {NULL, "shop_c"}, {NULL, "nope"}};
    int removed = -1;
    Ir *rest = ir_without_tables(u_arena(), ir, gone, 3, &removed);
    ASSERT_INT(removed, 1); /* shop_c is in schema sales, not public */
    ASSERT_STR(state_text(rest),
               "rlsc-state\t1\nhelper\thas_perm\t2\nrole\tr\t0\n"
               "table\tsales\tshop_c\t1\npolicy\tr\tP\tselect\t0\ttrue\t\\N\n");
    ASSERT_STR(state_text(ir), before);
    /* and the diff from the state to the rest drops only shop_a's policy */
    StrBuf up, summary;
    sb_init(&up, u_arena());
    sb_init(&summary, u_arena());
    emit_diff(&up, &summary, ir, rest);
    ASSERT_STR(sb_str(&summary), "shop_a: drop policy p\n"
                                 "shop_a: row level security flags restored to before\n");
}

/* An app whose .rls files are gone compiles to nothing: the diff from its
 * state to the empty IR drops everything it had. */
static void test_state_to_nothing_drops_everything(void)
{
    Ir *ir = state_of("rlsc-state\t1\nhelper\thas_perm\t2\nrole\tr\t0\n"
                      "table\t\\N\tshop_a\t1\npolicy\tp\tP\tselect\t0\ttrue\t\\N\n");
    CU_ASSERT_FATAL(ir != NULL);
    static const Ir nothing;
    StrBuf up, summary;
    sb_init(&up, u_arena());
    sb_init(&summary, u_arena());
    emit_diff(&up, &summary, ir, &nothing);
    ASSERT_STR(sb_str(&summary), "shop_a: drop policy p\n"
                                 "shop_a: row level security flags restored to before\n"
                                 "role r: drop if rlsc created it and nothing uses it\n"
                                 "helper rlsc.has_perm: drop unless other apps use it\n");
    ASSERT_STR(state_text(&nothing), "rlsc-state\t1\n");
}

/* ---- migrations directories (migrate.c) */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
}

static const char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    StrBuf sb;
    sb_init(&sb, u_arena());
    util_read_all(f, &sb);
    fclose(f);
    return sb_str(&sb);
}

/* The numbered files sorted by number, the newest recorded state read back
 * exactly as written, a damaged one refused with a message that goes to
 * the Diag (not to stderr), and a file written whole. */
static void test_migrations_record_and_read_back_the_state(void)
{
    Arena *a = u_arena();
    char *dir = arena_strdup(a, "/tmp/rlsc-unit-mig.XXXXXX");
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    const char *names[] = {"0010_later.py", "0002_rlsc.py", "0001_initial.py", "__init__.py",
                           "0003_notes.txt", "12_short.py", "0004_bad-name.py",
                           "0005_bad.py"};
    enum { NNAMES = sizeof names / sizeof names[0] };
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CU_ASSERT_FATAL(out != NULL);
    Diag d;
    diag_init(&d, a, out);
    PtrVec *files = mig_files(a, &d, dir, ".py");
    CU_ASSERT_FATAL(files != NULL);
    ASSERT_INT(files->n, 0);

    StrBuf py;
    sb_init(&py, a);
    sb_puts(&py, "# recorded\n");
    mig_write_state(&py, state_of(three_tables));
    write_file(arena_printf(a, "%s/0002_rlsc.py", dir), sb_str(&py));
    for (int i = 0; i < NNAMES - 1; i++)
        if (i != 1)
            write_file(arena_printf(a, "%s/%s", dir, names[i]), "x = 1\n");

    files = mig_files(a, &d, dir, ".py");
    CU_ASSERT_FATAL(files != NULL);
    ASSERT_INT(files->n, 3);
    const char *want[] = {"0001_initial", "0002_rlsc", "0010_later"};
    for (int i = 0; i < files->n && i < 3; i++) {
        const MigFile *m = files->items[i];
        ASSERT_STR(m->name, want[i]);
        ASSERT_STR(m->path, arena_printf(a, "%s/%s.py", dir, want[i]));
    }
    Ir *state = NULL;
    ASSERT_INT(mig_newest_state(a, &d, files, &state), RLSC_OK);
    CU_ASSERT_FATAL(state != NULL);
    ASSERT_STR(state_text(state), three_tables);

    /* a newer file whose record rlsc cannot read is an error, not "none" */
    write_file(arena_printf(a, "%s/0005_bad.py", dir), "x = 1\nRLSC_STATE = ( 12 )\n");
    files = mig_files(a, &d, dir, ".py");
    ASSERT_INT(mig_newest_state(a, &d, files, &state), RLSC_ERR_USAGE);
    fflush(out);
    ASSERT_STR(buf, arena_printf(a, "rlsc: %s/0005_bad.py: RLSC_STATE is not a sequence of "
                                    "\"...\" strings with the escapes rlsc writes\n", dir));
    ASSERT_INT(d.failures, 1);
    ASSERT_INT(d.errors, 0);

    ASSERT_INT(mig_write_atomic(a, &d, dir, "0006_next.py", &py), RLSC_OK);
    ASSERT_STR(read_file(arena_printf(a, "%s/0006_next.py", dir)), sb_str(&py));
    ASSERT_INT(mig_write_atomic(a, &d, arena_printf(a, "%s/nodir", dir), "0007.py", &py),
               RLSC_ERR_USAGE);
    ASSERT_INT(d.failures, 2);

    fclose(out);
    free(buf);
    for (int i = 0; i < NNAMES; i++)
        unlink(arena_printf(a, "%s/%s", dir, names[i]));
    unlink(arena_printf(a, "%s/0006_next.py", dir));
    CU_ASSERT(rmdir(dir) == 0); /* nothing else was left behind */
}

/* Python literals hold any byte but NUL, one per line of the text, and a
 * comment keeps to its line. */
static void test_python_literals_and_comments(void)
{
    StrBuf sb;
    sb_init(&sb, u_arena());
    mig_pystring(&sb, "a\"b\\c\td\x01\n\nend", "  ");
    ASSERT_STR(sb_str(&sb), "  \"a\\\"b\\\\c\\td\\x01\\n\"\n  \"\\n\"\n  \"end\"\n");
    sb_init(&sb, u_arena());
    mig_pystring(&sb, "", "");
    ASSERT_STR(sb_str(&sb), "\"\"\n");
    sb_init(&sb, u_arena());
    mig_comment_text(&sb, "a\nb\x7f\xff" "c\xc3\xa9");
    ASSERT_STR(sb_str(&sb), "a?b??c\xc3\xa9");
}

static CU_TestInfo emit_tests[] = {
    {"identifiers are always quoted", test_identifiers_are_always_quoted},
    {"literals double '' and escape backslashes with E''", test_literals_double_quotes_and_escape_backslashes},
    {"equal trees print equal text", test_equal_trees_print_equal_text},
    {"function names are quoted only when reserved", test_function_names_are_quoted_only_when_reserved},
    {"context reads and membership follow the printer context", test_context_reads_and_membership_follow_the_printer_context},
    {"up enables and forces RLS", test_up_enables_and_forces_rls},
    {"up creates each policy", test_up_creates_each_policy},
    {"up creates missing roles NOLOGIN", test_up_creates_missing_roles_nologin},
    {"down drops policies in reverse order", test_down_drops_policies_in_reverse_order},
    {"dollar-quote tag avoids names", test_dollar_quote_tag_avoids_names},
    {"a streamed script is the one made in memory", test_streamed_script_is_the_one_made_in_memory},
    {"transaction wrapping is optional", test_transaction_wrapping_is_optional},
    {"stdlib is included only for grants", test_stdlib_is_included_only_for_grants},
    {"names cannot break out of comments", test_names_cannot_break_out_of_comments},
    {"statements split at top-level semicolons", test_statements_split_at_top_level_semicolons},
    {"statements keep dollar quotes and comments whole", test_statements_keep_dollar_quotes_and_comments_whole},
    {"statements of generated SQL with hostile names", test_statements_of_generated_sql_with_hostile_names},
    {"state round trips", test_state_round_trips},
    {"state damage is refused with its line", test_state_damage_is_refused_with_its_line},
    {"state tables renamed all at once", test_state_tables_renamed_all_at_once},
    {"state table renames that clash are refused", test_state_table_renames_that_clash_are_refused},
    {"state without deleted tables", test_state_without_deleted_tables},
    {"state to nothing drops everything", test_state_to_nothing_drops_everything},
    {"migrations record and read back the state", test_migrations_record_and_read_back_the_state},
    {"python literals and comments", test_python_literals_and_comments},
    CU_TEST_INFO_NULL,
};

void add_emit_suite(void) { unit_add_suite("emit", emit_tests); }
