/*
 * lint.c — `rlsc check`'s lints: policies that compile but likely do not
 * say what their author meant.  Each is a warning with an id (diag_rules
 * in diag.c) that `-- rlsc: allow ID` silences (diag_pragma).
 *
 * Lints that are about what PostgreSQL will do with the policies read the
 * IR (its policies are what gets created: permissive ones OR, restrictive
 * ones AND); lints about how a condition is written read the typed AST,
 * which keeps every expression's place.  Every lint flags only what is
 * certain: a condition is called constant only when it is so for every
 * row, and an unconditional write only when no restrictive policy narrows
 * it for that role.
 */
#include "compile.h"

#include <stdlib.h>
#include <string.h>

typedef struct Lint {
    Arena *arena;
    Diag *diag;
    const Catalog *cat;
    const Ir *ir;
} Lint;

static bool lint_is_true(const char *sql) { return !sql || strcmp(sql, "true") == 0; }

static bool lint_counts(const IrPolicy *p)
{
    return p->origin != IR_FROM_BYPASS && p->origin != IR_FROM_HOLDER;
}

static bool lint_has_role(const IrPolicy *p, const char *role)
{
    for (int i = 0; i < p->roles.n; i++)
        if (strcmp(p->roles.items[i], role) == 0)
            return true;
    return false;
}

/* Does p apply to role (NULL: the roles no policy names)? */
static bool lint_applies(const IrPolicy *p, const char *role)
{
    return p->roles.n == 0 || (role && lint_has_role(p, role));
}

static bool lint_bypass(const Lint *l, const char *role)
{
    for (int i = 0; i < l->ir->roles.n; i++) {
        const IrRole *r = l->ir->roles.items[i];
        if (r->bypass && strcmp(r->name, role) == 0)
            return true;
    }
    return false;
}

/* The roles a table's policies name (bypass roles aside), then NULL for
 * every other role. */
static PtrVec lint_role_cells(const Lint *l, const IrTable *t)
{
    PtrVec cells = {0};
    Map *seen = map_new(l->arena);
    for (int i = 0; i < t->policies.n; i++) {
        const IrPolicy *p = t->policies.items[i];
        if (!lint_counts(p))
            continue;
        for (int k = 0; k < p->roles.n; k++) {
            const char *r = p->roles.items[k];
            if (!lint_bypass(l, r) && !map_get(seen, r)) {
                map_put(seen, r, (void *)r);
                vec_push(l->arena, &cells, (void *)r);
            }
        }
    }
    vec_sort_strings(&cells);
    vec_push(l->arena, &cells, NULL);
    return cells;
}

static const char *lint_table_name(const Lint *l, const IrTable *t)
{
    return t->schema ? arena_printf(l->arena, "%s.%s", t->schema, t->name) : t->name;
}

static const char *lint_cmds(const Lint *l, CmdSet cmds)
{
    StrBuf sb;
    sb_init(&sb, l->arena);
    for (CmdSet c = CMD_SELECT; c <= CMD_DELETE; c <<= 1)
        if (cmds & c)
            sb_printf(&sb, "%s%s", sb.len ? ", " : "", cmd_name(c));
    return sb_str(&sb);
}

/* ---- RLS101: permissive rules that OR together */

typedef struct OrGroup {
    const char *key; /* the rules' places */
    PtrVec policies; /* IrPolicy*, one per rule, in source order */
    CmdSet cmds;
    PtrVec roles;    /* const char *; NULL: other roles */
} OrGroup;

static int lint_by_loc(const void *a, const void *b)
{
    const IrPolicy *p = *(const IrPolicy *const *)a, *q = *(const IrPolicy *const *)b;
    return (p->loc.start > q->loc.start) - (p->loc.start < q->loc.start);
}

