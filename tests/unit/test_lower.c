/*
 * test_lower.c — checking and lowering to the policy IR (lang/resolve.c,
 * lang/lower.c): which PostgreSQL policies each rule becomes, their
 * conditions as final SQL, their names, and the errors check reports.
 */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

/* The declarations most tests start from. */
#define DECLS                                      \
    "app billing;\n"                                 \
    "context tenant bigint = 'app.tenant_id';\n"     \
    "context user bigint = 'app.user_id';\n"         \
    "role auditor;\n"                                \
    "role clerk;\n"

/* How $tenant and $user read in the final SQL. */
#define TENANT_SQL \
    "(SELECT CAST(NULLIF(pg_catalog.current_setting('app.tenant_id', true), '') AS bigint))"
#define USER_SQL \
    "(SELECT CAST(NULLIF(pg_catalog.current_setting('app.user_id', true), '') AS bigint))"

/* The one table of src (DECLS prepended), compiled; fails the test if
 * the compilation does not succeed. */
static IrTable *only_table(const char *src)
{
    Ir *ir = u_compile(arena_printf(u_arena(), "%s%s", DECLS, src));
    if (!ir)
        ASSERT_STR(u_messages(), "");
    CU_ASSERT_FATAL(ir && ir->tables.n == 1);
    return ir->tables.items[0];
}

/* "name1 name2 ..." of a table's policies, in IR order. */
static const char *names(const IrTable *t)
{
    StrBuf sb;
    sb_init(&sb, u_arena());
    for (int i = 0; t && i < t->policies.n; i++)
        sb_printf(&sb, "%s%s", i ? " " : "", ((IrPolicy *)t->policies.items[i])->name);
    return sb_str(&sb);
}

