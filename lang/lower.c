/*
 * lower.c — checked AST -> policy IR.
 *
 * Each construct becomes plain PostgreSQL policies:
 *   tenant COL     restrictive FOR ALL: COL = $tenant
 *   tenant a__b    the same through foreign keys: a_id = ANY (ARRAY(SELECT
 *                  id FROM t1 WHERE b_id = $tenant)), nested per step
 *   allow          permissive, one policy per command (FOR ALL for `all`)
 *   deny           restrictive: (COND) IS NOT TRUE, so NULL does not deny
 *   grant          permissive: the runtime's decision for $user, else
 *                  rlsc.has_perm('<user setting>', app, codename); AND COND
 *   policy         as written
 *   bypass roles   a permissive FOR ALL policy to them, and an exemption
 *                  OR-ed into every restrictive tenant/deny condition
 * Context reads become `(SELECT CAST(NULLIF(current_setting(name, true),
 * '') AS type))`: unset and '' read as NULL (fail closed, never an error),
 * and the scalar subquery makes PostgreSQL evaluate it once per statement
 * (an InitPlan) instead of once per row.
 *
 * --target citus (LOWER_CITUS): Citus refuses subqueries in the policies
 * of distributed tables, so nothing lowered for it holds one.  Context
 * reads and the bypass exemption lose their (SELECT ...) wrapper (the
 * same values, read per row), grants read only the runtime's permission
 * set (rlsc.has_perm reads auth tables: no decision there is a refusal),
 * and a rule that needs a subquery (a tenant path, `in (select ...)`,
 * `exists`, a scalar subquery) is an error at the rule (lower_citus_ok).
 *
 * Generated names depend only on the rule itself (kind, command, roles and
 * a hash of its canonical conditions), never on its position, so adding,
 * removing or reordering one rule never renames another's policy.
 */
#include "compile.h"
/* every switch over an enum here names each member: a new rule kind,
 * expression kind or operator must be handled, not fall to a default */
#pragma GCC diagnostic warning "-Wswitch-enum"

#include <stdlib.h>
#include <string.h>

enum { NAMEDATALEN = 64 }; /* PostgreSQL truncates names to 63 bytes */

typedef struct Lower {
    Arena *arena;
    Diag *diag;
    LowerTarget target;
    bool noted_path, noted_subquery; /* the hint of each refusal, once */
    Ir *ir;
    Map *tables;    /* key -> IrTable* */
    Map *roles;     /* name -> IrRole* */
    Map *names;     /* table key + name -> IrPolicy*, for duplicates on
                     * tables with more than LOWER_SCAN policies */
    AstFile *file;
    Map *context_sql; /* the current file's context reads: name -> SQL */
    /* Conditions and names are built in buf (reused) and kept once each
     * (lower_keep): the same condition on 50,000 tables is one string,
     * and building every string in a buffer of its own left most of a
     * large compilation's memory behind as garbage. */
    StrBuf buf, exact, text, key;
    Map *strings;
    Map *role_lists;  /* roles joined by \x1f -> PtrVec*, shared (lower_roles) */
    PtrVec roles_tmp;
    Map *bypass;            /* table key -> PtrVec* of bypass role names;
                             * NULL with one file, whose are only_bypass */
    const PtrVec *only_bypass;
    const PtrVec *bypass_of; /* the set bypass_sql was made from */
    const char *bypass_sql; /* the current table's exemption, or NULL */
    /* EXISTS nodes of the condition being lowered that print as
     * `outer = ANY (ARRAY(...))`, each followed by its correlating
     * equality, and IN (subquery) nodes that print as `x = ANY
     * (ARRAY(...))`, each followed by itself: side data, so the AST stays
     * as typing left it */
    PtrVec membership;
} Lower;

static const char *lower_key(Lower *L, QName q)
{
    return ir_table_key(L->arena, q.schema, q.name);
}

/* sb emptied, to build the next string in */
static StrBuf *lower_start(StrBuf *sb)
{
    sb->len = 0;
    sb->data[0] = '\0';
    return sb;
}

/* The same key in a reused buffer, for lookups: valid until the next. */
static const char *lower_key_tmp(Lower *L, QName q)
{
    const char *schema = ir_schema(q.schema);
    StrBuf *sb = lower_start(&L->key);
    if (schema)
        sb_puts(sb, schema);
    sb_putc(sb, '\x1f');
    sb_puts(sb, q.name);
    return sb_str(sb);
}

/* The text of sb as a string that lasts, one copy per distinct text. */
static const char *lower_keep(Lower *L, StrBuf *sb)
{
    const char *s = map_get(L->strings, sb_str(sb));
    if (!s) {
        s = arena_strndup(L->arena, sb->data, sb->len);
        map_put(L->strings, s, (void *)s);
    }
    return s;
}

/* A context read, made once per file and context. */
static const char *lower_context_sql(void *env, const char *name)
{
    Lower *L = env;
    const char *sql = map_get(L->context_sql, name);
    if (sql)
        return sql;
    ContextDecl *cd = map_get(L->file->context_map, name);
    if (!cd)
        return NULL;
    bool initplan = L->target == LOWER_POSTGRES;
    StrBuf sb;
    sb_init(&sb, L->arena);
    sb_puts(&sb, initplan ? "(SELECT CAST(" : "CAST(");
    sb_puts(&sb, "NULLIF(pg_catalog.current_setting(");
    sqlfmt_literal(&sb, cd->setting);
    sb_puts(&sb, ", true), '') AS ");
    sb_puts(&sb, cd->type->text);
    sb_puts(&sb, initplan ? "))" : ")");
    sql = sb_str(&sb);
    map_put(L->context_sql, name, (void *)sql);
    return sql;
}

