/*
 * resolve.c — the name resolver: names and command rules.
 *
 * Everything that resolves inside the files: contexts, roles, tables of
 * blocks, permissions, policy placement, and the per-command rules that
 * PostgreSQL would otherwise only enforce at migrate time (no USING on
 * INSERT, no WITH CHECK on SELECT or DELETE).  Every problem is reported
 * with its span and resolving goes on, so one run shows them all.
 * Column and type checks against a catalog come on top of this
 * (typecheck.c).
 */
#include "compile.h"
/* every switch over an enum here names each member: a new rule kind,
 * expression kind or operator must be handled, not fall to a default */
#pragma GCC diagnostic warning "-Wswitch-enum"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct Resolver {
    Arena *arena;
    Diag *diag;
    AstFile *file;
    const char *const *ctx_names; /* for "did you mean" */
    int nctx;
    const char *const *role_names;
    int nroles;
} Resolver;

static const char *const *resolve_names(Resolver *c, const PtrVec *decls, size_t name_off)
{
    const char **names = arena_alloc(c->arena, sizeof(char *) * (size_t)(decls->n + 1));
    for (int i = 0; i < decls->n; i++)
        names[i] = ((const Ident *)((char *)decls->items[i] + name_off))->name;
    return names;
}

static bool resolve_setting_name(const char *s)
{
    /* PostgreSQL accepts custom settings named by dotted identifiers. */
    bool dot = false, start = true;
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '.') {
            if (start)
                return false;
            dot = true;
            start = true;
        } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
                   || ch == '_' || ch >= 0x80
                   || (!start && ((ch >= '0' && ch <= '9') || ch == '$'))) {
            start = false;
        } else {
            return false;
        }
    }
    return dot && !start;
}

static void resolve_decls(Resolver *c)
{
    AstFile *f = c->file;
    f->context_map = map_new(c->arena);
    f->role_map = map_new(c->arena);

    for (int i = 0; i < f->contexts.n; i++) {
        ContextDecl *cd = f->contexts.items[i];
        ContextDecl *prev = map_put(f->context_map, cd->name.name, cd);
        if (prev != cd) {
            diag_error(c->diag, cd->name.loc, "context '%s' is declared twice",
                       cd->name.name);
            diag_note(c->diag, prev->name.loc, "first declared here");
        }
        if (!resolve_setting_name(cd->setting))
            diag_error(c->diag, cd->setting_loc,
                       "setting name '%s' must be dotted identifiers, like 'app.%s'",
                       cd->setting, cd->name.name);
        else if (strncasecmp(cd->setting, "rlsc.", 5) == 0)
            /* the runtime's own settings (the user's permissions, lower.c):
             * a context there would be overwritten by every request */
            diag_error(c->diag, cd->setting_loc,
                       "setting names that start with 'rlsc.' are reserved for rlsc's runtime");
    }
    for (int i = 0; i < f->roles.n; i++) {
        RoleDecl *rd = f->roles.items[i];
        const char *n = rd->name.name;
        if (strcmp(n, "public") == 0 || strcmp(n, "none") == 0
            || strcmp(n, "current_role") == 0 || strcmp(n, "current_user") == 0
            || strcmp(n, "session_user") == 0 || strncmp(n, "pg_", 3) == 0) {
            diag_error(c->diag, rd->name.loc, "role name '%s' is reserved by PostgreSQL", n);
            continue;
        }
        if (strlen(n) > 63)
            diag_error(c->diag, rd->name.loc,
                       "role name is longer than 63 bytes: PostgreSQL would cut it short");
        RoleDecl *prev = map_put(f->role_map, n, rd);
        if (prev != rd) {
            diag_error(c->diag, rd->name.loc, "role '%s' is declared twice", n);
            diag_note(c->diag, prev->name.loc, "first declared here");
        } else if (rd->bypass) {
            vec_push(c->arena, &f->bypass, (void *)n);
        }
    }
    vec_sort_strings(&f->bypass);

    c->ctx_names = resolve_names(c, &f->contexts, offsetof(ContextDecl, name));
    c->nctx = f->contexts.n;
    c->role_names = resolve_names(c, &f->roles, offsetof(RoleDecl, name));
    c->nroles = f->roles.n;
}

static void resolve_expr(Resolver *c, const Expr *e);

static void resolve_select(Resolver *c, const Select *s)
{
    resolve_expr(c, s->target);
    if (s->where)
        resolve_expr(c, s->where);
}