static void lint_permissive_or(Lint *l, const IrTable *t)
{
    PtrVec cells = lint_role_cells(l, t);
    Map *groups = map_new(l->arena);
    PtrVec order = {0};
    for (CmdSet c = CMD_SELECT; c <= CMD_DELETE; c <<= 1)
        for (int ri = 0; ri < cells.n; ri++) {
            const char *role = cells.items[ri];
            /* one entry per rule: a rule for several commands is several
             * policies at one place */
            PtrVec hit = {0};
            for (int i = 0; i < t->policies.n; i++) {
                const IrPolicy *p = t->policies.items[i];
                if (!lint_counts(p) || p->restrictive || !(p->cmd & c) || !lint_applies(p, role))
                    continue;
                bool seen = false;
                for (int k = 0; k < hit.n; k++)
                    seen |= ((const IrPolicy *)hit.items[k])->loc.start == p->loc.start;
                if (!seen)
                    vec_push(l->arena, &hit, (void *)p);
            }
            if (hit.n > 1)
                qsort(hit.items, (size_t)hit.n, sizeof(void *), lint_by_loc);
            StrBuf key;
            sb_init(&key, l->arena);
            for (int k = 0; k < hit.n; k++)
                sb_printf(&key, "%d,", ((const IrPolicy *)hit.items[k])->loc.start);
            if (hit.n < 2)
                continue;
            OrGroup *g = map_get(groups, sb_str(&key));
            if (!g) {
                g = arena_alloc(l->arena, sizeof *g);
                memset(g, 0, sizeof *g);
                g->key = sb_str(&key);
                g->policies = hit;
                map_put(groups, g->key, g);
                vec_push(l->arena, &order, g);
            }
            g->cmds |= c;
            bool have = false;
            for (int k = 0; k < g->roles.n; k++)
                have |= g->roles.items[k] == role;
            if (!have)
                vec_push(l->arena, &g->roles, (void *)role);
        }
    for (int gi = 0; gi < order.n; gi++) {
        OrGroup *g = order.items[gi];
        StrBuf roles;
        sb_init(&roles, l->arena);
        for (int k = 0; k < g->roles.n; k++) {
            const char *r = g->roles.items[k];
            sb_printf(&roles, "%s%s", k ? ", " : "", r ? r : "every other role");
        }
        const IrPolicy *last = g->policies.items[g->policies.n - 1];
        diag_lint(l->diag, "RLS101", last->loc,
                  "%d permissive rules OR together on table '%s' for %s (to %s): a row "
                  "passes when any one of them admits it",
                  g->policies.n, lint_table_name(l, t), lint_cmds(l, g->cmds), sb_str(&roles));
        for (int k = 0; k < g->policies.n - 1; k++) {
            const IrPolicy *p = g->policies.items[k];
            diag_note(l->diag, p->loc, "it ORs with this rule");
        }
    }
}

/* ---- RLS103: a write with no condition */

/* Is p's condition for command c "every row"? */
static bool lint_unconditional(const IrPolicy *p, CmdSet c)
{
    const char *check = p->check ? p->check : p->using_;
    if (c == CMD_INSERT)
        return lint_is_true(check);
    if (c == CMD_UPDATE)
        return lint_is_true(p->using_) && lint_is_true(check);
    return lint_is_true(p->using_);
}

/* Does a restrictive policy narrow command c for role (NULL: roles no
 * policy names)? */
static bool lint_restricted(const IrTable *t, CmdSet c, const char *role)
{
    for (int i = 0; i < t->policies.n; i++) {
        const IrPolicy *p = t->policies.items[i];
        if (p->restrictive && (p->cmd & c) && lint_applies(p, role))
            return true;
    }
    return false;
}

