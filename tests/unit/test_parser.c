/*
 * test_parser.c — the grammar (parser/parser.y): what each statement puts
 * into the AST, operator precedence, source spans, and error recovery.
 *
 * Precedence is checked on sqlfmt_expr's output, which parenthesises every
 * operator: the parentheses show how the parser grouped the operands.
 */
#include "unit.h"

#include <string.h>

#define RULE(b, i) ((Rule *)(b)->rules.items[i])
#define BLOCK(f, i) ((Block *)(f)->blocks.items[i])
#define ROLE_NAME(r, i) (((Ident *)(r)->roles.items[i])->name)

/* ---- statements */

static void test_app_names_the_django_app(void)
{
    AstFile *f = u_parse("app billing;");
    ASSERT_INT(u_errors(), 0);
    ASSERT_STR(f->app.name, "billing");
    ASSERT_STR(u_text(f->app.loc), "billing");

    u_parse("app billing; app sales;");
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(), "error: the app is already named 'billing'");
}

static void test_context_declares_type_and_setting(void)
{
    AstFile *f = u_parse("context tenant bigint = 'app.tenant_id';\n"
                         "context code VARCHAR ( 20 ) = 'app.code';\n"
                         "context since timestamp  WITH time ZONE = 'app.since';\n"
                         "context ids integer[] = 'app.ids';\n"
                         "context price numeric(10, 2) = 'app.price';\n"
                         "context ratio double precision = 'app.ratio';\n"
                         "context kind \"Kind\" = 'app.kind';\n");
    ASSERT_INT(u_errors(), 0);
    CU_ASSERT_FATAL(f->contexts.n == 7);
    const char *const types[] = {"bigint", "varchar(20)", "timestamp with time zone",
                                 "integer[]", "numeric(10,2)", "double precision",
                                 "\"Kind\""};
    for (int i = 0; i < 7; i++)
        ASSERT_STR(((ContextDecl *)f->contexts.items[i])->type->text, types[i]);
    ContextDecl *c = f->contexts.items[0];
    ASSERT_STR(c->name.name, "tenant");
    ASSERT_STR(c->setting, "app.tenant_id");
    ASSERT_STR(u_text(c->setting_loc), "'app.tenant_id'");
    ASSERT_STR(u_text(c->loc), "context tenant bigint = 'app.tenant_id';");
}

static void test_role_may_bypass(void)
{
    AstFile *f = u_parse("role app_user; role admin bypass;");
    CU_ASSERT_FATAL(f->roles.n == 2);
    RoleDecl *r0 = f->roles.items[0], *r1 = f->roles.items[1];
    ASSERT_STR(r0->name.name, "app_user");
    CU_ASSERT(!r0->bypass);
    ASSERT_STR(r1->name.name, "admin");
    CU_ASSERT(r1->bypass);
}

static void test_model_and_table_blocks(void)
{
    AstFile *f = u_parse("model Invoice { }\n"
                         "table audit_log { no force; }\n"
                         "table audit.\"Log\" { }\n");
    ASSERT_INT(u_errors(), 0);
    CU_ASSERT_FATAL(f->blocks.n == 3);
    CU_ASSERT(BLOCK(f, 0)->is_model);
    ASSERT_STR(BLOCK(f, 0)->name.name, "invoice"); /* folded like any word */
    CU_ASSERT(!BLOCK(f, 1)->is_model);
    CU_ASSERT_PTR_NULL(BLOCK(f, 1)->name.schema);
    ASSERT_INT(BLOCK(f, 1)->rules.n, 1);
    CU_ASSERT(RULE(BLOCK(f, 1), 0)->kind == R_NOFORCE);
    ASSERT_STR(BLOCK(f, 2)->name.schema, "audit");
    ASSERT_STR(BLOCK(f, 2)->name.name, "Log");
}