/* Every word of `part` is a word of `whole`. */
static bool names_within(const char *part, const char *whole)
{
    char *copy = arena_strdup(u_arena(), part);
    for (char *save, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        const char *p = whole;
        size_t n = strlen(w);
        bool found = false;
        while ((p = strstr(p, w))) {
            if ((p == whole || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
                found = true;
            p += n;
        }
        if (!found)
            return false;
    }
    return true;
}

/* Policy `name` of t; fails the test when it is missing. */
static IrPolicy *policy(const IrTable *t, const char *name)
{
    IrPolicy *p = u_policy(t, name);
    if (!p)
        ASSERT_STR(names(t), name);
    CU_ASSERT_FATAL(p != NULL);
    return p;
}

/* ---- tables and order */

static void test_tables_sort_by_schema_then_name(void)
{
    Ir *ir = u_compile(DECLS "table zeta { allow all; }\n"
                               "table b.x { allow all; }\n"
                               "model Invoice { allow all; }\n"
                               "table a.y { allow all; }\n"
                               "table alpha { allow all; }\n");
    CU_ASSERT_FATAL(ir && ir->tables.n == 5);
    const char *want[] = {"alpha", "billing_invoice", "zeta", "y", "x"};
    for (int i = 0; i < 5; i++)
        ASSERT_STR(((IrTable *)ir->tables.items[i])->name, want[i]);
    CU_ASSERT_PTR_NOT_NULL(ir_find_table(ir, "a", "y"));
    CU_ASSERT_PTR_NULL(ir_find_table(ir, NULL, "y"));
}

static void test_policies_sort_by_name(void)
{
    IrTable *t = only_table("table t {\n"
                            "  deny delete using (locked);\n"
                            "  allow update to clerk;\n"
                            "  tenant org_id;\n"
                            "  allow select;\n"
                            "  policy aaa for select using (true);\n"
                            "}\n");
    ASSERT_STR(names(t), "aaa allow_select allow_update_to_clerk deny_delete_0f7cef94 tenant");
}

static void test_model_becomes_app_underscore_model(void)
{
    Ir *ir = u_compile(DECLS "model Invoice { allow all; }\n"
                               "model \"LineItem\" { allow all; }\n");
    CU_ASSERT_FATAL(ir && ir->tables.n == 2);
    IrTable *inv = u_table(ir, "billing_invoice");
    IrTable *li = u_table(ir, "billing_lineitem");
    CU_ASSERT_FATAL(inv && li);
    ASSERT_STR(inv->app, "billing");
    ASSERT_STR(inv->model, "invoice");
    ASSERT_STR(li->model, "LineItem");
    CU_ASSERT(inv->force && li->force);
}

static void test_app_label_is_a_python_identifier(void)
{
    /* Django's db_table keeps the label's case: "%s_%s" % (label, model) */
    Ir *ir = u_compile("app \"MyApp\";\nmodel Foo { allow all; }\n");
    ASSERT_INT(u_errors(), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ir);
    ASSERT_STR(((IrTable *)ir->tables.items[0])->name, "MyApp_foo");
    u_compile("app \"my-app\";\nmodel Foo { allow all; }\n");
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(), "test.rls:1:5: error: app label 'my-app' is not a Django app label");
}

static void test_long_model_table_names_are_truncated_as_django_does(void)
{
    /* Django's truncate_name: past 63 bytes, the first 59 and 4 hex
     * digits of an md5 (the value below is what Django 3.2 computes);
     * PostgreSQL would otherwise cut the name at 63 bytes */
    const char *model = "AVeryLongModelNameThatKeepsGoingAndGoingPastTheLimitOfNames";
    Ir *ir = u_compile(arena_printf(u_arena(), "app billing;\nmodel %s { allow all; }\n", model));
    CU_ASSERT_FATAL(ir && ir->tables.n == 1);
    ASSERT_STR(((IrTable *)ir->tables.items[0])->name,
               "billing_averylongmodelnamethatkeepsgoingandgoingpastthelimi5482");
}

static void test_no_force_and_top_level_policy_tables(void)
{
    Ir *ir = u_compile(DECLS "table quiet { no force; allow all; }\n"
                               "policy legacy on reports for select using (true);\n");
    CU_ASSERT_FATAL(ir != NULL);
    IrTable *quiet = u_table(ir, "quiet"), *reports = u_table(ir, "reports");
    CU_ASSERT_FATAL(quiet && reports);
    CU_ASSERT(!quiet->force);
    CU_ASSERT(reports->force); /* as if it had a block */
    CU_ASSERT_PTR_NULL(reports->model);
}

/* ---- what each rule becomes */

static void test_tenant_is_a_restrictive_all_policy(void)
{
    IrTable *t = only_table("model Invoice { tenant customer_id; allow all; }\n");
    IrPolicy *p = policy(t, "tenant");
    CU_ASSERT(p->restrictive);
    ASSERT_INT(p->cmd, CMD_ALL);
    ASSERT_INT(p->roles.n, 0); /* PUBLIC */
    ASSERT_STR(p->using_, "(\"customer_id\" = " TENANT_SQL ")");
    CU_ASSERT_PTR_NULL(p->check); /* FOR ALL: USING checks new rows too */
}

/* The chain of tenant paths: org <- project (uuid key) <- task <- comment,
 * with a NULLable foreign key, a self reference, a to_field key and a
 * schema. */
#define PATH_CATALOG                                                              \
    "table orgs { column id bigint not null; }\n"                                 \
    "table projects { column id uuid not null;\n"                                 \
    "  column org_id bigint references public.orgs (id); column name text; }\n"   \
    "table tasks { column id bigint not null;\n"                                  \
    "  column project_id uuid references public.projects (id);\n"                 \
    "  column parent_id bigint references public.tasks (id);\n"                   \
    "  column title text; }\n"                                                    \
    "table comments { column id bigint; column task_id bigint references tasks (id);\n" \
    "  column \"a__b\" bigint; }\n"                                               \
    "table crm.account { column code text not null; column org_id bigint; }\n"    \
    "table crm.contact { column account text references crm.account (code); }\n"

/* The tenant policy of table `name` in src compiled against PATH_CATALOG. */
static IrPolicy *path_policy(const char *src, const char *name)
{
    Ir *ir = u_compile_with_catalog(PATH_CATALOG,
                                    arena_printf(u_arena(), "%s%s", DECLS, src));
    if (!ir)
        ASSERT_STR(u_messages(), "");
    CU_ASSERT_FATAL(ir && u_table(ir, name));
    return policy(u_table(ir, name), "tenant");
}

static void test_tenant_path_follows_foreign_keys(void)
{
    IrPolicy *p = path_policy("table comments { tenant task__project__org; allow all; }\n",
                              "comments");
    /* restrictive FOR ALL like `tenant COL`, named alike: one per block */
    CU_ASSERT(p->restrictive);
    ASSERT_INT(p->cmd, CMD_ALL);
    ASSERT_INT(p->roles.n, 0);
    CU_ASSERT_PTR_NULL(p->check); /* FOR ALL: USING checks new rows too */
    ASSERT_STR(p->using_,
               "(\"task_id\" = ANY (ARRAY(SELECT \"t1\".\"id\" FROM \"tasks\" \"t1\" WHERE "
               "(\"t1\".\"project_id\" = ANY (ARRAY(SELECT \"t2\".\"id\" FROM \"projects\" \"t2\" "
               "WHERE (\"t2\".\"org_id\" = " TENANT_SQL ")))))))");
    /* the last step may name the column itself */
    IrPolicy *q = path_policy("table comments { tenant task__project__org_id; allow all; }\n",
                              "comments");
    ASSERT_STR(q->using_, p->using_);
}

static void test_tenant_path_steps_resolve_as_django_fields(void)
{
    /* a self reference nests the same table under distinct aliases */
    IrPolicy *p = path_policy("table tasks { tenant parent__parent__project__org; allow all; }\n",
                              "tasks");
    ASSERT_STR(p->using_,
               "(\"parent_id\" = ANY (ARRAY(SELECT \"t1\".\"id\" FROM \"tasks\" \"t1\" WHERE "
               "(\"t1\".\"parent_id\" = ANY (ARRAY(SELECT \"t2\".\"id\" FROM \"tasks\" \"t2\" WHERE "
               "(\"t2\".\"project_id\" = ANY (ARRAY(SELECT \"t3\".\"id\" FROM \"projects\" \"t3\" "
               "WHERE (\"t3\".\"org_id\" = " TENANT_SQL "))))))))))");
    /* a foreign key named without _id, to a key other than id, in a schema */
    p = path_policy("table crm.contact { tenant account__org; allow all; }\n", "contact");
    ASSERT_STR(p->using_,
               "(\"account\" = ANY (ARRAY(SELECT \"t1\".\"code\" FROM \"crm\".\"account\" \"t1\" "
               "WHERE (\"t1\".\"org_id\" = " TENANT_SQL "))))");
    /* a column whose name has __ stays a column, quoted or not */
    p = path_policy("table comments { tenant a__b; allow all; }\n", "comments");
    ASSERT_STR(p->using_, "(\"a__b\" = " TENANT_SQL ")");
}

static void test_tenant_path_is_exempt_for_bypass_roles(void)
{
    IrPolicy *p = path_policy("role ops bypass;\n"
                              "table tasks { tenant project__org; allow all; }\n", "tasks");
    ASSERT_STR(p->using_,
               "((SELECT pg_catalog.pg_has_role('ops', 'USAGE')) OR (\"project_id\" = ANY "
               "(ARRAY(SELECT \"t1\".\"id\" FROM \"projects\" \"t1\" WHERE (\"t1\".\"org_id\" = "
               TENANT_SQL ")))))");
}

static void test_tenant_path_change_alters_the_tenant_policy(void)
{
    /* two paths differ in the condition, which the migration diff compares:
     * the one `tenant` policy of the table is altered, never duplicated */
    Ir *a = u_compile_with_catalog(PATH_CATALOG, DECLS
                                   "table tasks { tenant project__org; allow all; }\n");
    Ir *b = u_compile_with_catalog(PATH_CATALOG, DECLS
                                   "table tasks { tenant parent__project__org; allow all; }\n");
    CU_ASSERT_FATAL(a && b);
    StrBuf sql, summary;
    sb_init(&sql, u_arena());
    sb_init(&summary, u_arena());
    emit_diff(&sql, &summary, a, b);
    ASSERT_HAS(sb_str(&sql), "ALTER POLICY \"tenant\" ON \"tasks\"");
    ASSERT_INT(u_count(sb_str(&sql), "CREATE POLICY"), 0);
    ASSERT_INT(u_count(sb_str(&sql), "DROP POLICY"), 0);
}

static void test_tenant_path_needs_a_catalog(void)
{
    CU_ASSERT_PTR_NULL(u_compile(DECLS "table comments { tenant task__project__org; allow all; }\n"));
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(), "tenant path 'task__project__org' follows foreign keys, which only "
                             "a catalog knows");
    /* quoted, the name is a column, as in SQL */
    CU_ASSERT_PTR_NOT_NULL(u_compile(DECLS "table comments { tenant \"task__org\"; allow all; }\n"));
}