static void resolve_expr(Resolver *c, const Expr *e)
{
    if (!e)
        return;
    if (e->kind == E_CONTEXT && !map_get(c->file->context_map, e->text)
        && strcmp(e->text, "?") != 0)
        diag_error(c->diag, e->loc, "unknown context '$%s'%s", e->text,
                   diag_hint(c->arena, e->text, c->ctx_names, c->nctx, "$"));
    resolve_expr(c, e->a);
    if (e->b)
        resolve_expr(c, e->b);
    resolve_expr(c, e->c);
    for (int i = 0; i < e->args.n; i++)
        resolve_expr(c, e->args.items[i]);
    if (e->sub)
        resolve_select(c, e->sub);
}

static void resolve_roles(Resolver *c, const PtrVec *roles)
{
    for (int i = 0; i < roles->n; i++) {
        const Ident *r = roles->items[i];
        if (strcmp(r->name, "public") == 0)
            continue;
        if (!map_get(c->file->role_map, r->name))
            diag_error(c->diag, r->loc,
                       "role '%s' is not declared (add `role %s;`)%s", r->name,
                       r->name, diag_hint(c->arena, r->name, c->role_names, c->nroles, ""));
        for (int j = 0; j < i; j++)
            if (strcmp(((const Ident *)roles->items[j])->name, r->name) == 0)
                diag_error(c->diag, r->loc, "role '%s' is listed twice", r->name);
    }
}

static void resolve_needs_context(Resolver *c, const char *name, Span at, const char *what)
{
    if (!map_get(c->file->context_map, name))
        diag_error(c->diag, at, "%s needs `context %s TYPE = 'app.%s_id';`",
                   what, name, name);
}

static const char *const std_perms[] = {"view", "add", "change", "delete"};
static const CmdSet std_perm_cmds[] = {CMD_SELECT, CMD_INSERT, CMD_UPDATE, CMD_DELETE};

static void resolve_grant(Resolver *c, Rule *r, const Block *b)
{
    resolve_needs_context(c, "user", r->loc, "grant");
    r->cmds = 0;
    for (int i = 0; i < r->perms.n; i++) {
        Perm *p = r->perms.items[i];
        if (p->custom) {
            const char *dot = strchr(p->name, '.');
            if (!dot || dot == p->name || !dot[1] || strchr(dot + 1, '.'))
                diag_error(c->diag, p->loc,
                           "custom permission '%s' must be 'app_label.codename'",
                           p->name);
        } else {
            int k = -1;
            for (int j = 0; j < 4; j++)
                if (strcmp(p->name, std_perms[j]) == 0)
                    k = j;
            if (k < 0) {
                diag_error(c->diag, p->loc,
                           "unknown permission '%s': use view, add, change, delete or "
                           "'app.codename' for CMD%s",
                           p->name, diag_hint(c->arena, p->name, std_perms, 4, ""));
                continue;
            }
            p->cmd = std_perm_cmds[k];
            if (!b->is_model)
                diag_error(c->diag, p->loc,
                           "permission '%s' names a Django model permission, but "
                           "'%s' is a table block; use a model block or a quoted "
                           "'app.codename'",
                           p->name, b->name.name);
        }
        for (int j = 0; j < i; j++) {
            const Perm *q = r->perms.items[j];
            if (strcmp(q->name, p->name) == 0 && q->cmd == p->cmd)
                diag_error(c->diag, p->loc, "permission '%s' is listed twice", p->name);
        }
        r->cmds |= p->cmd;
    }
}

/* USING guards existing rows, WITH CHECK new ones: INSERT has no existing
 * rows, SELECT and DELETE write none.  PostgreSQL rejects the DDL
 * otherwise; we say so at compile time. */