static void lint_unconditional_write(Lint *l, const IrTable *t)
{
    /* one warning per rule: its policies share its place */
    Map *done = map_new(l->arena);
    for (int i = 0; i < t->policies.n; i++) {
        const IrPolicy *p = t->policies.items[i];
        if (!lint_counts(p) || p->restrictive)
            continue;
        const char *key = arena_printf(l->arena, "%d", p->loc.start);
        if (map_get(done, key))
            continue;
        CmdSet flagged = 0;
        for (int k = i; k < t->policies.n; k++) {
            const IrPolicy *q = t->policies.items[k];
            if (!lint_counts(q) || q->restrictive || q->loc.start != p->loc.start)
                continue;
            for (CmdSet c = CMD_INSERT; c <= CMD_DELETE; c <<= 1) {
                if (!(q->cmd & c) || !lint_unconditional(q, c))
                    continue;
                bool open = false;
                if (q->roles.n == 0)
                    open = !lint_restricted(t, c, NULL);
                for (int r = 0; r < q->roles.n && !open; r++)
                    open = !lint_restricted(t, c, q->roles.items[r]);
                if (open)
                    flagged |= c;
            }
        }
        if (!flagged)
            continue;
        map_put(done, key, (void *)key);
        diag_lint(l->diag, "RLS103", p->loc,
                  "this rule allows %s on table '%s' with no condition, and no tenant or deny "
                  "rule narrows it: %s may write any row",
                  lint_cmds(l, flagged), lint_table_name(l, t),
                  p->roles.n ? "the roles it names" : "every role");
    }
}

/* ---- RLS104: an `all` rule's using widens select */

/* PostgreSQL applies a FOR ALL policy's USING to SELECT too.  An UPDATE
 * policy's USING does not widen SELECT: an UPDATE that reads rows needs
 * the SELECT policies as well (CREATE POLICY, "Policies Applied by
 * Command Type"), so update rules are not flagged. */
static void lint_all_widens_select(Lint *l, const IrTable *t)
{
    for (int i = 0; i < t->policies.n; i++) {
        const IrPolicy *p = t->policies.items[i];
        /* without a condition, `all` says "everything" plainly */
        if (!lint_counts(p) || p->restrictive || p->cmd != CMD_ALL || lint_is_true(p->using_))
            continue;
        /* a select rule with a condition, for some of its roles; none if
         * a select rule already admits every row to all of them */
        const IrPolicy *sel = NULL;
        bool covered = false;
        for (int k = 0; k < t->policies.n; k++) {
            const IrPolicy *q = t->policies.items[k];
            if (q == p || !lint_counts(q) || q->restrictive || q->cmd != CMD_SELECT)
                continue;
            /* overlap: q applies to some role p does; all: to every one */
            bool overlap = !p->roles.n || !q->roles.n, all = !q->roles.n;
            if (!all && p->roles.n) {
                all = true;
                for (int r = 0; r < p->roles.n; r++) {
                    bool has = lint_has_role(q, p->roles.items[r]);
                    overlap |= has;
                    all &= has;
                }
            }
            if (lint_is_true(q->using_) && all)
                covered = true;
            else if (overlap && !lint_is_true(q->using_) && !sel)
                sel = q;
        }
        if (covered || !sel)
            continue;
        diag_lint(l->diag, "RLS104", p->loc,
                  "this rule is for all commands, so its using also admits rows to select on "
                  "table '%s', beside the select rules: a row it admits is visible where they "
                  "would hide it; name the write commands if select is meant to follow them",
                  lint_table_name(l, t));
        diag_note(l->diag, sel->loc, "policy \"%s\" is a select rule it widens", sel->name);
    }
}

/* ---- walking the conditions of the files */

typedef void (*LintVisit)(Lint *l, const AstFile *f, const Block *b, const Rule *r,
                          const Expr *e);

static void lint_walk(Lint *l, const AstFile *f, const Block *b, const Rule *r, const Expr *e,
                      LintVisit visit);

static void lint_walk_select(Lint *l, const AstFile *f, const Block *b, const Rule *r,
                             const Select *s, LintVisit visit)
{
    if (!s)
        return;
    lint_walk(l, f, b, r, s->target, visit);
    lint_walk(l, f, b, r, s->where, visit);
}

/* Conditions are at most AST_MAX_DEPTH deep (the parser refuses deeper
 * ones), so recursion is bounded. */
static void lint_walk(Lint *l, const AstFile *f, const Block *b, const Rule *r, const Expr *e,
                      LintVisit visit)
{
    if (!e)
        return;
    visit(l, f, b, r, e);
    lint_walk(l, f, b, r, e->a, visit);
    lint_walk(l, f, b, r, e->b, visit);
    lint_walk(l, f, b, r, e->c, visit);
    for (int i = 0; i < e->args.n; i++)
        lint_walk(l, f, b, r, e->args.items[i], visit);
    lint_walk_select(l, f, b, r, e->sub, visit);
}