/* Does e mention a column of an enclosing scope, or a subquery (whose
 * own scopes we do not follow)?  Unknown columns count as outer. */
static bool lower_reaches_out(const Expr *e)
{
    if (!e)
        return false;
    if (e->kind == E_COLUMN)
        return e->level != 0;
    if (e->sub)
        return true;
    if (lower_reaches_out(e->a) || lower_reaches_out(e->b) || lower_reaches_out(e->c))
        return true;
    for (int i = 0; i < e->args.n; i++)
        if (lower_reaches_out(e->args.items[i]))
            return true;
    return false;
}

static bool lower_scalar(const Expr *e)
{
    return e->ty && e->ty->cat != TC_ANY && e->ty->cat != TC_ARRAY && e->ty->cat != TC_OTHER;
}

/* The one conjunct of where that reaches out, if it is the equality
 * inner_col = outer_col; NULL if there is none, several, or another kind. */
static Expr *lower_correlation(Expr *where, bool *ok)
{
    if (where->kind == E_BINARY && where->op == OP_AND) {
        Expr *l = lower_correlation(where->a, ok), *r = lower_correlation(where->b, ok);
        if (l && r)
            *ok = false;
        return l ? l : r;
    }
    if (!lower_reaches_out(where))
        return NULL;
    bool eq = where->kind == E_BINARY && where->op == OP_EQ
              && where->a->kind == E_COLUMN && where->b->kind == E_COLUMN
              && ((where->a->level == 0 && where->b->level == 1)
                  || (where->a->level == 1 && where->b->level == 0))
              && lower_scalar(where->a) && lower_scalar(where->b);
    if (!eq)
        *ok = false;
    return where;
}

/* Marks `exists (select .. from t where t.c = outer.col and rest)` for the
 * form `outer.col = ANY (ARRAY(select t.c .. where rest))`, which lets
 * PostgreSQL use an index on outer.col.  Only where the EXISTS is reached
 * through AND/OR from the root: there NULL and false mean the same (a row
 * is not admitted), while under NOT they would not. */
static void lower_mark_exists(Lower *L, Expr *e)
{
    if (!e)
        return;
    if (e->kind == E_BINARY && (e->op == OP_AND || e->op == OP_OR)) {
        lower_mark_exists(L, e->a);
        lower_mark_exists(L, e->b);
        return;
    }
    if (e->kind != E_EXISTS || !e->sub->where || !e->sub->from.name)
        return;
    bool ok = true;
    Expr *eq = lower_correlation(e->sub->where, &ok);
    if (!ok || !eq)
        return;
    vec_push(L->arena, &L->membership, e);
    vec_push(L->arena, &L->membership, eq);
}

/* Can evaluating e raise an error at run time?  Only a column, a
 * constant (its input was checked when the policy was created), a
 * special such as current_user, and a context read as a string type (a
 * cast to text or varchar(n) cannot fail) cannot. */
static bool lower_cannot_raise(const Expr *e)
{
    switch (e->kind) {
    case E_COLUMN:
    case E_NULL:
    case E_BOOL:
    case E_NUMBER:
    case E_STRING:
    case E_SPECIAL:
        return true;
    case E_CONTEXT:
        return e->ty && e->ty->cat == TC_STRING;
    case E_UNARY:
    case E_BINARY:
    case E_IS:
    case E_DISTINCT:
    case E_BETWEEN:
    case E_IN_LIST:
    case E_IN_SUBQ:
    case E_QUANT:
    case E_EXISTS:
    case E_SUBQUERY:
    case E_CAST:
    case E_FUNC:
    case E_CASE:
    case E_SUBSCRIPT: /* an index may need a cast to integer */
    case E_SLICE:
    case E_ARRAY:
        return false;
    }
    return false;
}

/* Marks `x IN (subquery)` for the form `x = ANY (ARRAY(subquery))` where
 * that cannot add an error: IN evaluates x once per row of the subquery,
 * never when it is empty, but = ANY evaluates x first.  So `$region::int8
 * in (select ...)` keeps IN: with text in the setting, the rewrite would
 * fail on every query where IN over an empty subquery is false.  The
 * rewrite is kept for x that cannot raise (a column, the case it exists
 * for: an index on x).  IN and = ANY agree on NULLs, so anywhere in the
 * condition, under NOT too. */
static void lower_mark_in(Lower *L, Expr *e)
{
    if (!e)
        return;
    if (e->kind == E_IN_SUBQ && lower_cannot_raise(e->a)) {
        vec_push(L->arena, &L->membership, e);
        vec_push(L->arena, &L->membership, e);
    }
    lower_mark_in(L, e->a);
    lower_mark_in(L, e->b);
    lower_mark_in(L, e->c);
    for (int i = 0; i < e->args.n; i++)
        lower_mark_in(L, e->args.items[i]);
    if (e->sub) {
        lower_mark_in(L, e->sub->target);
        lower_mark_in(L, e->sub->where);
    }
}

/* SqlfmtCtx.membership_eq: the equality lower_mark_exists found for e
 * (for an IN that lower_mark_in marked, e itself). */
static const Expr *lower_membership_eq(void *env, const Expr *e)
{
    const Lower *L = env;
    for (int i = 0; i + 1 < L->membership.n; i += 2)
        if (L->membership.items[i] == e)
            return L->membership.items[i + 1];
    return NULL;
}

/* The condition as final SQL (contexts expanded, memberships rewritten),
 * appended to sb. */