static void test_tenant_path_errors_point_at_the_step(void)
{
    CU_ASSERT_PTR_NULL(u_compile_with_catalog(
        PATH_CATALOG, DECLS "table comments { tenant task__projet__org; allow all; }\n"));
    ASSERT_HAS(u_messages(), "test.rls:6:31: error: table 'tasks' has no foreign key 'projet'; "
                             "did you mean 'project'?");
    CU_ASSERT_PTR_NULL(u_compile_with_catalog(
        PATH_CATALOG, DECLS "table tasks { tenant title__org; allow all; }\n"));
    ASSERT_HAS(u_messages(), "column 'title' of table 'tasks' is not a foreign key");
    ASSERT_HAS(u_messages(), "(its foreign keys: project, parent)");
    /* $tenant is bigint; the last column must compare with it */
    CU_ASSERT_PTR_NULL(u_compile_with_catalog(
        PATH_CATALOG, DECLS "table comments { tenant task__project__name; allow all; }\n"));
    ASSERT_HAS(u_messages(), "tenant column 'name' of table 'projects' is text but $tenant is "
                             "bigint");
}

static void test_context_reads_are_fail_closed_and_typed(void)
{
    IrTable *t = only_table("context code varchar(20) = 'app.code';\n"
                            "table t { allow select using (owner = $user and c = $code); }\n");
    ASSERT_STR(((IrPolicy *)t->policies.items[0])->using_,
               "((\"owner\" = " USER_SQL ") AND (\"c\" = "
               "(SELECT CAST(NULLIF(pg_catalog.current_setting('app.code', true), '') "
               "AS varchar(20)))))");
}

static void test_allow_makes_one_policy_per_command(void)
{
    IrTable *t = only_table("table t { allow select, update, delete to clerk; }\n");
    ASSERT_STR(names(t), "allow_delete_to_clerk allow_select_to_clerk allow_update_to_clerk");
    ASSERT_INT(policy(t, "allow_delete_to_clerk")->cmd, CMD_DELETE);
    CU_ASSERT(!policy(t, "allow_select_to_clerk")->restrictive);
    IrPolicy *p = policy(t, "allow_update_to_clerk");
    CU_ASSERT_FATAL(p->roles.n == 1);
    ASSERT_STR(p->roles.items[0], "clerk");
}