static void resolve_commands(Resolver *c, const Rule *r)
{
    if (r->kind == R_POLICY) {
        if (r->using_ && r->cmds == CMD_INSERT)
            diag_error(c->diag, r->using_->loc,
                       "a policy for insert cannot have USING: inserted rows are "
                       "new rows, use WITH CHECK");
        if (r->check && (r->cmds == CMD_SELECT || r->cmds == CMD_DELETE))
            diag_error(c->diag, r->check->loc,
                       "a policy for %s cannot have WITH CHECK: %s writes no new "
                       "rows, use USING",
                       cmd_name(r->cmds), cmd_name(r->cmds));
        return;
    }
    if (r->check && r->kind == R_DENY) {
        diag_error(c->diag, r->check->loc,
                   "deny takes no check: its using condition applies to old and "
                   "new rows");
        return;
    }
    if (r->check && (r->cmds & (CMD_SELECT | CMD_DELETE)) && r->cmds != CMD_ALL)
        diag_error(c->diag, r->check->loc,
                   "check guards new rows, but %s writes none; use using",
                   (r->cmds & CMD_SELECT) ? "select" : "delete");
    if (r->check && r->using_ && r->cmds == CMD_INSERT)
        diag_error(c->diag, r->using_->loc,
                   "insert has only new rows: give the condition once, as using "
                   "or as check");
}

static void resolve_rule(Resolver *c, Rule *r, const Block *b, bool *seen_tenant,
                         const Rule **noforce)
{
    switch (r->kind) {
    case R_TENANT:
        resolve_needs_context(c, "tenant", r->loc, "tenant");
        if (*seen_tenant)
            diag_error(c->diag, r->loc, "a block has one tenant column");
        *seen_tenant = true;
        break;
    case R_GRANT:
        resolve_grant(c, r, b);
        break;
    case R_POLICY:
        if (strlen(r->name.name) > 63)
            diag_error(c->diag, r->name.loc,
                       "policy name is longer than 63 bytes: PostgreSQL would cut it short");
        if (r->has_on && b)
            diag_error(c->diag, r->on.loc,
                       "inside a block the policy applies to the block's table: "
                       "omit `on %s`",
                       r->on.name);
        if (!r->has_on && !b)
            diag_error(c->diag, r->name.loc,
                       "policy '%s' needs `on TABLE` outside a block", r->name.name);
        break;
    case R_NOFORCE:
        if (*noforce)
            diag_lint(c->diag, "RLS014", r->loc, "`no force;` is given twice");
        *noforce = r;
        break;
    case R_ALLOW:
    case R_DENY:
        break; /* their roles and commands: below, as for every rule */
    }
    resolve_roles(c, &r->roles);
    resolve_commands(c, r);
    /* Later passes recurse over conditions: refuse what would overflow. */
    Expr **conds[] = {&r->using_, &r->check};
    for (int i = 0; i < 2; i++)
        if (*conds[i] && ast_depth(*conds[i], AST_MAX_DEPTH) > AST_MAX_DEPTH) {
            diag_error(c->diag, (*conds[i])->loc,
                       "condition nested more than %d levels deep; split it", AST_MAX_DEPTH);
            *conds[i] = NULL;
        }
    resolve_expr(c, r->using_);
    resolve_expr(c, r->check);
}

/* A model's table is what the catalog says (a custom db_table), else what
 * Django creates: app label, '_', model in lower case. */
static QName resolve_block_table(Resolver *c, const Block *b, const Catalog *cat)
{
    if (!b->is_model)
        return b->name;
    const CatTable *ct = c->file->app.name ? cat_model(cat, c->file->app.name, b->name.name) : NULL;
    if (ct)
        return (QName){ct->schema, ct->name, b->name.loc};
    const char *app = c->file->app.name ? c->file->app.name : "";
    /* Django: "%s_%s" % (app_label, model_name), the label keeping its case */
    char *t = arena_printf(c->arena, "%s_%s", app,
                           util_lower(c->arena, b->name.name, strlen(b->name.name)));
    /* Django's truncate_name(): name[:59] + md5(name)[:4] past 63 bytes */
    size_t n = strlen(t);
    if (n > 63) {
        char md5[33];
        util_md5_hex(t, n, md5);
        memcpy(t + 59, md5, 4);
        t[63] = '\0';
    }
    return (QName){NULL, t, b->name.loc};
}

/* A declaration of name in the map at offset map_off of f, else of the
 * other files, in order: a test may use what another file declares. */
static void *resolve_in_files(AstFile *f, AstFile **files, int nfiles, size_t map_off,
                              const char *name)
{
    void *found = map_get(*(Map **)((char *)f + map_off), name);
    for (int i = 0; !found && i < nfiles; i++)
        found = map_get(*(Map **)((char *)files[i] + map_off), name);
    return found;
}

/* The names of a test: its contexts and its role are declared in the
 * files; each context is set once; no two tests share a name (TAP output
 * and failures name them). */