/* Every condition a user wrote: allow, deny, grant, policy (tenant
 * conditions are built by the checker and are nobody's writing). */
static void lint_conditions(Lint *l, AstFile **files, int nfiles, LintVisit visit,
                            void (*rule_visit)(Lint *, const AstFile *, const Block *,
                                               const Rule *))
{
    for (int fi = 0; fi < nfiles; fi++) {
        const AstFile *f = files[fi];
        for (int bi = 0; bi <= f->blocks.n; bi++) {
            const Block *b = bi < f->blocks.n ? f->blocks.items[bi] : NULL;
            const PtrVec *rules = b ? &b->rules : &f->policies;
            for (int ri = 0; ri < rules->n; ri++) {
                const Rule *r = rules->items[ri];
                if (r->kind == R_TENANT || r->kind == R_NOFORCE)
                    continue;
                if (rule_visit)
                    rule_visit(l, f, b, r);
                if (visit) {
                    lint_walk(l, f, b, r, r->using_, visit);
                    lint_walk(l, f, b, r, r->check, visit);
                }
            }
        }
    }
}

/* ---- RLS102: a table without `tenant` in a file with `context tenant` */

static void lint_missing_tenant(Lint *l, AstFile **files, int nfiles)
{
    for (int fi = 0; fi < nfiles; fi++) {
        const AstFile *f = files[fi];
        bool has_context = false;
        for (int i = 0; i < f->contexts.n; i++)
            has_context |= strcmp(((const ContextDecl *)f->contexts.items[i])->name.name,
                                  "tenant") == 0;
        if (!has_context)
            continue;
        for (int bi = 0; bi < f->blocks.n; bi++) {
            const Block *b = f->blocks.items[bi];
            if (!b->rules.n)
                continue; /* catalog declarations */
            bool tenant = false;
            for (int ri = 0; ri < b->rules.n; ri++)
                tenant |= ((const Rule *)b->rules.items[ri])->kind == R_TENANT;
            if (!tenant)
                diag_lint(l->diag, "RLS102", b->name.loc,
                          "%s '%s' has no `tenant` rule, but this file declares `context "
                          "tenant`: its rows are not kept apart by tenant",
                          b->is_model ? "model" : "table", b->name.name);
        }
    }
}

/* ---- RLS105: volatile functions */

/* The prelude's declarations carry no volatility: these are its
 * functions that pg_proc marks volatile (provolatile 'v'). */
static const char *const lint_volatile[] = {
    "clock_timestamp", "gen_random_uuid", "random", "timeofday",
};

/* The functions a call may be: of its name, schema (when written) and
 * argument count (defaults and VARIADIC aside: those count as maybe). */
static PtrVec lint_candidates(const Lint *l, const Expr *e)
{
    PtrVec out = {0};
    const PtrVec *fs = cat_funcs(l->cat, e->text);
    for (int i = 0; fs && i < fs->n; i++) {
        const CatFunc *fn = fs->items[i];
        if (e->qual && (!fn->schema || strcmp(fn->schema, e->qual) != 0))
            continue;
        if (!fn->variadic && (e->args.n > fn->args.n || e->args.n < fn->args.n - fn->ndefaults))
            continue;
        vec_push(l->arena, &out, (void *)fn);
    }
    return out;
}

static void lint_visit_volatile(Lint *l, const AstFile *f, const Block *b, const Rule *r,
                                const Expr *e)
{
    (void)f, (void)b, (void)r;
    if (e->kind != E_FUNC)
        return;
    bool is_volatile = false;
    if (!e->qual || strcmp(e->qual, "pg_catalog") == 0)
        for (size_t i = 0; i < sizeof lint_volatile / sizeof *lint_volatile; i++)
            is_volatile |= strcmp(e->text, lint_volatile[i]) == 0;
    /* from a live database: every function the call may be is volatile */
    PtrVec cands = lint_candidates(l, e);
    if (!is_volatile && cands.n) {
        is_volatile = true;
        for (int i = 0; i < cands.n; i++)
            is_volatile &= ((const CatFunc *)cands.items[i])->volatility == 'v';
    }
    if (is_volatile)
        diag_lint(l->diag, "RLS105", e->loc,
                  "%s() is volatile: PostgreSQL calls it again for every row, and a row "
                  "may pass once and fail the next time",
                  e->text);
}