static void test_allow_and_deny_fill_commands_roles_and_conditions(void)
{
    AstFile *f = u_parse("table t {\n"
                         "  allow select, update to b_role, a_role using (x = 1) check (y = 2);\n"
                         "  allow all;\n"
                         "  deny delete, insert using (locked);\n"
                         "}\n");
    ASSERT_INT(u_errors(), 0);
    CU_ASSERT_FATAL(f->blocks.n == 1 && BLOCK(f, 0)->rules.n == 3);
    Rule *allow = RULE(BLOCK(f, 0), 0);
    CU_ASSERT(allow->kind == R_ALLOW);
    ASSERT_INT(allow->cmds, CMD_SELECT | CMD_UPDATE);
    CU_ASSERT_FATAL(allow->roles.n == 2);
    ASSERT_STR(ROLE_NAME(allow, 0), "b_role"); /* as written; lowering sorts */
    ASSERT_STR(ROLE_NAME(allow, 1), "a_role");
    ASSERT_STR(u_text(allow->using_->loc), "x = 1");
    ASSERT_STR(u_text(allow->check->loc), "y = 2");

    Rule *all = RULE(BLOCK(f, 0), 1);
    ASSERT_INT(all->cmds, CMD_ALL);
    ASSERT_INT(all->roles.n, 0);
    CU_ASSERT(all->using_ == NULL && all->check == NULL);

    Rule *deny = RULE(BLOCK(f, 0), 2);
    CU_ASSERT(deny->kind == R_DENY);
    ASSERT_INT(deny->cmds, CMD_DELETE | CMD_INSERT);
}

static void test_command_listed_twice_is_an_error(void)
{
    u_parse("table t { allow select, update, select; }");
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(), "test.rls:1:33: error: command 'select' is listed twice");
}

static void test_tenant_and_grant_rules(void)
{
    AstFile *f = u_parse("model Invoice {\n"
                         "  tenant customer_id;\n"
                         "  grant view, add, change, delete to auditor using (x = 1);\n"
                         "  grant 'billing.approve_invoice' for update;\n"
                         "}\n");
    ASSERT_INT(u_errors(), 0);
    CU_ASSERT_FATAL(f->blocks.n == 1 && BLOCK(f, 0)->rules.n == 3);
    Rule *tenant = RULE(BLOCK(f, 0), 0);
    CU_ASSERT(tenant->kind == R_TENANT);
    ASSERT_STR(tenant->column.name, "customer_id");

    Rule *g = RULE(BLOCK(f, 0), 1);
    CU_ASSERT(g->kind == R_GRANT);
    CU_ASSERT_FATAL(g->perms.n == 4);
    const char *const perms[] = {"view", "add", "change", "delete"};
    for (int i = 0; i < 4; i++) {
        ASSERT_STR(((Perm *)g->perms.items[i])->name, perms[i]);
        CU_ASSERT(!((Perm *)g->perms.items[i])->custom);
    }
    ASSERT_INT(g->roles.n, 1);
    CU_ASSERT_PTR_NOT_NULL(g->using_);

    Rule *custom = RULE(BLOCK(f, 0), 2);
    CU_ASSERT_FATAL(custom->perms.n == 1);
    Perm *p = custom->perms.items[0];
    CU_ASSERT(p->custom);
    ASSERT_STR(p->name, "billing.approve_invoice");
    ASSERT_INT(p->cmd, CMD_UPDATE);
    ASSERT_INT(custom->cmds, CMD_UPDATE);
}

static void test_policy_in_block_and_at_top_level(void)
{
    AstFile *f = u_parse("table t {\n"
                         "  policy p as restrictive for insert to a with check (x);\n"
                         "  policy q;\n"
                         "}\n"
                         "policy legacy_read on reports.archive\n"
                         "    as permissive for select to public, auditor\n"
                         "    using (true) with check (false);\n");
    ASSERT_INT(u_errors(), 0);
    CU_ASSERT_FATAL(f->blocks.n == 1 && BLOCK(f, 0)->rules.n == 2);
    Rule *p = RULE(BLOCK(f, 0), 0);
    CU_ASSERT(p->kind == R_POLICY);
    ASSERT_STR(p->name.name, "p");
    CU_ASSERT(p->restrictive && !p->has_on);
    ASSERT_INT(p->cmds, CMD_INSERT);
    CU_ASSERT(p->using_ == NULL && p->check != NULL);

    Rule *q = RULE(BLOCK(f, 0), 1);
    ASSERT_INT(q->cmds, CMD_ALL); /* no `for`: all commands */
    CU_ASSERT(!q->restrictive);

    CU_ASSERT_FATAL(f->policies.n == 1);
    Rule *top = f->policies.items[0];
    ASSERT_STR(top->name.name, "legacy_read");
    CU_ASSERT(top->has_on && !top->restrictive);
    ASSERT_STR(top->on.schema, "reports");
    ASSERT_STR(top->on.name, "archive");
    ASSERT_INT(top->cmds, CMD_SELECT);
    CU_ASSERT(top->roles.n == 2 && strcmp(ROLE_NAME(top, 1), "auditor") == 0);
    CU_ASSERT(top->using_ && top->using_->kind == E_BOOL);
    CU_ASSERT(top->check && top->check->kind == E_BOOL);
    ASSERT_STR(u_text(top->loc),
               "policy legacy_read on reports.archive\n"
               "    as permissive for select to public, auditor\n"
               "    using (true) with check (false);");
}