static void lower_cond_into(Lower *L, StrBuf *sb, Expr *e, bool verbatim)
{
    L->membership.n = 0;
    if (!verbatim) {
        lower_mark_exists(L, e);
        lower_mark_in(L, e);
    }
    SqlfmtCtx ctx = {.context_sql = lower_context_sql, .env = L, .rewrite_membership = !verbatim,
                     .membership_eq = lower_membership_eq};
    sqlfmt_expr(sb, e, &ctx);
}

static const char *lower_cond(Lower *L, Expr *e, bool verbatim)
{
    if (!e)
        return NULL;
    lower_cond_into(L, lower_start(&L->buf), e, verbatim);
    return lower_keep(L, &L->buf);
}

/* The condition as the user wrote it, canonically: the input of names. */
static const char *lower_source_text(Lower *L, const Expr *e)
{
    if (!e)
        return "";
    sqlfmt_expr(lower_start(&L->buf), e, NULL);
    return lower_keep(L, &L->buf);
}

static IrTable *lower_table(Lower *L, QName q, const char *model, Span loc)
{
    q.schema = ir_schema(q.schema);
    IrTable *t = map_get(L->tables, lower_key_tmp(L, q));
    if (t) {
        if (model && !t->model) {
            t->model = model;
            t->app = L->file->app.name;
            t->loc = loc;
        }
        return t;
    }
    t = arena_alloc(L->arena, sizeof *t);
    t->schema = q.schema;
    t->name = q.name;
    t->force = true;
    t->model = model;
    t->app = model ? L->file->app.name : NULL;
    t->loc = loc;
    map_put(L->tables, lower_key(L, q), t);
    vec_push(L->arena, &L->ir->tables, t);
    return t;
}

/* schema.name when a schema was written, for messages. */
static const char *lower_display(Lower *L, const IrTable *t)
{
    return t->schema ? arena_printf(L->arena, "%s.%s", t->schema, t->name) : t->name;
}

static Span lower_bypass_decl(Lower *L)
{
    for (int i = 0; i < L->file->roles.n; i++) {
        const RoleDecl *r = L->file->roles.items[i];
        if (r->bypass)
            return r->name.loc;
    }
    return SPAN_NONE;
}

/* A table's policies are few: duplicates are found by a scan, and only
 * past LOWER_SCAN of them through L->names (which a table joins with all
 * its policies then).  A key per policy in one map was 24 MB of slots
 * and keys for 50k tables. */
enum { LOWER_SCAN = 32 };

static const char *lower_name_key(Lower *L, const IrTable *t, const char *name)
{
    return arena_printf(L->arena, "%s\x1f%s\x1f%s", t->schema ? t->schema : "", t->name, name);
}

/* Records p on t unless t has a policy of its name; returns the policy
 * that has the name now. */
static IrPolicy *lower_claim_name(Lower *L, IrTable *t, IrPolicy *p)
{
    if (t->policies.n < LOWER_SCAN) {
        for (int i = 0; i < t->policies.n; i++) {
            IrPolicy *q = t->policies.items[i];
            if (strcmp(q->name, p->name) == 0)
                return q;
        }
        return p;
    }
    if (t->policies.n == LOWER_SCAN)
        for (int i = 0; i < t->policies.n; i++) {
            IrPolicy *q = t->policies.items[i];
            map_put(L->names, lower_name_key(L, t, q->name), q);
        }
    return map_put(L->names, lower_name_key(L, t, p->name), p);
}

static void lower_add(Lower *L, IrTable *t, IrPolicy *p)
{
    IrPolicy *prev = lower_claim_name(L, t, p);
    if (prev != p && (p->origin == IR_FROM_BYPASS || p->origin == IR_FROM_TENANT)
        && prev->origin == IR_FROM_POLICY) {
        /* a user policy took a name rlsc generates */
        diag_error(L->diag, prev->loc,
                   "policy name '%s' is already used on table '%s' by %s", p->name,
                   lower_display(L, t),
                   p->origin == IR_FROM_BYPASS ? "the policy of the bypass roles"
                                         : "the tenant policy");
        if (p->origin == IR_FROM_BYPASS)
            diag_note(L->diag, lower_bypass_decl(L), "the bypass role is declared here");
        else
            diag_note(L->diag, p->loc, "the tenant rule is here");
        return;
    }
    if (prev != p) {
        if (p->origin == IR_FROM_POLICY || prev->origin == IR_FROM_POLICY)
            diag_error(L->diag, p->loc, "policy name '%s' is already used on table '%s'",
                       p->name, lower_display(L, t));
        else
            diag_error(L->diag, p->loc,
                       "this rule repeats an earlier one (both are policy '%s')",
                       p->name);
        diag_note(L->diag, prev->loc, "the earlier one is here");
        return;
    }
    vec_push(L->arena, &t->policies, p);
}

/* Appends s reduced to [a-z0-9_]; returns false when that lost
 * information (so two different names could meet). */
static bool lower_name_part(StrBuf *sb, const char *s)
{
    bool exact = true;
    for (const char *p = s; *p; p++) {
        char ch = *p;
        if (ch >= 'A' && ch <= 'Z') {
            ch = (char)(ch - 'A' + 'a');
            exact = false;
        }
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
        sb_putc(sb, ok ? ch : '_');
        exact &= ok;
    }
    return exact;
}

/* "_%08x" of h, without printf */
static void lower_hash_part(StrBuf *sb, uint32_t h)
{
    static const char hex[] = "0123456789abcdef";
    char s[10] = {'_'};
    for (int i = 0; i < 8; i++)
        s[1 + i] = hex[(h >> (28 - 4 * i)) & 0xf];
    sb_putn(sb, s, 9);
}