/* ---- RLS110: functions that are not LEAKPROOF given a row's columns (--db) */

/* Whether e reads a column (of the policy's table or of a subquery's). */
static bool lint_reads_row(const Expr *e)
{
    if (!e)
        return false;
    if (e->kind == E_COLUMN)
        return true;
    if (lint_reads_row(e->a) || lint_reads_row(e->b) || lint_reads_row(e->c))
        return true;
    for (int i = 0; i < e->args.n; i++)
        if (lint_reads_row(e->args.items[i]))
            return true;
    return e->sub && (lint_reads_row(e->sub->target) || lint_reads_row(e->sub->where));
}

/* PostgreSQL evaluates a policy's condition on rows the policy then hides:
 * a function given their columns that raises an error or a notice with
 * what it was given shows a hidden row to the user (what LEAKPROOF
 * promises not to do).  Only functions the database describes (user
 * functions; its builtins come from the prelude, which has no such flag),
 * and not rlsc's own helpers (their arguments are constants). */
static void lint_visit_leaky(Lint *l, const AstFile *f, const Block *b, const Rule *r,
                             const Expr *e)
{
    (void)f, (void)b, (void)r;
    if (e->kind != E_FUNC || (e->qual && strcmp(e->qual, "rlsc") == 0))
        return;
    bool row = false;
    for (int i = 0; i < e->args.n && !row; i++)
        row = lint_reads_row(e->args.items[i]);
    PtrVec cands = lint_candidates(l, e);
    bool leaky = row && cands.n;
    for (int i = 0; i < cands.n; i++)
        leaky &= ((const CatFunc *)cands.items[i])->leakproof == 'f';
    if (leaky)
        diag_lint(l->diag, "RLS110", e->loc,
                  "%s() is not LEAKPROOF and is given the row's columns: an error or notice "
                  "it raises can show a row the policy hides (mark it LEAKPROOF if it cannot, "
                  "or silence this)", e->text);
}

/* ---- RLS109: SECURITY DEFINER functions PUBLIC may execute (--db) */

/* rlsc's own helpers (schema rlsc: has_perm) are SECURITY DEFINER on
 * purpose and hardened (a fixed search_path, STABLE, they answer only for
 * the current $user); every role the policies apply to must execute them,
 * so they are not flagged (README, "Security model"). */
static void lint_visit_definer(Lint *l, const AstFile *f, const Block *b, const Rule *r,
                               const Expr *e)
{
    (void)f, (void)b, (void)r;
    if (e->kind != E_FUNC)
        return;
    PtrVec cands = lint_candidates(l, e);
    for (int i = 0; i < cands.n; i++) {
        const CatFunc *fn = cands.items[i];
        if (fn->secdef && fn->public_execute && !(fn->schema && strcmp(fn->schema, "rlsc") == 0)) {
            diag_lint(l->diag, "RLS109", e->loc,
                      "%s.%s() is SECURITY DEFINER and PUBLIC may execute it: any role can "
                      "call it with its owner's rights, outside the policy too; REVOKE "
                      "EXECUTE FROM PUBLIC and grant it to the roles the policy is for",
                      fn->schema, fn->name);
            return;
        }
    }
}

/* ---- RLS108: columns looked up without an index (--db) */

typedef struct LintScope {
    const char *alias;   /* NULL: none */
    const CatTable *table;
} LintScope;

enum { LINT_MAX_SCOPES = 64 };

static const CatTable *lint_scope_table(const LintScope *st, int depth, const Expr *col)
{
    if (col->qual)
        for (int i = depth - 1; i >= 0; i--)
            if (st[i].alias && strcmp(st[i].alias, col->qual) == 0)
                return st[i].table;
    if (col->level >= 0 && col->level < depth)
        return st[depth - 1 - col->level].table;
    return depth ? st[depth - 1].table : NULL;
}