static void test_catalog_declarations(void)
{
    AstFile *f = u_parse("table shop.orders model shop.Order {\n"
                         "  column id bigint not null;\n"
                         "  column note varchar(200) null;\n"
                         "  column tags text[];\n"
                         "}\n"
                         "function shop.total(bigint, text) returns numeric(12,2);\n"
                         "aggregate function count_all() returns setof bigint;\n");
    ASSERT_INT(u_errors(), 0);
    CU_ASSERT_FATAL(f->blocks.n == 1 && f->functions.n == 2);
    Block *b = BLOCK(f, 0);
    ASSERT_STR(b->name.schema, "shop");
    ASSERT_STR(b->model_app.name, "shop");
    ASSERT_STR(b->model_name.name, "order");
    CU_ASSERT_FATAL(b->columns.n == 3);
    ColumnDecl *id = b->columns.items[0], *note = b->columns.items[1];
    ASSERT_STR(id->name.name, "id");
    CU_ASSERT(id->not_null && !note->not_null);
    ASSERT_STR(note->type->text, "varchar(200)");
    ASSERT_STR(((ColumnDecl *)b->columns.items[2])->type->text, "text[]");
    FuncDecl *total = f->functions.items[0], *agg = f->functions.items[1];
    ASSERT_STR(total->name.schema, "shop");
    ASSERT_INT(total->args.n, 2);
    ASSERT_STR(total->ret->text, "numeric(12,2)");
    CU_ASSERT(!total->setof && !total->aggregate);
    CU_ASSERT(agg->setof && agg->aggregate && agg->args.n == 0);
}

/* ---- operator precedence, as in PostgreSQL */

static void test_and_binds_tighter_than_or(void)
{
    ASSERT_STR(u_cond("a or b and c"), "(\"a\" OR (\"b\" AND \"c\"))");
    ASSERT_STR(u_cond("a and b or c"), "((\"a\" AND \"b\") OR \"c\")");
}

static void test_not_applies_to_the_whole_comparison(void)
{
    ASSERT_STR(u_cond("not a = b"), "(NOT (\"a\" = \"b\"))");
    ASSERT_STR(u_cond("not a and b"), "((NOT \"a\") AND \"b\")");
}

static void test_arithmetic_precedence(void)
{
    ASSERT_STR(u_cond("a + b * c = d"), "((\"a\" + (\"b\" * \"c\")) = \"d\")");
    ASSERT_STR(u_cond("a - b - c"), "((\"a\" - \"b\") - \"c\")");
    ASSERT_STR(u_cond("a || b like c"), "((\"a\" || \"b\") LIKE \"c\")");
    ASSERT_STR(u_cond("-a::int ^ 2"), "((- CAST(\"a\" AS int)) ^ 2)");
}

static void test_between_takes_its_and_first(void)
{
    ASSERT_STR(u_cond("x between 1 and 2 and y"),
               "((\"x\" BETWEEN 1 AND 2) AND \"y\")");
    ASSERT_STR(u_cond("x not between a + 1 and b"),
               "(\"x\" NOT BETWEEN (\"a\" + 1) AND \"b\")");
}

static void test_is_forms(void)
{
    ASSERT_STR(u_cond("a is not distinct from b"), "(\"a\" IS NOT DISTINCT FROM \"b\")");
    ASSERT_STR(u_cond("a = b is not true"), "((\"a\" = \"b\") IS NOT TRUE)");
    ASSERT_STR(u_cond("a is null or b is false"), "((\"a\" IS NULL) OR (\"b\" IS FALSE))");
}

static void test_in_list_and_subquery(void)
{
    ASSERT_STR(u_cond("x not in (1,2)"), "(\"x\" NOT IN (1, 2))");
    ASSERT_STR(u_cond("x in (select o.id from orgs o where o.owner = $user)"),
               "(\"x\" IN (SELECT \"o\".\"id\" FROM \"orgs\" \"o\" WHERE "
               "(\"o\".\"owner\" = $user)))");
    Expr *e = ((Rule *)u_parse("policy p on t using (x in (select id from s));")
                   ->policies.items[0])->using_;
    CU_ASSERT(e->kind == E_IN_SUBQ && e->sub && strcmp(e->sub->from.name, "s") == 0);
}