static void test_allow_all_is_one_for_all_policy(void)
{
    IrTable *t = only_table("table t { allow all to clerk, auditor; }\n");
    ASSERT_STR(names(t), "allow_all_to_auditor_clerk"); /* roles sorted */
    IrPolicy *p = t->policies.items[0];
    ASSERT_INT(p->cmd, CMD_ALL);
    ASSERT_STR(p->using_, "true");
    CU_ASSERT_PTR_NULL(p->check);
}

static void test_insert_gets_only_with_check(void)
{
    IrTable *t = only_table("table t { allow insert using (a = 1); }\n");
    IrPolicy *p = t->policies.items[0];
    ASSERT_INT(p->cmd, CMD_INSERT);
    CU_ASSERT_PTR_NULL(p->using_);
    ASSERT_STR(p->check, "(\"a\" = 1)");
}

static void test_select_and_delete_get_only_using(void)
{
    IrTable *t = only_table("table t { allow select, delete using (a = 1); }\n");
    CU_ASSERT_FATAL(t->policies.n == 2);
    for (int i = 0; i < 2; i++) {
        IrPolicy *p = t->policies.items[i];
        ASSERT_STR(p->using_, "(\"a\" = 1)");
        CU_ASSERT_PTR_NULL(p->check);
    }
}

static void test_update_with_check_has_both(void)
{
    IrTable *t = only_table("table t {\n"
                            "  allow update using (a = 1) check (b = 2);\n"
                            "  allow update to clerk using (a = 3);\n"
                            "}\n");
    CU_ASSERT_FATAL(t->policies.n == 2);
    IrPolicy *both = t->policies.items[0], *using_only = t->policies.items[1];
    ASSERT_STR(both->using_, "(\"a\" = 1)");
    ASSERT_STR(both->check, "(\"b\" = 2)");
    ASSERT_STR(using_only->using_, "(\"a\" = 3)");
    CU_ASSERT_PTR_NULL(using_only->check); /* PostgreSQL reuses USING */
}

static void test_deny_is_restrictive_is_not_true(void)
{
    IrTable *t = only_table("table t { allow all; deny update, insert using (status = 'paid'); }\n");
    CU_ASSERT_FATAL(t->policies.n == 3);
    IrPolicy *ins = t->policies.items[1], *upd = t->policies.items[2];
    ASSERT_INT(ins->cmd, CMD_INSERT);
    CU_ASSERT(ins->restrictive && upd->restrictive);
    /* NULL does not match: only a true condition denies */
    ASSERT_STR(upd->using_, "((\"status\" = 'paid') IS NOT TRUE)");
    CU_ASSERT_PTR_NULL(ins->using_);
    ASSERT_STR(ins->check, "((\"status\" = 'paid') IS NOT TRUE)");
}

static void test_bypass_roles_get_a_policy_and_an_exemption(void)
{
    IrTable *t = only_table("role admin bypass;\n"
                            "role zz_ops bypass;\n"
                            "table t {\n"
                            "  tenant org_id;\n"
                            "  allow select;\n"
                            "  deny delete using (locked);\n"
                            "}\n");
    IrPolicy *b = policy(t, "bypass");
    CU_ASSERT(!b->restrictive);
    ASSERT_INT(b->cmd, CMD_ALL);
    CU_ASSERT_FATAL(b->roles.n == 2);
    ASSERT_STR(b->roles.items[0], "admin");
    ASSERT_STR(b->using_, "true");
    ASSERT_STR(b->check, "true");
#define EXEMPT "(SELECT pg_catalog.pg_has_role('admin', 'USAGE') OR " \
               "pg_catalog.pg_has_role('zz_ops', 'USAGE'))"
    ASSERT_STR(policy(t, "tenant")->using_,
               "(" EXEMPT " OR (\"org_id\" = " TENANT_SQL "))");
    ASSERT_STR(policy(t, "deny_delete_0f7cef94")->using_,
               "(" EXEMPT " OR (\"locked\" IS NOT TRUE))");
    /* permissive rules need no exemption */
    ASSERT_STR(policy(t, "allow_select")->using_, "true");
#undef EXEMPT
}

static void test_bypass_covers_every_table_a_file_touches(void)
{
    /* test2.rls names t only in a top-level policy; t was first met in
     * test1.rls, yet test2's bypass role must see all of t too */
    const char *const srcs[] = {
        "role a bypass;\ntable t { allow all; }\ntable v { allow all; }\n",
        "role b bypass;\ntable u { allow all; }\n"
        "policy extra on t for select using (true);\n",
    };
    Ir *ir = u_compile_files(srcs, 2);
    CU_ASSERT_FATAL(ir != NULL);
    IrTable *t = u_table(ir, "t"), *u = u_table(ir, "u"), *v = u_table(ir, "v");
    CU_ASSERT_FATAL(t && u && v);
    ASSERT_STR(policy(u, "bypass")->roles.items[0], "b");
    /* t's merged list is its own: v, which only test1.rls touches,
     * keeps test1's list as it was */
    ASSERT_INT(policy(t, "bypass")->roles.n, 2);
    ASSERT_INT(policy(v, "bypass")->roles.n, 1);
    ASSERT_STR(policy(v, "bypass")->roles.items[0], "a");
    bool b_on_t = false;
    for (int i = 0; i < t->policies.n; i++) {
        const IrPolicy *p = t->policies.items[i];
        for (int j = 0; !p->restrictive && j < p->roles.n; j++)
            b_on_t |= strcmp(p->roles.items[j], "b") == 0;
    }
    CU_ASSERT(b_on_t);
}