static void lint_need_index(Lint *l, const CatTable *t, const char *column, Span at,
                            const char *why)
{
    const CatColumn *c = t && column ? map_get(t->by_name, column) : NULL;
    if (!c || c->indexed)
        return;
    diag_lint(l->diag, "RLS108", at,
              "column '%s' of table '%s' leads no index, and %s looks rows up by it: "
              "PostgreSQL reads the whole table for each query; CREATE INDEX ON %s (%s)",
              c->name, t->name, why, t->name, c->name);
}

/* Columns on the left of IN (subquery) and, in a tenant path, compared
 * with a context: the lookups the policy makes. */
static void lint_index_walk(Lint *l, LintScope *st, int depth, const Expr *e, bool tenant)
{
    if (!e)
        return;
    const char *why = tenant ? "the tenant path" : "the membership test";
    if (e->kind == E_IN_SUBQ && !e->negated && e->a && e->a->kind == E_COLUMN)
        lint_need_index(l, lint_scope_table(st, depth, e->a), e->a->text, e->a->loc, why);
    /* in a subquery (or a tenant path), `col = $ctx` finds the rows */
    if ((tenant || depth > 1) && e->kind == E_BINARY && e->op == OP_EQ && e->a
        && e->a->kind == E_COLUMN && e->b && e->b->kind == E_CONTEXT)
        lint_need_index(l, lint_scope_table(st, depth, e->a), e->a->text, e->a->loc, why);
    if (e->kind == E_BINARY && (e->op == OP_AND || e->op == OP_OR)) {
        lint_index_walk(l, st, depth, e->a, tenant);
        lint_index_walk(l, st, depth, e->b, tenant);
    }
    if (e->sub && e->sub->where && depth < LINT_MAX_SCOPES) {
        st[depth] = (LintScope){e->sub->alias,
                                e->sub->from.name ? cat_table(l->cat, e->sub->from.schema,
                                                              e->sub->from.name) : NULL};
        lint_index_walk(l, st, depth + 1, e->sub->where, tenant);
    }
}

static void lint_indexes(Lint *l, AstFile **files, int nfiles)
{
    if (!l->cat->has_indexes)
        return;
    for (int fi = 0; fi < nfiles; fi++) {
        const AstFile *f = files[fi];
        for (int bi = 0; bi < f->blocks.n; bi++) {
            const Block *b = f->blocks.items[bi];
            LintScope st[LINT_MAX_SCOPES];
            st[0] = (LintScope){NULL, b->table.name ? cat_table(l->cat, b->table.schema,
                                                                b->table.name) : NULL};
            for (int ri = 0; ri < b->rules.n; ri++) {
                const Rule *r = b->rules.items[ri];
                if (r->kind == R_TENANT && !r->using_)
                    lint_need_index(l, st[0].table, r->column.name, r->column.loc,
                                    "the tenant rule");
                else if (r->kind != R_NOFORCE) {
                    lint_index_walk(l, st, 1, r->using_, r->kind == R_TENANT);
                    lint_index_walk(l, st, 1, r->check, false);
                }
            }
        }
    }
}

/* ---- RLS106: current_user under a shared application role */

/* A file with `app` or a context describes an application that connects
 * as one role for every person and says who they are through contexts:
 * there current_user and session_user name that shared role. */
static void lint_visit_current_user(Lint *l, const AstFile *f, const Block *b, const Rule *r,
                                    const Expr *e)
{
    (void)b, (void)r;
    if (e->kind != E_SPECIAL || (!f->app.name && !f->contexts.n)
        || (strcmp(e->text, "current_user") != 0 && strcmp(e->text, "session_user") != 0))
        return;
    diag_lint(l->diag, "RLS106", e->loc,
              "%s is the database role of the connection; this file %s, so the application "
              "connects as one shared role and %s names that role, not the person: compare "
              "a context such as $user",
              e->text, f->app.name ? "names a Django app" : "declares contexts", e->text);
}