static void test_other_expression_forms(void)
{
    ASSERT_STR(u_cond("exists (select 1 from s as x where x.a = t.a)"),
               "(EXISTS (SELECT 1 FROM \"s\" \"x\" WHERE (\"x\".\"a\" = \"t\".\"a\")))");
    ASSERT_STR(u_cond("case when a then 1 else 2 end = cast(b as bigint)"),
               "(CASE WHEN \"a\" THEN 1 ELSE 2 END = CAST(\"b\" AS bigint))");
    ASSERT_STR(u_cond("owner = current_user and x = any (ids)"),
               "((\"owner\" = CURRENT_USER) AND (\"x\" = ANY (\"ids\")))");
    ASSERT_STR(u_cond("lower(name) not ilike 'a%' and count(*) > 0"),
               "((lower(\"name\") NOT ILIKE 'a%') AND (count(*) > 0))");
}

/* ---- spans: a node covers exactly its source text */

static void test_expression_spans_cover_their_text(void)
{
    const char *const exprs[] = {
        "t.col",
        "lower(t.name)",
        "a = 1 and b = 'x'",
        "x between 1 and 2",
        "a is not null",
        "a is distinct from b",
        "x not in (1, 2)",
        "x in (select id from s where y = 1)",
        "exists (select 1 from s)",
        "(select max(id) from s)",
        "cast(a as varchar(20))",
        "a::integer[]",
        "case when a then b end",
        "not a",
        "-a",
        "$tenant",
        "'it''s'",
    };
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        /* extra blanks inside the parentheses are not part of the node */
        const char *src = arena_printf(u_arena(), "policy p on t using (  %s  );", exprs[i]);
        AstFile *f = u_parse(src);
        if (u_errors() || f->policies.n != 1) {
            ASSERT_STR(u_messages(), "");
            continue;
        }
        ASSERT_STR(u_text(((Rule *)f->policies.items[0])->using_->loc), exprs[i]);
    }
}

static void test_rule_and_block_spans(void)
{
    AstFile *f = u_parse("model Invoice {\n"
                         "    allow update using ((created_by_id = $user) and status = 'draft');\n"
                         "}\n");
    CU_ASSERT_FATAL(f->blocks.n == 1 && BLOCK(f, 0)->rules.n == 1);
    Block *b = BLOCK(f, 0);
    ASSERT_STR(u_text(b->loc), "model Invoice {\n"
                               "    allow update using ((created_by_id = $user) and status = 'draft');\n"
                               "}");
    ASSERT_STR(u_text(b->name.loc), "Invoice");
    Rule *r = RULE(b, 0);
    ASSERT_STR(u_text(r->loc),
               "allow update using ((created_by_id = $user) and status = 'draft');");
    ASSERT_STR(u_text(r->using_->loc), "(created_by_id = $user) and status = 'draft'");
    /* a parenthesised operand is the node inside the parentheses */
    ASSERT_STR(u_text(r->using_->a->loc), "created_by_id = $user");
    ASSERT_STR(u_text(r->using_->a->b->loc), "$user");
    ASSERT_STR(u_text(r->using_->b->b->loc), "'draft'");
}

static void test_role_and_policy_name_spans(void)
{
    AstFile *f = u_parse("table t { policy p_one for select to auditor, \"Ops\"; }");
    CU_ASSERT_FATAL(f->blocks.n == 1 && BLOCK(f, 0)->rules.n == 1);
    Rule *r = RULE(BLOCK(f, 0), 0);
    ASSERT_STR(u_text(r->name.loc), "p_one");
    CU_ASSERT_FATAL(r->roles.n == 2);
    ASSERT_STR(u_text(((Ident *)r->roles.items[0])->loc), "auditor");
    ASSERT_STR(u_text(((Ident *)r->roles.items[1])->loc), "\"Ops\"");
}

/* ---- error recovery */

static void test_three_syntax_errors_are_three_errors(void)
{
    AstFile *f = u_parse("app billing;\n"
                         "role ;\n"                                 /* 1 */
                         "role auditor;\n"
                         "model Invoice {\n"
                         "    allow select to ;\n"                  /* 2 */
                         "    allow insert;\n"
                         "}\n"
                         "context tenant bigint 'app.tenant_id';\n" /* 3 */
                         "table t { allow delete; }\n");
    ASSERT_INT(u_errors(), 3);
    ASSERT_INT(u_count(u_messages(), "syntax error"), 3);
    ASSERT_HAS(u_messages(), "test.rls:2:6: error: syntax error: unexpected ';'");
    ASSERT_HAS(u_messages(), "test.rls:5:21: error: syntax error: unexpected ';'");
    ASSERT_HAS(u_messages(), "test.rls:8:23: error: syntax error: unexpected string");
    /* the valid statements between the errors are all there */
    ASSERT_STR(f->app.name, "billing");
    ASSERT_INT(f->roles.n, 1);
    ASSERT_INT(f->contexts.n, 0);
    CU_ASSERT_FATAL(f->blocks.n == 2);
    ASSERT_INT(BLOCK(f, 0)->rules.n, 1);
    ASSERT_INT(RULE(BLOCK(f, 0), 0)->cmds, CMD_INSERT);
    ASSERT_INT(BLOCK(f, 1)->rules.n, 1);
}