/* base[_to_role...][_hash]: readable, and stable under reordering. */
static const char *lower_name(Lower *L, const char *base, const PtrVec *roles,
                              const char *cond_text)
{
    StrBuf *sb = lower_start(&L->buf), *exact = lower_start(&L->exact);
    bool lossless = lower_name_part(sb, base);
    sb_puts(exact, base);
    if (roles->n) {
        sb_puts(sb, "_to");
        for (int i = 0; i < roles->n; i++) {
            sb_putc(sb, '_');
            lossless &= lower_name_part(sb, roles->items[i]);
            sb_putc(exact, '\x1f');
            sb_puts(exact, roles->items[i]);
        }
    }
    /* The hash covers the conditions, and the exact names whenever the
     * readable part had to drop characters ("Sales Team" vs sales_team). */
    if (cond_text && *cond_text) {
        if (!lossless) {
            sb_putc(exact, '\x1e');
            sb_puts(exact, cond_text);
        }
        lower_hash_part(sb, util_hash32(lossless ? cond_text : sb_str(exact)));
    } else if (!lossless) {
        lower_hash_part(sb, util_hash32(sb_str(exact)));
    }
    if (sb->len >= NAMEDATALEN) {
        uint32_t h = util_hash32(sb_str(sb));
        sb->len = NAMEDATALEN - 1 - 9;
        lower_hash_part(sb, h);
    }
    return lower_keep(L, sb);
}

/* The roles a rule names, sorted.  Rules name the same few roles again
 * and again: equal lists share one array (read only, as all of the IR). */
static PtrVec lower_roles(Lower *L, const PtrVec *idents)
{
    if (!idents->n)
        return (PtrVec){0};
    PtrVec *v = &L->roles_tmp;
    v->n = 0;
    for (int i = 0; i < idents->n; i++)
        vec_push(L->arena, v, (void *)((const Ident *)idents->items[i])->name);
    vec_sort_strings(v);
    StrBuf *key = lower_start(&L->key);
    for (int i = 0; i < v->n; i++) {
        if (i)
            sb_putc(key, '\x1f');
        sb_puts(key, v->items[i]);
    }
    PtrVec *list = map_get(L->role_lists, sb_str(key));
    if (!list) {
        list = arena_alloc(L->arena, sizeof *list);
        list->items = arena_alloc(L->arena, sizeof(void *) * (size_t)v->n);
        memcpy(list->items, v->items, sizeof(void *) * (size_t)v->n);
        list->n = list->cap = v->n;
        map_put(L->role_lists, arena_strndup(L->arena, key->data, key->len), list);
    }
    return *list;
}

static IrPolicy *lower_policy(Lower *L, IrOrigin origin, bool restrictive,
                              CmdSet cmd, PtrVec roles, Span loc)
{
    IrPolicy *p = arena_alloc(L->arena, sizeof *p);
    p->origin = origin;
    p->restrictive = restrictive;
    p->cmd = cmd;
    p->roles = roles;
    p->loc = loc;
    return p;
}

/* Restrictive conditions let bypass roles through. */
static const char *lower_exempt(Lower *L, const char *cond)
{
    if (!L->bypass_sql)
        return cond;
    StrBuf *sb = lower_start(&L->buf);
    sb_putc(sb, '(');
    sb_puts(sb, L->bypass_sql);
    sb_puts(sb, " OR ");
    sb_puts(sb, cond);
    sb_putc(sb, ')');
    return lower_keep(L, sb);
}

/* Sets USING and WITH CHECK of a permissive policy for one command from a
 * rule's conditions: using guards old rows, and new rows unless check is
 * given.  No USING on INSERT, no WITH CHECK on SELECT or DELETE. */
static void lower_permissive_conds(IrPolicy *p, const char *use, const char *chk)
{
    const char *u = use ? use : "true";
    switch (p->cmd) {
    case CMD_INSERT:
        p->check = chk ? chk : u;
        break;
    case CMD_SELECT:
    case CMD_DELETE:
        p->using_ = u;
        break;
    default: /* update, all: WITH CHECK defaults to USING in PostgreSQL */
        p->using_ = u;
        p->check = chk;
        break;
    }
}

static void lower_split(CmdSet cmds, CmdSet *out, int *n)
{
    *n = 0;
    if (cmds == CMD_ALL) {
        out[(*n)++] = CMD_ALL;
        return;
    }
    for (CmdSet c = CMD_SELECT; c <= CMD_DELETE; c <<= 1)
        if (cmds & c)
            out[(*n)++] = c;
}

static void lower_allow_deny(Lower *L, IrTable *t, const Rule *r)
{
    bool deny = r->kind == R_DENY;
    PtrVec roles = lower_roles(L, &r->roles);
    const char *use = NULL, *chk = NULL, *ok = NULL;
    if (deny) {
        /* NULL counts as not matching: only a true COND denies; bypass
         * roles are exempt.  Built whole, so only this form is kept. */
        StrBuf *sb = lower_start(&L->buf);
        if (L->bypass_sql) {
            sb_putc(sb, '(');
            sb_puts(sb, L->bypass_sql);
            sb_puts(sb, " OR ");
        }
        sb_putc(sb, '(');
        if (r->using_)
            lower_cond_into(L, sb, r->using_, false);
        else
            sb_puts(sb, "true");
        sb_puts(sb, " IS NOT TRUE)");
        if (L->bypass_sql)
            sb_putc(sb, ')');
        ok = lower_keep(L, sb);
    } else {
        use = lower_cond(L, r->using_, false);
        chk = lower_cond(L, r->check, false);
    }
    /* USING's and CHECK's source text, "\x1f" between: only hashed into
     * the names, so it stays in its buffer */
    const char *text = "";
    if (r->using_ || r->check) {
        StrBuf *sb = lower_start(&L->text);
        if (r->using_)
            sqlfmt_expr(sb, r->using_, NULL);
        sb_putc(sb, '\x1f');
        if (r->check)
            sqlfmt_expr(sb, r->check, NULL);
        text = sb_str(sb);
    }
    CmdSet cmds[4];
    int n;
    lower_split(r->cmds, cmds, &n);
    for (int i = 0; i < n; i++) {
        IrPolicy *p = lower_policy(L, deny ? IR_FROM_DENY : IR_FROM_ALLOW, deny, cmds[i], roles, r->loc);
        char base[32] = "allow_";
        if (deny)
            strcpy(base, "deny_");
        strcat(base, cmd_name(cmds[i]));
        p->name = lower_name(L, base, &roles, text);
        if (deny) {
            if (!r->using_ && !r->roles.n)
                t->denied |= cmds[i]; /* said on purpose: no default-deny warning */
            if (cmds[i] == CMD_INSERT)
                p->check = ok;
            else
                p->using_ = ok;
        } else {
            lower_permissive_conds(p, use, chk);
        }
        lower_add(L, t, p);
    }
}