static void test_generated_names_are_reserved_with_a_location(void)
{
    /* a user's `policy bypass` meets the generated bypass policy: the
     * error must point at the user's policy */
    u_compile(DECLS "role admin bypass;\n"
                      "table t { allow all; policy bypass for select using (true); }\n");
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(), "test.rls:7:29: error: policy name 'bypass'");
    ASSERT_LACKS(u_messages(), "rlsc: error:");
}

static void test_grant_checks_the_django_permission(void)
{
    Ir *ir = u_compile(DECLS "model Invoice {\n"
                               "  grant view to auditor using (x = 1);\n"
                               "  grant 'billing.approve_invoice' for update;\n"
                               "}\n");
    CU_ASSERT_FATAL(ir && ir->tables.n == 1);
    CU_ASSERT(ir->perm_helper == IR_HELPER_V2);
    IrTable *t = ir->tables.items[0];
    ASSERT_STR(names(t), "grant_billing_approve_invoice_update grant_view_invoice_to_auditor_3f699940");
    IrPolicy *view = t->policies.items[1];
    ASSERT_INT(view->cmd, CMD_SELECT);
    /* the runtime's decision for $user first, else the helper, which gets
     * the setting's name, not an id: it answers for $user only */
#define PERM_CHECK(code)                                                                      \
    "(SELECT CASE WHEN pg_catalog.current_setting('rlsc.perms_user', true) IS DISTINCT FROM " \
    "pg_catalog.current_setting('app.user_id', true) "                                        \
    "THEN rlsc.has_perm('app.user_id', 'billing', '" code "') "                               \
    "WHEN '+billing." code "' = ANY (CAST(NULLIF(pg_catalog.current_setting('rlsc.perms', "   \
    "true), '') AS text[])) THEN true "                                                       \
    "WHEN '-billing." code "' = ANY (CAST(NULLIF(pg_catalog.current_setting('rlsc.perms', "   \
    "true), '') AS text[])) THEN false "                                                      \
    "ELSE rlsc.has_perm('app.user_id', 'billing', '" code "') END)"
    ASSERT_STR(view->using_, "(" PERM_CHECK("view_invoice") " AND (\"x\" = 1))");
    IrPolicy *approve = t->policies.items[0];
    ASSERT_INT(approve->cmd, CMD_UPDATE);
    ASSERT_STR(approve->using_, PERM_CHECK("approve_invoice"));
#undef PERM_CHECK
}

static void test_membership_subquery_becomes_any_array_in_rules(void)
{
    /* The rewrite needs the subquery's column type: only a known scalar
     * keeps its meaning inside ARRAY(...). */
    Ir *ir = u_compile_with_catalog(
        "table t { column org bigint; column ids bigint[]; }\n"
        "table orgs { column id bigint; column owner bigint; column member_ids bigint[]; }\n",
        DECLS "table t {\n"
        "  allow select using (org in (select id from orgs where owner = $user));\n"
        "  deny delete using (org not in (select id from orgs));\n"
        "  allow update using (ids in (select member_ids from orgs));\n"
        "  policy verbatim for insert with check (org in (select id from orgs));\n"
        "}\n");
    if (!ir)
        ASSERT_STR(u_messages(), "");
    CU_ASSERT_FATAL(ir && u_table(ir, "t"));
    IrTable *t = u_table(ir, "t");
    CU_ASSERT_FATAL(t->policies.n == 4);
    ASSERT_STR(((IrPolicy *)t->policies.items[0])->using_,
               "(\"org\" = ANY (ARRAY(SELECT \"id\" FROM \"orgs\" WHERE (\"owner\" = "
               USER_SQL "))))");
    ASSERT_HAS(((IrPolicy *)t->policies.items[2])->using_,
               "(\"org\" <> ALL (ARRAY(SELECT \"id\" FROM \"orgs\")))");
    /* an array column stays IN: ARRAY() would make an array of arrays */
    ASSERT_STR(((IrPolicy *)t->policies.items[1])->using_,
               "(\"ids\" IN (SELECT \"member_ids\" FROM \"orgs\"))");
    /* a policy statement is emitted as written */
    ASSERT_STR(policy(t, "verbatim")->check, "(\"org\" IN (SELECT \"id\" FROM \"orgs\"))");
}

static void test_membership_subquery_of_unknown_type_stays_in(void)
{
    IrTable *t = only_table("table t { allow select using (org in (select id from orgs)); }\n");
    ASSERT_STR(((IrPolicy *)t->policies.items[0])->using_,
               "(\"org\" IN (SELECT \"id\" FROM \"orgs\"))");
}