static void resolve_tests(Resolver *c, AstFile **files, int nfiles, Map *names)
{
    for (int i = 0; i < c->file->tests.n; i++) {
        TestDecl *t = c->file->tests.items[i];
        TestDecl *prev = map_put(names, t->name.name, t);
        if (prev != t) {
            diag_error(c->diag, t->name.loc, "test '%s' is defined twice", t->name.name);
            diag_note(c->diag, prev->name.loc, "first defined here");
        }
        if (!t->name.name[0])
            diag_error(c->diag, t->name.loc, "a test needs a name");
        if (t->role && !resolve_in_files(c->file, files, nfiles, offsetof(AstFile, role_map),
                                         t->role->name))
            diag_error(c->diag, t->role->loc,
                       "role '%s' is not declared (add `role %s;`)%s", t->role->name,
                       t->role->name,
                       diag_hint(c->arena, t->role->name, c->role_names, c->nroles, ""));
        for (int j = 0; j < t->settings.n; j++) {
            TestSetting *s = t->settings.items[j];
            s->decl = resolve_in_files(c->file, files, nfiles, offsetof(AstFile, context_map),
                                       s->name.name);
            if (!s->decl)
                diag_error(c->diag, s->name.loc, "unknown context '%s'%s", s->name.name,
                           diag_hint(c->arena, s->name.name, c->ctx_names, c->nctx, ""));
            for (int k = 0; k < j; k++)
                if (strcmp(((const TestSetting *)t->settings.items[k])->name.name,
                           s->name.name) == 0)
                    diag_error(c->diag, s->name.loc, "context '%s' is set twice",
                               s->name.name);
        }
    }
}

void resolve_files(Arena *a, Diag *d, AstFile **files, int nfiles, const Catalog *cat)
{
    Map *tables = map_new(a); /* key -> Block* across all files */
    for (int fi = 0; fi < nfiles; fi++) {
        Resolver c = {.arena = a, .diag = d, .file = files[fi]};
        resolve_decls(&c);
        AstFile *f = files[fi];
        if (f->app.name && !util_is_identifier(f->app.name))
            diag_error(d, f->app.loc,
                       "app label '%s' is not a Django app label (ASCII letters, digits "
                       "and _, not starting with a digit)",
                       f->app.name);
        for (int i = 0; i < f->blocks.n; i++) {
            Block *b = f->blocks.items[i];
            if (b->is_model && !f->app.name)
                diag_error(d, b->name.loc,
                           "model '%s' needs the Django app label: add `app LABEL;`",
                           b->name.name);
            b->table = resolve_block_table(&c, b, cat);
            if (strlen(b->table.name) > 63 || (b->table.schema && strlen(b->table.schema) > 63))
                diag_error(d, b->name.loc,
                           "table name is longer than 63 bytes: PostgreSQL would cut it short");
            Block *prev = map_put(tables, ir_table_key(a, b->table.schema, b->table.name), b);
            if (prev != b) {
                diag_error(d, b->name.loc, "table '%s' already has a block",
                           b->table.name);
                diag_note(d, prev->name.loc, "the first block is here");
            }
            bool seen_tenant = false;
            const Rule *noforce = NULL;
            for (int j = 0; j < b->rules.n; j++)
                resolve_rule(&c, b->rules.items[j], b, &seen_tenant, &noforce);
        }
        for (int i = 0; i < f->policies.n; i++) {
            bool seen = false;
            const Rule *nf = NULL;
            resolve_rule(&c, f->policies.items[i], NULL, &seen, &nf);
        }
    }
    /* after every file's declarations are known; "did you mean" offers
     * those of every file */
    Map *test_names = map_new(a);
    PtrVec contexts = {0}, roles = {0};
    for (int fi = 0; fi < nfiles; fi++) {
        for (int i = 0; i < files[fi]->contexts.n; i++)
            vec_push(a, &contexts, files[fi]->contexts.items[i]);
        for (int i = 0; i < files[fi]->roles.n; i++)
            vec_push(a, &roles, files[fi]->roles.items[i]);
    }
    for (int fi = 0; fi < nfiles; fi++) {
        Resolver c = {.arena = a, .diag = d, .file = files[fi]};
        c.ctx_names = resolve_names(&c, &contexts, offsetof(ContextDecl, name));
        c.nctx = contexts.n;
        c.role_names = resolve_names(&c, &roles, offsetof(RoleDecl, name));
        c.nroles = roles.n;
        resolve_tests(&c, files, nfiles, test_names);
    }
}