/* The runtime's answer for one permission: the Django runtime puts the
 * decisions of user.has_perm() (every authentication backend) for the
 * permissions the .rls files use into RLSC_PERMS as a text array of
 * '+app.codename' (granted) and '-app.codename' (refused), and the user
 * they are for into RLSC_PERMS_USER, with the other contexts.  They count
 * only while that user is the current $user; without them (psql, other
 * clients, a permission the runtime did not decide) rlsc.has_perm decides
 * as ModelBackend.  Plain SQL in the policy, not a function: an inlined SQL
 * function is parsed again at every planning, and a plpgsql one is compiled
 * in every new session and replanned (issue 11's measurements). */
#define RLSC_PERMS "rlsc.perms"
#define RLSC_PERMS_USER "rlsc.perms_user"

static const char *lower_perm_check(Lower *L, const char *user_setting, const char *app,
                                    const char *codename)
{
    StrBuf db, sb;
    sb_init(&db, L->arena);
    sb_puts(&db, "rlsc.has_perm(");
    sqlfmt_literal(&db, user_setting);
    sb_puts(&db, ", ");
    sqlfmt_literal(&db, app);
    sb_puts(&db, ", ");
    sqlfmt_literal(&db, codename);
    sb_putc(&db, ')');
    const char *perms = "CAST(NULLIF(pg_catalog.current_setting('" RLSC_PERMS "', true), '')"
                        " AS text[])";

    sb_init(&sb, L->arena);
    sb_puts(&sb, "(SELECT CASE WHEN pg_catalog.current_setting('" RLSC_PERMS_USER "', true)"
                 " IS DISTINCT FROM pg_catalog.current_setting(");
    sqlfmt_literal(&sb, user_setting);
    sb_printf(&sb, ", true) THEN %s", sb_str(&db));
    for (int granted = 1; granted >= 0; granted--) {
        sb_puts(&sb, " WHEN ");
        sqlfmt_literal(&sb, arena_printf(L->arena, "%c%s.%s", granted ? '+' : '-', app, codename));
        sb_printf(&sb, " = ANY (%s) THEN %s", perms, granted ? "true" : "false");
    }
    sb_printf(&sb, " ELSE %s END)", sb_str(&db));
    return sb_str(&sb);
}

/* For Citus: the runtime's decision alone.  No decision for the current
 * $user (another client, a permission the runtime did not decide) admits
 * nothing: the NULL of `= ANY (NULL)` or the false of the user test. */
static const char *lower_perm_check_citus(Lower *L, const char *user_setting, const char *app,
                                          const char *codename)
{
    StrBuf sb;
    sb_init(&sb, L->arena);
    sb_putc(&sb, '(');
    sqlfmt_literal(&sb, arena_printf(L->arena, "+%s.%s", app, codename));
    sb_puts(&sb, " = ANY (CAST(NULLIF(pg_catalog.current_setting('" RLSC_PERMS "', true), '')"
                 " AS text[])) AND pg_catalog.current_setting('" RLSC_PERMS_USER "', true)"
                 " IS NOT DISTINCT FROM pg_catalog.current_setting(");
    sqlfmt_literal(&sb, user_setting);
    sb_puts(&sb, ", true))");
    return sb_str(&sb);
}

static void lower_grant(Lower *L, IrTable *t, const Block *b, const Rule *r)
{
    PtrVec roles = lower_roles(L, &r->roles);
    const char *use = lower_cond(L, r->using_, false);
    /* the helper reads the context itself: it answers for $user only */
    const ContextDecl *user = map_get(L->file->context_map, "user");
    for (int i = 0; i < r->perms.n; i++) {
        const Perm *pm = r->perms.items[i];
        const char *app, *codename;
        ast_grant_perm(L->arena, pm, L->file->app.name, b, &app, &codename);
        const char *base = pm->custom ? arena_printf(L->arena, "grant_%s_%s_%s", app, codename,
                                                     cmd_name(pm->cmd))
                                      : arena_printf(L->arena, "grant_%s", codename);
        const char *perm = L->target == LOWER_CITUS
                               ? lower_perm_check_citus(L, user->setting, app, codename)
                               : lower_perm_check(L, user->setting, app, codename);
        const char *cond = use ? arena_printf(L->arena, "(%s AND %s)", perm, use) : perm;
        IrPolicy *p = lower_policy(L, IR_FROM_GRANT, false, pm->cmd, roles, r->loc);
        p->name = lower_name(L, base, &roles, lower_source_text(L, r->using_));
        lower_permissive_conds(p, cond, NULL);
        lower_add(L, t, p);
    }
    if (L->target == LOWER_POSTGRES)
        L->ir->perm_helper = IR_HELPER_V2;
}