static void test_default_deny_is_warned_about(void)
{
    /* a conditional deny does not say the default deny is meant */
    only_table("table t { allow select; deny delete using (locked); }\n");
    ASSERT_INT(u_warnings(), 1);
    ASSERT_HAS(u_messages(), "warning: no rule allows insert, update, delete on table 't'");
}

static void test_unconditional_deny_silences_default_deny(void)
{
    only_table("table t { allow select; deny delete; }\n");
    ASSERT_INT(u_warnings(), 1);
    ASSERT_HAS(u_messages(), "warning: no rule allows insert, update on table 't'");
    only_table("table t { allow select; deny insert, update, delete; }\n");
    ASSERT_INT(u_warnings(), 0);
}

/* ---- names */

static void test_names_are_readable_and_pinned(void)
{
    /* command, roles, and FNV-1a of the canonical conditions (using, 0x1f,
     * check; contexts unexpanded).  Changing the printer or the hash would
     * rename every deployed policy, so the name is pinned here. */
    IrTable *t = only_table("table t { allow update to clerk using (owner = $user); }\n");
    ASSERT_STR(names(t), "allow_update_to_clerk_3500d9c4");
    ASSERT_INT(util_hash32("(\"owner\" = $user)\x1f"), 0x3500d9c4u);
}

#define R1 "  allow select to auditor;\n"
#define R2 "  allow update to clerk using (owner = $user and status = 'draft');\n"
#define R3 "  deny delete using (status in ('sent', 'paid'));\n"
#define R4 "  allow insert check (owner = $user);\n"

static const char *names_of(const char *rules)
{
    return names(only_table(arena_printf(u_arena(), "table t {\n%s}\n", rules)));
}

static void test_names_survive_adding_removing_reordering(void)
{
    const char *base = names_of(R1 R2 R3);
    ASSERT_INT(u_count(base, " ") + 1, 3);
    ASSERT_STR(names_of(R3 R1 R2), base);   /* reordered */
    ASSERT_STR(names_of(R2 R3 R1), base);
    const char *removed = names_of(R1 R3);  /* R2 removed */
    CU_ASSERT(names_within(removed, base));
    ASSERT_INT(u_count(removed, " ") + 1, 2);
    const char *added = names_of(R4 R1 R2 R3); /* R4 added first */
    CU_ASSERT(names_within(base, added));
    ASSERT_INT(u_count(added, " ") + 1, 4);
}

static void test_names_survive_reformatting(void)
{
    const char *base = names_of(R2 R3);
    const char *reformatted = names_of(
        "  -- the same rules, written differently\n"
        "  ALLOW Update TO Clerk USING ( ((Owner) = $User)\n"
        "      /* comment */ AND (status = 'draft') );\n"
        "  deny delete using ((status) in ('sent','paid'));\n");
    ASSERT_STR(reformatted, base);
}

static void test_names_fit_in_63_bytes(void)
{
    const char *r40a = "role_with_a_really_long_name_number_0001";
    const char *r40b = "role_with_a_really_long_name_number_0002";
    IrTable *t = only_table(arena_printf(
        u_arena(),
        "role %s; role %s;\n"
        "table t {\n"
        "  allow select to %s, %s using (a = 1);\n"
        "  allow select to %s using (a = 1);\n"
        "  allow select to %s using (a = 1);\n"
        "}\n",
        r40a, r40b, r40a, r40b, r40a, r40b));
    CU_ASSERT_FATAL(t->policies.n == 3);
    for (int i = 0; i < 3; i++) {
        const char *n = ((IrPolicy *)t->policies.items[i])->name;
        CU_ASSERT(strlen(n) <= 63);
        CU_ASSERT(strncmp(n, "allow_select_to_role_with_a_really", 34) == 0);
    }
    /* truncated names stay distinct */
    CU_ASSERT(strcmp(((IrPolicy *)t->policies.items[0])->name,
                     ((IrPolicy *)t->policies.items[1])->name) != 0);
    CU_ASSERT(strcmp(((IrPolicy *)t->policies.items[1])->name,
                     ((IrPolicy *)t->policies.items[2])->name) != 0);
}

static void test_distinct_roles_give_distinct_names(void)
{
    /* "a-b" and a_b are different roles; their rules are different
     * policies and must not be taken for a repeated rule */
    Ir *ir = u_compile(DECLS "role \"a-b\"; role a_b;\n"
                               "table t { allow select to \"a-b\"; allow select to a_b; }\n");
    ASSERT_INT(u_errors(), 0);
    CU_ASSERT(ir && u_table(ir, "t") && u_table(ir, "t")->policies.n == 2);
}

static void test_custom_permissions_of_two_apps_give_distinct_names(void)
{
    Ir *ir = u_compile(DECLS "model Invoice {\n"
                               "  grant 'billing.approve' for update;\n"
                               "  grant 'sales.approve' for update;\n"
                               "}\n");
    ASSERT_INT(u_errors(), 0);
    CU_ASSERT(ir && ir->tables.n == 1
              && ((IrTable *)ir->tables.items[0])->policies.n == 2);
}