/* ---- RLS107: conditions that are constant */

typedef enum Tri { T_UNKNOWN, T_TRUE, T_FALSE, T_NULL } Tri;

static const CatColumn *lint_column(const Lint *l, const Block *b, const Rule *r,
                                    const Expr *e)
{
    if (e->kind != E_COLUMN || e->level != 0)
        return NULL;
    const char *schema, *name;
    if (b) {
        schema = b->table.schema;
        name = b->table.name;
    } else if (r->kind == R_POLICY && r->has_on) {
        schema = r->on.schema;
        name = r->on.name;
    } else {
        return NULL;
    }
    const CatTable *t = name ? cat_table(l->cat, schema, name) : NULL;
    return t && t->by_name ? map_get(t->by_name, e->text) : NULL;
}

/* Integers only: a number with a dot or exponent is compared by nobody
 * here. */
static bool lint_int(const Expr *e, long long *v)
{
    if (e->kind != E_NUMBER || strspn(e->text, "0123456789") != strlen(e->text)
        || strlen(e->text) > 18)
        return false;
    *v = strtoll(e->text, NULL, 10);
    return true;
}

static Tri lint_fold(const Lint *l, const Block *b, const Rule *r, const Expr *e)
{
    if (!e)
        return T_UNKNOWN;
    switch (e->kind) {
    case E_BOOL:
        return strcmp(e->text, "true") == 0 ? T_TRUE : T_FALSE;
    case E_NULL:
        return T_NULL;
    case E_UNARY:
        if (e->op == OP_NOT) {
            Tri a = lint_fold(l, b, r, e->a);
            return a == T_TRUE ? T_FALSE : a == T_FALSE ? T_TRUE : a;
        }
        return T_UNKNOWN;
    case E_IS: {
        Tri a = lint_fold(l, b, r, e->a);
        const CatColumn *col = lint_column(l, b, r, e->a);
        Tri v = T_UNKNOWN;
        if (e->op == OP_IS_NULL) {
            if (a != T_UNKNOWN || (e->a && e->a->kind == E_NUMBER))
                v = a == T_NULL ? T_TRUE : T_FALSE;
            else if (col && col->not_null)
                v = T_FALSE;
        } else if (e->op == OP_IS_TRUE && a != T_UNKNOWN) {
            v = a == T_TRUE ? T_TRUE : T_FALSE;
        } else if (e->op == OP_IS_FALSE && a != T_UNKNOWN) {
            v = a == T_FALSE ? T_TRUE : T_FALSE;
        }
        if (v != T_UNKNOWN && e->negated)
            v = v == T_TRUE ? T_FALSE : T_TRUE;
        return v;
    }
    case E_BINARY: {
        if (e->op == OP_AND || e->op == OP_OR) {
            Tri a = lint_fold(l, b, r, e->a), c = lint_fold(l, b, r, e->b);
            Tri dom = e->op == OP_AND ? T_FALSE : T_TRUE; /* decides alone */
            Tri unit = e->op == OP_AND ? T_TRUE : T_FALSE;
            if (a == dom || c == dom)
                return dom;
            if (a == unit)
                return c;
            if (c == unit)
                return a;
            if (a == T_NULL && c == T_NULL)
                return T_NULL;
            return T_UNKNOWN;
        }
        bool cmp = e->op == OP_EQ || e->op == OP_NE || e->op == OP_LT || e->op == OP_LE
                   || e->op == OP_GT || e->op == OP_GE;
        if (!cmp)
            return T_UNKNOWN;
        if ((e->a && e->a->kind == E_NULL) || (e->b && e->b->kind == E_NULL))
            return T_NULL;
        long long x, y;
        if (e->a && e->b && lint_int(e->a, &x) && lint_int(e->b, &y)) {
            bool v = e->op == OP_EQ ? x == y : e->op == OP_NE ? x != y : e->op == OP_LT ? x < y
                     : e->op == OP_LE ? x <= y : e->op == OP_GT ? x > y : x >= y;
            return v ? T_TRUE : T_FALSE;
        }
        /* the same not-null column on both sides */
        const CatColumn *ca = lint_column(l, b, r, e->a), *cb = lint_column(l, b, r, e->b);
        if (ca && ca == cb && ca->not_null
            && (!e->a->qual) == (!e->b->qual)
            && (!e->a->qual || strcmp(e->a->qual, e->b->qual) == 0)
            && e->a->ty && e->a->ty->cat != TC_ANY && e->a->ty->cat != TC_OTHER
            && e->a->ty->cat != TC_JSON && e->a->ty->cat != TC_ARRAY) {
            /* floats: NaN = NaN is true in PostgreSQL, so x = x holds too */
            bool refl = e->op == OP_EQ || e->op == OP_LE || e->op == OP_GE;
            return refl ? T_TRUE : T_FALSE;
        }
        return T_UNKNOWN;
    }
    case E_NUMBER: case E_STRING: case E_COLUMN: case E_CONTEXT: case E_DISTINCT:
    case E_IN_LIST: case E_IN_SUBQ: case E_BETWEEN: case E_QUANT: case E_EXISTS:
    case E_SUBQUERY: case E_CAST: case E_FUNC: case E_CASE: case E_SPECIAL:
    case E_SUBSCRIPT: case E_SLICE: case E_ARRAY:
        return T_UNKNOWN;
    }
    return T_UNKNOWN;
}