static void lower_verbatim(Lower *L, IrTable *t, const Rule *r)
{
    IrPolicy *p = lower_policy(L, IR_FROM_POLICY, r->restrictive, r->cmds,
                               lower_roles(L, &r->roles), r->name.loc);
    p->name = r->name.name;
    p->using_ = lower_cond(L, r->using_, true);
    p->check = lower_cond(L, r->check, true);
    lower_add(L, t, p);
}

/* `tenant COL;` is COL = $tenant.  A path `tenant a__b__c;` arrives as
 * the condition it means (typecheck.c: a_id IN (SELECT id FROM t1 WHERE
 * ...)), printed in the membership form a_id = ANY (ARRAY(SELECT ...)):
 * every level is an uncorrelated InitPlan that an index on the foreign key
 * can serve.  Either way the policy is the block's one `tenant` policy
 * (resolve.c allows one tenant rule per block, so the name cannot collide);
 * a changed path changes its condition, which the migration diff alters. */
static void lower_tenant(Lower *L, IrTable *t, const Rule *r)
{
    const char *cond = r->using_ ? lower_cond(L, r->using_, false) : NULL;
    if (!cond) {
        const char *tenant = lower_context_sql(L, "tenant");
        StrBuf *sb = lower_start(&L->buf);
        sb_putc(sb, '(');
        sqlfmt_ident(sb, r->column.name);
        sb_puts(sb, " = ");
        sb_puts(sb, tenant);
        sb_putc(sb, ')');
        cond = lower_keep(L, sb);
    }
    IrPolicy *p = lower_policy(L, IR_FROM_TENANT, true, CMD_ALL, (PtrVec){0}, r->loc);
    p->name = "tenant";
    p->using_ = lower_exempt(L, cond);
    lower_add(L, t, p);
}

/* A permissive policy that lets the file's bypass roles do everything. */
static void lower_bypass(Lower *L, IrTable *t, const PtrVec *roles)
{
    if (!roles || !roles->n)
        return;
    IrPolicy *p = lower_policy(L, IR_FROM_BYPASS, false, CMD_ALL, *roles, SPAN_NONE);
    p->name = "bypass";
    p->using_ = "true";
    p->check = "true";
    lower_add(L, t, p);
}

/* The exemption OR-ed into restrictive conditions of one table. */
static void lower_bypass_sql(Lower *L, const PtrVec *b)
{
    if (b == L->bypass_of)
        return; /* the set of the table before: the same text */
    L->bypass_of = b;
    L->bypass_sql = NULL;
    if (!b || !b->n)
        return;
    StrBuf *sb = lower_start(&L->buf);
    /* pg_has_role is a function, which Citus takes; the (SELECT ...)
     * that makes it an InitPlan is a subquery, which it does not */
    sb_puts(sb, L->target == LOWER_POSTGRES ? "(SELECT " : "(");
    for (int i = 0; i < b->n; i++) {
        if (i)
            sb_puts(sb, " OR ");
        sb_puts(sb, "pg_catalog.pg_has_role(");
        sqlfmt_literal(sb, b->items[i]);
        sb_puts(sb, ", 'USAGE')");
    }
    sb_putc(sb, ')');
    L->bypass_sql = lower_keep(L, sb);
}

static void lower_roles_decl(Lower *L)
{
    for (int i = 0; i < L->file->roles.n; i++) {
        RoleDecl *rd = L->file->roles.items[i];
        IrRole *r = map_get(L->roles, rd->name.name);
        if (!r) {
            r = arena_alloc(L->arena, sizeof *r);
            r->name = rd->name.name;
            map_put(L->roles, r->name, r);
            vec_push(L->arena, &L->ir->roles, r);
        }
        r->bypass |= rd->bypass;
    }
}

/* Names the commands no permissive policy allows: PostgreSQL denies them
 * to everyone but bypass roles (default deny). */
static void lower_warn_default_deny(Lower *L, const IrTable *t)
{
    CmdSet allowed = 0;
    for (int i = 0; i < t->policies.n; i++) {
        const IrPolicy *p = t->policies.items[i];
        /* a permissive policy with neither clause admits no row */
        if (!p->restrictive && p->origin != IR_FROM_BYPASS && p->origin != IR_FROM_HOLDER
            && (p->using_ || p->check))
            allowed |= p->cmd;
    }
    /* `deny update, delete;` says the default deny is meant */
    allowed |= t->denied;
    if (allowed == CMD_ALL)
        return;
    StrBuf *sb = lower_start(&L->buf);
    for (CmdSet c = CMD_SELECT; c <= CMD_DELETE; c <<= 1)
        if (!(allowed & c)) {
            if (sb->len)
                sb_puts(sb, ", ");
            sb_puts(sb, cmd_name(c));
        }
    bool bypass = false;
    for (int i = 0; i < t->policies.n; i++)
        bypass |= ((const IrPolicy *)t->policies.items[i])->origin == IR_FROM_BYPASS;
    diag_lint(L->diag, "RLS010", t->loc,
                 "no rule allows %s on table '%s': PostgreSQL denies %s to every "
                 "role%s (default deny; say `deny CMDS;` if that is meant)",
                 sb_str(sb), lower_display(L, t), allowed ? "them" : "everything",
                 bypass ? " but the bypass roles" : "");
}