/* ---- errors check and lowering report */

static void test_duplicate_policy_name_is_an_error(void)
{
    u_compile(DECLS "table t { policy p for select using (true); policy p; }\n");
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(), "error: policy name 'p' is already used on table 't'");
    ASSERT_HAS(u_messages(), "note: the earlier one is here");
}

/* Duplicates are found by a scan of the table's policies, and through a
 * map once a table has more than 32: both ways, an early and a late
 * policy repeated, and the tenant name taken by a policy. */
static void test_duplicate_names_on_a_table_with_many_policies(void)
{
    Arena *a = u_arena();
    StrBuf src;
    sb_init(&src, a);
    sb_puts(&src, DECLS "model Invoice {\n  tenant org;\n");
    for (int i = 0; i < 60; i++)
        sb_printf(&src, "  policy p%d for select using (true);\n", i);
    sb_puts(&src, "  policy p3 for select using (false);\n"
                  "  policy p45 for select using (false);\n"
                  "  allow select;\n  allow select;\n}\n");
    Ir *ir = u_compile(sb_str(&src));
    CU_ASSERT_PTR_NULL(ir);
    ASSERT_INT(u_errors(), 3);
    ASSERT_HAS(u_messages(), "error: policy name 'p3' is already used on table 'billing_invoice'");
    ASSERT_HAS(u_messages(), "error: policy name 'p45' is already used on table 'billing_invoice'");
    ASSERT_HAS(u_messages(), "error: this rule repeats an earlier one (both are policy 'allow_select')");
    ASSERT_INT(u_count(u_messages(), "note: the earlier one is here"), 3);

    /* past 32 policies the tenant policy still finds a policy that took
     * its name */
    sb_init(&src, a);
    sb_puts(&src, DECLS "model Invoice {\n");
    for (int i = 0; i < 40; i++)
        sb_printf(&src, "  policy p%d for select using (true);\n", i);
    sb_puts(&src, "  policy tenant for select using (true);\n  tenant org;\n}\n");
    u_compile(sb_str(&src));
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(), "error: policy name 'tenant' is already used on table "
                             "'billing_invoice' by the tenant policy");
}

static void test_repeated_rule_is_an_error(void)
{
    u_compile(DECLS "table t { allow select; allow select, insert; }\n");
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(),
               "test.rls:6:25: error: this rule repeats an earlier one "
               "(both are policy 'allow_select')");
}

static void test_unknown_context_suggests_a_close_one(void)
{
    u_compile(DECLS "table t { allow select using (org = $tenat or x = $nothing_like_it); }\n");
    ASSERT_INT(u_errors(), 2);
    ASSERT_HAS(u_messages(),
               "test.rls:6:37: error: unknown context '$tenat'; did you mean '$tenant'?\n");
    ASSERT_HAS(u_messages(), "error: unknown context '$nothing_like_it'\n");
}

static void test_undeclared_role_is_an_error(void)
{
    u_compile(DECLS "table t { allow select to audtor, public; }\n");
    ASSERT_INT(u_errors(), 1); /* public needs no declaration */
    ASSERT_HAS(u_messages(),
               "error: role 'audtor' is not declared (add `role audtor;`); "
               "did you mean 'auditor'?");
}

static void test_conditions_must_fit_the_commands(void)
{
    u_compile(DECLS "table t {\n"
                      "  allow select check (a = 1);\n"            /* 1 */
                      "  allow delete check (a = 1);\n"            /* 2 */
                      "  allow insert using (a = 1) check (b = 1);\n" /* 3 */
                      "  deny update check (a = 1);\n"             /* 4 */
                      "  policy p1 for insert using (a = 1);\n"    /* 5 */
                      "  policy p2 for select with check (a = 1);\n" /* 6 */
                      "  allow all check (a = 1);\n"               /* fine */
                      "}\n");
    ASSERT_INT(u_errors(), 6);
    const char *m = u_messages();
    ASSERT_HAS(m, "test.rls:7:23: error: check guards new rows, but select writes none; use using");
    ASSERT_HAS(m, "error: check guards new rows, but delete writes none; use using");
    ASSERT_HAS(m, "error: insert has only new rows: give the condition once");
    ASSERT_HAS(m, "error: deny takes no check");
    ASSERT_HAS(m, "error: a policy for insert cannot have USING");
    ASSERT_HAS(m, "error: a policy for select cannot have WITH CHECK");
}

static void test_declarations_are_checked(void)
{
    u_compile("context tenant bigint = 'tenant_id';\n" /* no dot */
              "role public;\n"                         /* reserved */
              "role clerk; role clerk;\n"              /* twice */
              "model Invoice { tenant org_id; grant view; }\n" /* no app, no $user */
              "table t { grant veiw; }\n");            /* unknown, and not a model */
    const char *m = u_messages();
    ASSERT_HAS(m, "error: setting name 'tenant_id' must be dotted identifiers");
    ASSERT_HAS(m, "error: role name 'public' is reserved by PostgreSQL");
    ASSERT_HAS(m, "error: role 'clerk' is declared twice");
    ASSERT_HAS(m, "error: model 'invoice' needs the Django app label: add `app LABEL;`");
    ASSERT_HAS(m, "error: grant needs `context user TYPE = 'app.user_id';`");
    ASSERT_HAS(m, "error: unknown permission 'veiw': use view, add, change, delete or "
                  "'app.codename' for CMD; did you mean 'view'?");
    ASSERT_INT(u_errors(), 7);
}