static void test_syntax_error_names_what_was_expected(void)
{
    u_parse("table t { allow select using x; }");
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(),
               "test.rls:1:30: error: syntax error: unexpected identifier 'x', "
               "expecting '('\n");
}

static void test_end_of_file_in_a_block_is_an_error(void)
{
    u_parse("table t { allow select;");
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(), "syntax error: unexpected end of file");
}

static void test_missing_semicolon_before_brace_costs_one_error(void)
{
    /* recovery must not swallow the statements after the block */
    AstFile *f = u_parse("table t { allow select }\n"
                         "role a;\n"
                         "role b;\n"
                         "table u { allow all; }\n");
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(), "test.rls:1:24: error: syntax error: unexpected '}'");
    ASSERT_INT(f->roles.n, 2);
    ASSERT_INT(f->blocks.n, 2);
}

/* ---- .rls words stay usable as names */

static void test_unreserved_keywords_are_column_names(void)
{
    AstFile *f = u_parse("table t {\n"
                         "  tenant app;\n"
                         "  allow select using (role = context and model = tenant);\n"
                         "  deny update using (force or bypass or no or policy = permissive"
                         " or allow <> deny or insert = delete or column = function"
                         " or returns or aggregate);\n"
                         "}\n"
                         "table model { }\n"
                         "role tenant;\n");
    ASSERT_INT(u_errors(), 0);
    CU_ASSERT_FATAL(f->blocks.n == 2 && BLOCK(f, 0)->rules.n == 3);
    ASSERT_STR(RULE(BLOCK(f, 0), 0)->column.name, "app");
    Expr *e = RULE(BLOCK(f, 0), 1)->using_;
    CU_ASSERT(e->a->a->kind == E_COLUMN && e->a->b->kind == E_COLUMN);
    ASSERT_STR(e->a->a->text, "role");
    ASSERT_STR(e->a->b->text, "context");
    ASSERT_STR(BLOCK(f, 1)->name.name, "model");
    ASSERT_STR(((RoleDecl *)f->roles.items[0])->name.name, "tenant");
}

static CU_TestInfo parser_tests[] = {
    {"app names the Django app", test_app_names_the_django_app},
    {"context declares type and setting", test_context_declares_type_and_setting},
    {"role may bypass", test_role_may_bypass},
    {"model and table blocks, with schema", test_model_and_table_blocks},
    {"allow/deny fill commands, roles, conditions", test_allow_and_deny_fill_commands_roles_and_conditions},
    {"command listed twice is an error", test_command_listed_twice_is_an_error},
    {"tenant and grant rules", test_tenant_and_grant_rules},
    {"policy in a block and at top level", test_policy_in_block_and_at_top_level},
    {"catalog declarations: columns, models, functions", test_catalog_declarations},
    {"AND binds tighter than OR", test_and_binds_tighter_than_or},
    {"NOT applies to the whole comparison", test_not_applies_to_the_whole_comparison},
    {"arithmetic precedence", test_arithmetic_precedence},
    {"BETWEEN takes its AND first", test_between_takes_its_and_first},
    {"IS forms", test_is_forms},
    {"IN list and IN subquery", test_in_list_and_subquery},
    {"other expression forms", test_other_expression_forms},
    {"expression spans cover their text", test_expression_spans_cover_their_text},
    {"rule and block spans", test_rule_and_block_spans},
    {"role and policy name spans", test_role_and_policy_name_spans},
    {"three syntax errors are three errors", test_three_syntax_errors_are_three_errors},
    {"syntax error names what was expected", test_syntax_error_names_what_was_expected},
    {"end of file in a block is an error", test_end_of_file_in_a_block_is_an_error},
    {"missing ; before } costs one error", test_missing_semicolon_before_brace_costs_one_error},
    {"unreserved keywords are column names", test_unreserved_keywords_are_column_names},
    CU_TEST_INFO_NULL,
};

void add_parser_suite(void) { unit_add_suite("parser", parser_tests); }