/* The outermost subquery of e, or NULL. */
static const Expr *lower_find_subquery(const Expr *e)
{
    if (!e)
        return NULL;
    if (e->sub)
        return e;
    const Expr *found = lower_find_subquery(e->a);
    if (!found)
        found = lower_find_subquery(e->b);
    if (!found)
        found = lower_find_subquery(e->c);
    for (int i = 0; !found && i < e->args.n; i++)
        found = lower_find_subquery(e->args.items[i]);
    return found;
}

static const char *lower_subquery_what(const Expr *e)
{
    switch (e->kind) {
    case E_IN_SUBQ: return e->negated ? "`not in (select ...)`" : "`in (select ...)`";
    case E_EXISTS: return "`exists (select ...)`";
    case E_SUBQUERY: return "a scalar subquery `(select ...)`";
    case E_ARRAY: return "`array(select ...)`";
    case E_QUANT: /* the parser spells SOME as "any" */
        return strcmp(e->text, "all") == 0 ? "`all (select ...)`" : "`any (select ...)`";
    case E_COLUMN:
    case E_CONTEXT:
    case E_NULL:
    case E_BOOL:
    case E_NUMBER:
    case E_STRING:
    case E_UNARY:
    case E_BINARY:
    case E_IS:
    case E_DISTINCT:
    case E_IN_LIST:
    case E_BETWEEN:
    case E_CAST:
    case E_FUNC:
    case E_CASE:
    case E_SPECIAL:
    case E_SUBSCRIPT:
    case E_SLICE:
        break;
    }
    return "a subquery";
}

/* --target citus: may r be lowered?  Citus refuses every subquery in a
 * policy of a distributed table (the worker that evaluates the policy
 * on its shard cannot run a query over other shards), so a rule that
 * needs one is an error here, at the rule, never SQL that fails at
 * migrate time.  rlsc cannot tell distributed tables from reference or
 * local ones, so it holds every table to the rule. */
static bool lower_citus_ok(Lower *L, const Rule *r)
{
    if (L->target != LOWER_CITUS)
        return true;
    if (r->kind == R_TENANT && r->using_) {
        diag_error(L->diag, r->column.loc,
                   "tenant path '%s' follows foreign keys through subqueries, and Citus "
                   "allows no subquery in the policies of distributed tables (--target citus)",
                   r->column.name);
        if (!L->noted_path)
            diag_note(L->diag, SPAN_NONE,
                      "give the table a tenant column of its own (its distribution column, "
                      "as django-multitenant's TenantModel does) and write `tenant COLUMN;`");
        L->noted_path = true;
        return false;
    }
    if (r->kind == R_TENANT || r->kind == R_NOFORCE)
        return true;
    const Expr *sub = lower_find_subquery(r->using_);
    if (!sub)
        sub = lower_find_subquery(r->check);
    if (!sub)
        return true;
    diag_error(L->diag, sub->loc,
               "Citus allows no subquery in the policies of distributed tables "
               "(--target citus), and this is %s",
               lower_subquery_what(sub));
    if (!L->noted_subquery)
        diag_note(L->diag, SPAN_NONE,
                  "keep what a policy looks up on the row itself (a tenant or owner column, "
                  "co-located with the table) or in a context the application sets");
    L->noted_subquery = true;
    return false;
}

/* A block that only declares columns is catalog, not policy. */
static bool lower_is_policy_block(const Block *b)
{
    return b->rules.n || !b->columns.n;
}

/* Bypass roles of every file that touches a table apply to the whole
 * table: they see every row of it, whichever file holds the rules.  A
 * table that one file with bypass roles touches takes that file's sorted
 * list itself; only one that several touch gets a merged list of its
 * own.  With a single file nothing is collected: every table takes its
 * list (lower_bypass_of). */
static void lower_collect_bypass(Lower *L, AstFile **files, int nfiles)
{
    for (int fi = 0; fi < nfiles; fi++) {
        const AstFile *f = files[fi];
        int nb = f->blocks.n, np = f->policies.n;
        for (int i = 0; i < nb + np && f->bypass.n; i++) {
            QName q;
            if (i < nb) {
                const Block *b = f->blocks.items[i];
                if (!lower_is_policy_block(b))
                    continue;
                q = b->table;
            } else {
                q = ((const Rule *)f->policies.items[i - nb])->on;
            }
            PtrVec *set = map_get(L->bypass, lower_key_tmp(L, q));
            if (!set) {
                map_put(L->bypass, lower_key(L, q), (void *)&f->bypass);
                continue;
            }
            if (set == &f->bypass)
                continue;
            bool borrowed = false;
            for (int k = 0; k < nfiles && !borrowed; k++)
                borrowed = set == &files[k]->bypass;
            if (borrowed) {
                PtrVec *own = arena_alloc(L->arena, sizeof *own);
                for (int k = 0; k < set->n; k++)
                    vec_push(L->arena, own, set->items[k]);
                set = own;
                map_set(L->bypass, lower_key_tmp(L, q), set);
            }
            for (int k = 0; k < f->bypass.n; k++) {
                bool dup = false;
                for (int m = 0; m < set->n && !dup; m++)
                    dup = strcmp(set->items[m], f->bypass.items[k]) == 0;
                if (!dup)
                    vec_push(L->arena, set, f->bypass.items[k]);
            }
            vec_sort_strings(set);
        }
    }
}

/* The bypass roles of the table q (NULL: none). */
static const PtrVec *lower_bypass_of(Lower *L, QName q)
{
    if (!L->bypass)
        return L->only_bypass;
    return map_get(L->bypass, lower_key_tmp(L, q));
}

/* "file:line:col" of at in f, as diagnostics count columns (UTF-8
 * characters): a test failure names its line the same way. */