static void test_blocks_and_policies_are_placed_once(void)
{
    u_compile(DECLS "table t { allow all; }\n"
                      "table t { allow select; }\n"
                      "table u { policy p on u; tenant a; tenant b; }\n");
    const char *m = u_messages();
    ASSERT_HAS(m, "error: table 't' already has a block");
    ASSERT_HAS(m, "error: inside a block the policy applies to the block's table: omit `on u`");
    ASSERT_HAS(m, "error: a block has one tenant column");
    ASSERT_INT(u_errors(), 3);
}

static void test_top_level_policy_needs_on(void)
{
    /* run in a child: this input once crashed the type checker */
    ASSERT_INT(u_compile_isolated("policy q for select;\n"), 1);
    u_parse("policy q for select;\n");
    ASSERT_INT(u_errors(), 0); /* the grammar allows it; check rejects it */
}

static CU_TestInfo lower_tests[] = {
    {"tables sort by schema, then name", test_tables_sort_by_schema_then_name},
    {"policies sort by name", test_policies_sort_by_name},
    {"model M becomes table app_m", test_model_becomes_app_underscore_model},
    {"app label is a Python identifier", test_app_label_is_a_python_identifier},
    {"long model table names are truncated as Django does", test_long_model_table_names_are_truncated_as_django_does},
    {"no force, and tables of top-level policies", test_no_force_and_top_level_policy_tables},
    {"tenant is a restrictive FOR ALL policy", test_tenant_is_a_restrictive_all_policy},
    {"tenant path follows foreign keys", test_tenant_path_follows_foreign_keys},
    {"tenant path steps resolve as Django fields", test_tenant_path_steps_resolve_as_django_fields},
    {"tenant path is exempt for bypass roles", test_tenant_path_is_exempt_for_bypass_roles},
    {"tenant path change alters the tenant policy", test_tenant_path_change_alters_the_tenant_policy},
    {"tenant path needs a catalog", test_tenant_path_needs_a_catalog},
    {"tenant path errors point at the step", test_tenant_path_errors_point_at_the_step},
    {"context reads are fail-closed and typed", test_context_reads_are_fail_closed_and_typed},
    {"allow makes one policy per command", test_allow_makes_one_policy_per_command},
    {"allow all is one FOR ALL policy", test_allow_all_is_one_for_all_policy},
    {"insert gets only WITH CHECK", test_insert_gets_only_with_check},
    {"select and delete get only USING", test_select_and_delete_get_only_using},
    {"update with check has both", test_update_with_check_has_both},
    {"deny is restrictive: (COND) IS NOT TRUE", test_deny_is_restrictive_is_not_true},
    {"bypass roles get a policy and an exemption", test_bypass_roles_get_a_policy_and_an_exemption},
    {"bypass covers every table a file touches", test_bypass_covers_every_table_a_file_touches},
    {"generated names are reserved, with a location", test_generated_names_are_reserved_with_a_location},
    {"grant checks the Django permission", test_grant_checks_the_django_permission},
    {"x in (select) becomes = ANY (ARRAY()) in rules", test_membership_subquery_becomes_any_array_in_rules},
    {"x in (select) of unknown type stays IN", test_membership_subquery_of_unknown_type_stays_in},
    {"default deny is warned about", test_default_deny_is_warned_about},
    {"an unconditional deny silences it", test_unconditional_deny_silences_default_deny},
    {"names are readable and pinned", test_names_are_readable_and_pinned},
    {"names survive adding, removing, reordering", test_names_survive_adding_removing_reordering},
    {"names survive reformatting", test_names_survive_reformatting},
    {"names fit in 63 bytes", test_names_fit_in_63_bytes},
    {"distinct roles give distinct names", test_distinct_roles_give_distinct_names},
    {"custom permissions of two apps give distinct names", test_custom_permissions_of_two_apps_give_distinct_names},
    {"duplicate policy name is an error", test_duplicate_policy_name_is_an_error},
    {"duplicate names on a table with many policies", test_duplicate_names_on_a_table_with_many_policies},
    {"repeated rule is an error", test_repeated_rule_is_an_error},
    {"unknown context suggests a close one", test_unknown_context_suggests_a_close_one},
    {"undeclared role is an error", test_undeclared_role_is_an_error},
    {"conditions must fit the commands", test_conditions_must_fit_the_commands},
    {"declarations are checked", test_declarations_are_checked},
    {"blocks and policies are placed once", test_blocks_and_policies_are_placed_once},
    {"top-level policy needs `on TABLE`", test_top_level_policy_needs_on},
    CU_TEST_INFO_NULL,
};

void add_lower_suite(void) { unit_add_suite("lower", lower_tests); }