static void lint_rule_constant(Lint *l, const AstFile *f, const Block *b, const Rule *r)
{
    (void)f;
    bool restrictive = r->kind == R_DENY || (r->kind == R_POLICY && r->restrictive);
    for (int which = 0; which < 2; which++) {
        const Expr *e = which ? r->check : r->using_;
        if (!e)
            continue;
        Tri v = lint_fold(l, b, r, e);
        const char *clause = which ? "check" : "using";
        if (v == T_FALSE && restrictive && r->kind != R_DENY && e->kind == E_BOOL) {
            /* a restrictive `false` refuses every row on purpose, as a
             * `deny` without a condition does */
        } else if (v == T_FALSE || v == T_NULL) {
            const char *what = v == T_NULL ? "always null" : "always false";
            if (r->kind == R_DENY)
                diag_lint(l->diag, "RLS107", e->loc,
                          "this condition is %s: the deny rule never denies a row", what);
            else if (restrictive)
                diag_lint(l->diag, "RLS107", e->loc,
                          "this %s condition is %s: the restrictive policy refuses every row",
                          clause, what);
            else
                diag_lint(l->diag, "RLS107", e->loc,
                          "this %s condition is %s: the rule never admits a row", clause, what);
        } else if (v == T_TRUE && e->kind != E_BOOL) {
            /* a bare `true` says "every row" on purpose */
            if (r->kind == R_DENY)
                diag_lint(l->diag, "RLS107", e->loc,
                          "this condition is always true: the deny rule denies every row; "
                          "write `deny CMDS;` if that is meant");
            else
                diag_lint(l->diag, "RLS107", e->loc,
                          "this %s condition is always true: the rule %s every row; write "
                          "`true` or leave it out if that is meant",
                          clause, restrictive ? "lets through" : "admits");
        }
    }
}

/* ---- the driver */

void lint_files(Arena *a, Diag *d, AstFile **files, int nfiles, const Catalog *cat,
                const Ir *ir)
{
    Lint l = {a, d, cat, ir};
    lint_missing_tenant(&l, files, nfiles);
    for (int i = 0; i < ir->tables.n; i++) {
        const IrTable *t = ir->tables.items[i];
        lint_permissive_or(&l, t);
        lint_unconditional_write(&l, t);
        lint_all_widens_select(&l, t);
    }
    lint_conditions(&l, files, nfiles, lint_visit_volatile, lint_rule_constant);
    lint_conditions(&l, files, nfiles, lint_visit_current_user, NULL);
    lint_conditions(&l, files, nfiles, lint_visit_definer, NULL);
    lint_conditions(&l, files, nfiles, lint_visit_leaky, NULL);
    lint_indexes(&l, files, nfiles);
}