static const char *lower_where(Lower *L, const AstFile *f, Span at)
{
    const SrcFile *src = f->src;
    int rel = at.start - src->base, line = 1, col = 1;
    for (int i = 0; i < rel && i < src->len; i++) {
        if (src->text[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)src->text[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    return arena_printf(L->arena, "%s:%d:%d", src->path, line, col);
}

/* The tests of f, as `rlsc test` runs them. */
static void lower_tests(Lower *L, const AstFile *f)
{
    static const IrStepKind kinds[] = {
        [TEST_SETUP] = IR_STEP_SETUP, [TEST_ROWS] = IR_STEP_ROWS,
        [TEST_OK] = IR_STEP_OK, [TEST_DENIED] = IR_STEP_DENIED,
    };
    for (int i = 0; i < f->tests.n; i++) {
        const TestDecl *t = f->tests.items[i];
        IrTest *it = arena_alloc(L->arena, sizeof *it);
        it->name = t->name.name;
        it->role = t->role ? t->role->name : NULL;
        it->where = lower_where(L, f, t->loc);
        for (int j = 0; j < t->settings.n; j++) {
            const TestSetting *s = t->settings.items[j];
            IrTestSetting *is = arena_alloc(L->arena, sizeof *is);
            is->setting = s->decl->setting;
            is->value = s->value->kind == E_NULL ? "" : s->value->text;
            vec_push(L->arena, &it->settings, is);
        }
        for (int j = 0; j < t->steps.n; j++) {
            const TestStep *st = t->steps.items[j];
            IrTestStep *is = arena_alloc(L->arena, sizeof *is);
            is->kind = kinds[st->kind];
            is->rows = st->rows;
            is->sql = st->sql;
            is->where = lower_where(L, f, st->loc);
            vec_push(L->arena, &it->steps, is);
        }
        vec_push(L->arena, &L->ir->tests, it);
    }
}

Ir *lower_files(Arena *a, Diag *d, AstFile **files, int nfiles)
{
    return lower_files_for(a, d, files, nfiles, LOWER_POSTGRES);
}

Ir *lower_files_for(Arena *a, Diag *d, AstFile **files, int nfiles, LowerTarget target)
{
    Lower L = {.arena = a, .diag = d, .target = target};
    L.ir = arena_alloc(a, sizeof *L.ir);
    L.ir->auth = ir_auth_default;
    L.tables = map_new(a);
    L.roles = map_new(a);
    L.names = map_new(a);
    if (nfiles == 1)
        L.only_bypass = files[0]->bypass.n ? &files[0]->bypass : NULL;
    else
        L.bypass = map_new(a);
    L.strings = map_new(a);
    L.role_lists = map_new(a);
    sb_init(&L.buf, a);
    sb_init(&L.exact, a);
    sb_init(&L.text, a);
    sb_init(&L.key, a);
    if (L.bypass)
        lower_collect_bypass(&L, files, nfiles);
    bool app_conflict = false;
    for (int fi = 0; fi < nfiles; fi++) {
        L.file = files[fi];
        L.context_sql = map_new(a);
        const char *app = L.file->app.name;
        if (app && L.ir->app && strcmp(app, L.ir->app) != 0)
            app_conflict = true;
        if (app && !L.ir->app)
            L.ir->app = app;
        lower_roles_decl(&L);
        for (int i = 0; i < L.file->blocks.n; i++) {
            const Block *b = L.file->blocks.items[i];
            if (!lower_is_policy_block(b))
                continue;
            IrTable *t = lower_table(&L, b->table, b->is_model ? b->name.name : NULL,
                                     b->name.loc);
            /* about a policy per rule, and the bypass one: room for them
             * at once, not a doubling's leftovers (a rule for several
             * commands makes more, and the vector grows) */
            vec_reserve(L.arena, &t->policies, t->policies.n + b->rules.n + 2);
            lower_bypass_sql(&L, lower_bypass_of(&L, b->table));
            for (int j = 0; j < b->rules.n; j++) {
                const Rule *r = b->rules.items[j];
                if (!lower_citus_ok(&L, r))
                    continue;
                switch (r->kind) {
                case R_TENANT: lower_tenant(&L, t, r); break;
                case R_ALLOW:
                case R_DENY: lower_allow_deny(&L, t, r); break;
                case R_GRANT: lower_grant(&L, t, b, r); break;
                case R_POLICY: lower_verbatim(&L, t, r); break;
                case R_NOFORCE: t->force = false; break;
                }
            }
        }
        for (int i = 0; i < L.file->policies.n; i++) {
            const Rule *r = L.file->policies.items[i];
            if (!lower_citus_ok(&L, r))
                continue;
            lower_verbatim(&L, lower_table(&L, r->on, NULL, r->on.loc), r);
        }
        lower_tests(&L, L.file);
    }
    for (int i = 0; i < L.ir->tables.n; i++) {
        IrTable *t = L.ir->tables.items[i];
        lower_bypass(&L, t, lower_bypass_of(&L, (QName){t->schema, t->name, SPAN_NONE}));
        if (!t->policies.n) {
            /* `table t { }` has RLS on and no policy: this one admits no
             * row and carries the record that lets down restore t's flags */
            IrPolicy *p = lower_policy(&L, IR_FROM_HOLDER, false, CMD_SELECT, (PtrVec){0}, t->loc);
            p->name = "rlsc_no_rules";
            p->using_ = "false";
            lower_add(&L, t, p);
        }
    }
    if (app_conflict)
        L.ir->app = NULL;
    ir_sort(L.ir);
    /* after errors the rule set is partial: a warning would mislead */
    for (int i = 0; i < L.ir->tables.n && !d->errors; i++)
        lower_warn_default_deny(&L, L.ir->tables.items[i]);
    return L.ir;
}
