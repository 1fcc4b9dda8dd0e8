/*
 * import.c — the policies of a live database written as .rls.
 *
 * One snapshot (REPEATABLE READ, READ ONLY) gives every table that has
 * row-level security on, FORCE on, or a policy, with its policies as
 * pg_policy holds them: name, permissive or restrictive, command, roles
 * (0 is PUBLIC), and USING and WITH CHECK as pg_get_expr prints them.
 * pgexpr.c turns each expression into .rls condition syntax.
 *
 * The output is `role R;` for each role named, then one block per table,
 * `table schema.name { policy ...; [no force;] }`, which `rlsc sql`
 * compiles back to the same policies and flags: a block turns ENABLE and
 * FORCE on, `no force;` leaves FORCE off, and a `policy` statement is
 * emitted as written.  What .rls cannot say is an error naming the table
 * and policy, and nothing is written: policies on a table with RLS off
 * (or FORCE without RLS), and expressions outside the condition grammar.
 * A table with RLS and no policy becomes an empty block, which `rlsc sql`
 * compiles to the one policy `rlsc_no_rules` (FOR SELECT USING (false)):
 * it admits nothing, as no policy does; the output says so in a comment.
 *
 * Unless --plain, policies rlsc made are written as the constructs they
 * came from: context reads as $name with `context` lines, `tenant`,
 * `allow`, `deny`, `grant` (in `model` blocks of the file's `app` where a
 * permission is named after the model), `role R bypass`.  Recognising
 * them from names and shapes is a guess, so it is verified, never
 * trusted: the candidate file is compiled in-process against the
 * database's catalog; a construct whose policy gets another name than
 * the database's (a condition hash over source text PostgreSQL has
 * rewritten) is written as a `policy` statement, and a table in which
 * drift_check (codegen/drift.c, what `rlsc check --db` runs) finds any
 * other difference falls back whole to `policy` statements.  Two such
 * rounds; if the second still changes something, or the database cannot
 * be compared (read-only), everything is `policy` statements, which round
 * trip exactly by construction.
 */
#include "import.h"

#include <stdlib.h>

#include "codegen.h"
#include "compile.h"
#include "json.h"
#include "pgconn.h"
#include "pgexpr.h"

/* $1: the oids of the tables asked for, or NULL for all. */
static const char *const import_sql =
    "SELECT n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity,\n"
    "       p.polname, p.polpermissive, p.polcmd,\n"
    "       (SELECT pg_catalog.json_agg(CASE WHEN r.r = 0 THEN NULL\n"
    "                                        ELSE pg_catalog.pg_get_userbyid(r.r) END\n"
    "                                   ORDER BY r.r <> 0, pg_catalog.pg_get_userbyid(r.r)\n"
    "                                            COLLATE \"C\")\n"
    "          FROM pg_catalog.unnest(p.polroles) AS r(r)),\n"
    "       pg_catalog.pg_get_expr(p.polqual, p.polrelid),\n"
    "       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), c.oid\n"
    "  FROM pg_catalog.pg_class c\n"
    "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
    "  LEFT JOIN pg_catalog.pg_policy p ON p.polrelid = c.oid\n"
    " WHERE c.relkind IN ('r', 'p')\n"
    "   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'\n"
    "   AND (c.relrowsecurity OR c.relforcerowsecurity OR p.oid IS NOT NULL)\n"
    "   AND ($1::pg_catalog.oid[] IS NULL OR c.oid = ANY ($1::pg_catalog.oid[]))\n"
    " ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\", p.polname COLLATE \"C\"";

/* The oids of the tables asked for, as an oid[] literal; NULL after a
 * message when one does not exist. */
static const char *import_table_oids(Arena *a, Diag *d, PGconn *conn,
                                     const char *const *tables, int ntables, const char **oids)
{
    StrBuf sb;
    sb_init(&sb, a);
    sb_putc(&sb, '{');
    bool ok = true;
    for (int i = 0; i < ntables; i++) {
        const char *params[1] = {tables[i]};
        PGresult *r = PQexecParams(conn, "SELECT pg_catalog.to_regclass($1)::pg_catalog.oid",
                                   1, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            diag_fail(d, "table '%s': %s", tables[i], pgconn_error(a, conn));
            ok = false;
        } else if (PQgetisnull(r, 0, 0)) {
            diag_fail(d, "table '%s' does not exist", tables[i]);
            ok = false;
        } else {
            oids[i] = arena_strdup(a, PQgetvalue(r, 0, 0));
            sb_printf(&sb, "%s%s", i ? "," : "", oids[i]);
        }
        PQclear(r);
    }
    sb_putc(&sb, '}');
    return ok ? sb_str(&sb) : NULL;
}

static void import_qname(StrBuf *sb, const char *schema, const char *name)
{
    pgexpr_ident(sb, schema);
    sb_putc(sb, '.');
    pgexpr_ident(sb, name);
}

/* ---- the policies read, and what each can be written as */

typedef struct ImpPolicy {
    const char *name;
    bool permissive, pub; /* pub: PUBLIC is among the roles */
    char cmd;             /* pg_policy.polcmd: r a w d, '*' for all */
    PtrVec roles;         /* const char *, sorted; PUBLIC not among them */
    const char *expr[2];  /* USING, WITH CHECK as pg_get_expr prints them */
    PgExpr tree[2];
    bool plain;           /* its construct did not compile to its name */
} ImpPolicy;

typedef struct ImpTable {
    const char *schema, *name;
    bool force;
    bool plain;     /* written as `policy` statements, as --plain does */
    bool fell_back; /* plain because its constructs did not compile back */
    const char *model; /* written as `model M` of the file's app, or NULL */
    PtrVec policies; /* ImpPolicy *, by name */
} ImpTable;

/* Where a construct went in the candidate text, to map the compiled
 * policies back to the database's. */
typedef struct ImpSpan {
    int start, end;
    PtrVec policies; /* ImpPolicy *; none: `tenant`, always "tenant" */
} ImpSpan;

typedef struct Imp {
    Arena *arena;
    const char *conninfo;
    PtrVec tables; /* ImpTable * */
    PtrVec roles;  /* every role a policy names, sorted */
    /* decided per round by import_analyse */
    PtrVec bypass;        /* the file's bypass roles, sorted; empty: none */
    const char *tenant_key; /* pgexpr_context_key of $tenant, or NULL */
    Map *contexts;        /* pgexpr_context_key -> name */
    PtrVec context_decls; /* name, setting, type, in threes */
    const char *user_setting; /* the setting grants check the permissions of */
    const char *app;      /* the file's `app`: the one of grant view/add/... */
    PtrVec spans;         /* ImpSpan *, of the last candidate */
} Imp;

static const char *import_cmd(char cmd)
{
    switch (cmd) {
    case 'r': return "select";
    case 'a': return "insert";
    case 'w': return "update";
    case 'd': return "delete";
    default: return "all";
    }
}

static void import_roles(StrBuf *sb, const ImpPolicy *p)
{
    if (!p->roles.n)
        return;
    /* PUBLIC alone is the default; PostgreSQL keeps no other role beside
     * it, but say both if it ever did */
    sb_puts(sb, p->pub ? " to public, " : " to ");
    for (int k = 0; k < p->roles.n; k++) {
        sb_puts(sb, k ? ", " : "");
        pgexpr_ident(sb, p->roles.items[k]);
    }
}

/* Reads the rows of import_sql into im; returns the count of errors
 * reported (what .rls cannot express). */
static int import_read(Imp *im, Diag *d, PGresult *r)
{
    Arena *a = im->arena;
    int errors = 0, nrows = PQntuples(r);
    Map *seen = map_new(a);
    for (int i = 0; i < nrows;) {
        const char *schema = PQgetvalue(r, i, 0), *table = PQgetvalue(r, i, 1);
        bool rls = PQgetvalue(r, i, 2)[0] == 't';
        const char *shown = arena_printf(a, "%s.%s", schema, table);
        int first = i;
        while (i < nrows && !strcmp(PQgetvalue(r, i, 0), schema) &&
               !strcmp(PQgetvalue(r, i, 1), table))
            i++;
        bool policies = !PQgetisnull(r, first, 4);
        if (!rls) {
            diag_fail(d, "table %s: %s with row-level security off: .rls has no form for "
                         "that (a table block turns it on)",
                      shown, policies ? "policies" : "FORCE ROW LEVEL SECURITY");
            errors++;
            continue;
        }
        ImpTable *t = arena_alloc(a, sizeof *t);
        t->schema = schema;
        t->name = table;
        t->force = PQgetvalue(r, first, 3)[0] == 't';
        vec_push(a, &im->tables, t);
        for (int j = first; policies && j < i; j++) {
            ImpPolicy *p = arena_alloc(a, sizeof *p);
            p->name = PQgetvalue(r, j, 4);
            p->permissive = PQgetvalue(r, j, 5)[0] == 't';
            p->cmd = PQgetvalue(r, j, 6)[0];
            const char *err = NULL;
            Json *list = json_parse(a, PQgetvalue(r, j, 7), &err);
            for (int k = 0; list && list->kind == JSON_ARRAY && k < list->n; k++) {
                const Json *role = list->items[k];
                if (role->kind != JSON_STRING) {
                    p->pub = true;
                    continue;
                }
                vec_push(a, &p->roles, (void *)role->str);
                if (!map_get(seen, role->str)) {
                    map_put(seen, role->str, (void *)role->str);
                    vec_push(a, &im->roles, (void *)role->str);
                }
            }
            static const char *const what[] = {"USING", "WITH CHECK"};
            for (int c = 0; c < 2; c++) {
                if (PQgetisnull(r, j, 8 + c))
                    continue;
                const char *why = NULL;
                StrBuf probe;
                sb_init(&probe, a);
                p->expr[c] = PQgetvalue(r, j, 8 + c);
                if (!pgexpr_parse(a, p->expr[c], &p->tree[c], &why) ||
                    !pgexpr_print(a, p->tree[c], NULL, &probe, &why)) {
                    diag_fail(d, "table %s, policy \"%s\": %s (%s) has %s, which .rls cannot "
                                 "express; nothing imported",
                              shown, p->name, what[c], p->expr[c], why);
                    errors++;
                }
            }
            vec_push(a, &t->policies, p);
        }
    }
    vec_sort_strings(&im->roles);
    return errors;
}

/* ---- recognising rlsc's constructs (each a guess, verified below) */

static bool import_same_roles(const PtrVec *x, const PtrVec *y)
{
    if (x->n != y->n)
        return false;
    for (int i = 0; i < x->n; i++)
        if (strcmp(x->items[i], y->items[i]) != 0)
            return false;
    return true;
}

static const ImpPolicy *import_find(const ImpTable *t, const char *name)
{
    for (int i = 0; i < t->policies.n; i++)
        if (!strcmp(((const ImpPolicy *)t->policies.items[i])->name, name))
            return t->policies.items[i];
    return NULL;
}

/* The `bypass` policy lower.c gives every table of a file with bypass
 * roles: permissive FOR ALL TO them, USING (true) WITH CHECK (true). */
static bool import_is_bypass(const ImpPolicy *p)
{
    return p && p->permissive && p->cmd == '*' && !p->pub && p->roles.n && p->expr[0] &&
           p->expr[1] && pgexpr_is_true(p->tree[0]) && pgexpr_is_true(p->tree[1]);
}

/* A restrictive condition without the file's bypass exemption: *rest.
 * false when the exemption is not exactly the file's. */
static bool import_unexempt(Imp *im, PgExpr e, PgExpr *rest)
{
    PgExpr *args;
    int n = pgexpr_or_args(im->arena, e, &args);
    if (!im->bypass.n) {
        *rest = e;
        return n == 1;
    }
    PtrVec roles = {0};
    if (n != 2 || !pgexpr_bypass_read(im->arena, args[0], &roles) ||
        !import_same_roles(&roles, &im->bypass))
        return false;
    *rest = args[1];
    return true;
}

/* `tenant COL;`: restrictive FOR ALL to PUBLIC, USING COL = <context>;
 * the context's pgexpr_context_key, setting and type. */
static bool import_tenant(Imp *im, const ImpPolicy *p, const char **col, const char **key,
                          const char **setting, const char **type)
{
    PgExpr rest, rhs;
    PtrVec path = {0};
    if (!p || p->permissive || p->cmd != '*' || p->roles.n || !p->expr[0] || p->expr[1] ||
        !import_unexempt(im, p->tree[0], &rest))
        return false;
    if (!pgexpr_column_eq(rest, col, &rhs)) {
        /* a__b__c: each step the column itself (x_id, not x: exact even
         * where the table also has a column x) */
        if (!pgexpr_tenant_path(im->arena, rest, &path, &rhs))
            return false;
        StrBuf sb;
        sb_init(&sb, im->arena);
        for (int i = 0; i < path.n; i++) {
            const char *c = path.items[i];
            if (strstr(c, "__") || !*c || strspn(c, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
                                                 strlen(c))
                return false;
            sb_printf(&sb, "%s%s", i ? "__" : "", c);
        }
        *col = sb_str(&sb);
    }
    if (!pgexpr_context_read(im->arena, rhs, setting, type))
        return false;
    *key = pgexpr_context_key(im->arena, *setting, *type);
    return true;
}

/* The name lower.c (lower_name) gives a rule base[_to_roles] without a
 * condition: a name that differs had one, even where it is `true`. */
static const char *import_bare_name(Imp *im, const char *base, const PtrVec *roles)
{
    StrBuf sb, exact;
    sb_init(&sb, im->arena);
    sb_init(&exact, im->arena);
    bool lossless = true;
    const char *parts[1] = {base};
    for (int i = -1; i < roles->n; i++) {
        const char *part = i < 0 ? parts[0] : roles->items[i];
        if (i == 0)
            sb_puts(&sb, "_to");
        if (i >= 0) {
            sb_putc(&sb, '_');
            sb_putc(&exact, '\x1f');
        }
        sb_puts(&exact, part);
        for (const char *c = part; *c; c++) {
            char ch = *c >= 'A' && *c <= 'Z' ? (char)(*c - 'A' + 'a') : *c;
            bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
            lossless &= ok && ch == *c;
            sb_putc(&sb, ok ? ch : '_');
        }
    }
    if (!lossless)
        sb_printf(&sb, "_%08x", util_hash32(sb_str(&exact)));
    if (sb.len >= 64) { /* NAMEDATALEN: cut, and a hash of the whole */
        uint32_t h = util_hash32(sb_str(&sb));
        sb.len = 64 - 1 - 9;
        sb_printf(&sb, "_%08x", h);
    }
    return sb_str(&sb);
}

static bool import_clause(Imp *im, StrBuf *sb, const char *word, PgExpr e, bool keep_true)
{
    const char *why;
    if (!keep_true && pgexpr_is_true(e))
        return true;
    sb_printf(sb, " %s (", word);
    if (!pgexpr_print(im->arena, e, im->contexts, sb, &why))
        return false;
    sb_putc(sb, ')');
    return true;
}

/* A construct for one policy: `KIND WORD TAIL;`.  Rules of one kind
 * whose tails are the same are one rule over several commands (a policy's
 * name depends on its command, roles and conditions only), so they are
 * written as one: `allow select, update;`.  word NULL: not merged. */
typedef struct ImpRule {
    const char *kind, *word;
    StrBuf tail;
} ImpRule;

/* `allow` or `deny` for p into r; false (r then undefined) when p is
 * neither as lower.c makes them. */
static bool import_rule(Imp *im, const ImpPolicy *p, ImpRule *r)
{
    StrBuf *sb = &r->tail;
    bool allow = !strncmp(p->name, "allow_", 6), deny = !strncmp(p->name, "deny_", 5);
    if ((!allow && !deny) || allow != p->permissive || (p->pub && p->roles.n))
        return false;
    const char *base = arena_printf(im->arena, "%s_%s", allow ? "allow" : "deny",
                                    import_cmd(p->cmd));
    bool hashed = strcmp(p->name, import_bare_name(im, base, &p->roles)) != 0;
    r->kind = allow ? "allow" : "deny";
    r->word = import_cmd(p->cmd);
    import_roles(sb, p);
    if (deny) {
        /* insert: WITH CHECK only; else USING only */
        int c = p->cmd == 'a';
        PgExpr rest, cond;
        if (!p->expr[c] || p->expr[!c] || !import_unexempt(im, p->tree[c], &rest) ||
            !pgexpr_not_true(rest, &cond) || !import_clause(im, sb, "using", cond, hashed))
            return false;
    } else if (p->cmd == 'a') {
        if (p->expr[0] || !p->expr[1] || !import_clause(im, sb, "check", p->tree[1], hashed))
            return false;
    } else if (p->cmd == 'r' || p->cmd == 'd') {
        if (!p->expr[0] || p->expr[1] || !import_clause(im, sb, "using", p->tree[0], hashed))
            return false;
    } else {
        /* update, all: WITH CHECK only when the rule has `check` */
        if (!p->expr[0] ||
            !import_clause(im, sb, "using", p->tree[0], hashed && !p->expr[1]) ||
            (p->expr[1] && !import_clause(im, sb, "check", p->tree[1], true)))
            return false;
    }
    return true;
}

static const char *import_verb(char cmd)
{
    switch (cmd) {
    case 'r': return "view";
    case 'a': return "add";
    case 'w': return "change";
    case 'd': return "delete";
    default: return NULL;
    }
}

/* A grant's check and its `using` condition: false when p is no grant as
 * lower.c makes them (one permission per policy, AND-ed with C). */
static bool import_grant_parts(Imp *im, const ImpPolicy *p, const char **setting,
                               const char **app, const char **codename, PgExpr *cond,
                               bool *has_cond)
{
    int c = p->cmd == 'a'; /* insert: WITH CHECK only; else USING only */
    PgExpr *args;
    if (strncmp(p->name, "grant_", 6) != 0 || !p->permissive || (p->pub && p->roles.n) ||
        !p->expr[c] || p->expr[!c])
        return false;
    int n = pgexpr_and_args(im->arena, p->tree[c], &args);
    if (n > 2 || !pgexpr_perm_check(args[0], setting, app, codename))
        return false;
    *has_cond = n == 2;
    if (n == 2)
        *cond = args[1];
    return true;
}

/* The model a grant of verb form names on table t (app_model), or NULL. */
static const char *import_grant_model(const ImpTable *t, char cmd, const char *app,
                                      const char *codename)
{
    const char *verb = import_verb(cmd);
    size_t nv = verb ? strlen(verb) : 0, na = strlen(app);
    if (!verb || strncmp(codename, verb, nv) != 0 || codename[nv] != '_' ||
        strcmp(t->schema, "public") != 0 || strncmp(t->name, app, na) != 0 ||
        t->name[na] != '_' || strcmp(t->name + na + 1, codename + nv + 1) != 0)
        return NULL;
    for (const char *m = codename + nv + 1; *m; m++)
        if (!((*m >= 'a' && *m <= 'z') || (*m >= '0' && *m <= '9') || *m == '_'))
            return NULL;
    return codename + nv + 1;
}

/* `grant VERB ...` in a model block of the file's app, else the quoted
 * `grant 'app.codename' for CMD ...`. */
static bool import_grant(Imp *im, const ImpTable *t, const ImpPolicy *p, ImpRule *r)
{
    StrBuf *sb = &r->tail;
    const char *setting, *app, *codename;
    PgExpr cond;
    bool has_cond;
    if (!im->user_setting ||
        !import_grant_parts(im, p, &setting, &app, &codename, &cond, &has_cond) ||
        strcmp(setting, im->user_setting) != 0)
        return false;
    if (t->model && im->app && !strcmp(app, im->app) &&
        import_grant_model(t, p->cmd, app, codename)) {
        r->word = import_verb(p->cmd);
    } else {
        if (p->cmd == '*' || strchr(app, '\'') || strchr(codename, '\''))
            return false;
        sb_printf(sb, " '%s.%s' for %s", app, codename, import_cmd(p->cmd));
    }
    r->kind = "grant";
    import_roles(sb, p);
    return !has_cond || import_clause(im, sb, "using", cond, true);
}

/* A context's name from its setting: the last dotted part, lower case,
 * without _id (app.user_id is $user), unique. */
static const char *import_context_name(Imp *im, const char *setting)
{
    const char *s = strrchr(setting, '.');
    StrBuf sb;
    sb_init(&sb, im->arena);
    for (s = s && s[1] ? s + 1 : setting; *s; s++) {
        char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
        sb_putc(&sb, (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_');
    }
    size_t len = sb.len;
    if (len > 3 && !strcmp(sb_str(&sb) + len - 3, "_id"))
        len -= 3;
    const char *base = arena_strndup(im->arena, sb.data, len);
    if (!*base || (*base >= '0' && *base <= '9'))
        base = arena_printf(im->arena, "ctx_%s", base);
    const char *name = base;
    for (int n = 2;; n++) {
        bool taken = false;
        for (int i = 0; i < im->context_decls.n && !taken; i += 3)
            taken = !strcmp(im->context_decls.items[i], name);
        if (!taken)
            return name;
        name = arena_printf(im->arena, "%s_%d", base, n);
    }
}

static void import_declare(Imp *im, const char *key, const char *name, const char *setting,
                           const char *type)
{
    map_put(im->contexts, key, (void *)name);
    vec_push(im->arena, &im->context_decls, (void *)name);
    vec_push(im->arena, &im->context_decls, (void *)setting);
    vec_push(im->arena, &im->context_decls, (void *)type);
}

/* Decides the file-wide things for the tables not plain: the bypass roles
 * (only when every table of the output has the same `bypass` policy: a
 * bypass role gives every table of the file one), $tenant, and a name for
 * every other context read.  false when nothing is recognised at all. */
static bool import_analyse(Imp *im)
{
    Arena *a = im->arena;
    im->bypass = (PtrVec){0};
    im->tenant_key = NULL;
    im->contexts = map_new(a);
    im->context_decls = (PtrVec){0};
    im->user_setting = NULL;
    im->app = NULL;
    bool models = false;
    for (int i = 0; i < im->tables.n; i++)
        ((ImpTable *)im->tables.items[i])->model = NULL;
    const ImpPolicy *first = NULL;
    bool all = im->tables.n > 0;
    for (int i = 0; i < im->tables.n && all; i++) {
        const ImpPolicy *b = import_find(im->tables.items[i], "bypass");
        all = import_is_bypass(b) && (!first || import_same_roles(&b->roles, &first->roles));
        first = first ? first : b;
    }
    if (all)
        im->bypass = first->roles;
    bool any = im->bypass.n > 0;
    /* $tenant: what the first tenant policy reads */
    for (int i = 0; i < im->tables.n && !im->tenant_key; i++) {
        ImpTable *t = im->tables.items[i];
        const char *col, *key, *setting, *type;
        if (!t->plain &&
            import_tenant(im, import_find(t, "tenant"), &col, &key, &setting, &type)) {
            im->tenant_key = key;
            import_declare(im, key, "tenant", setting, type);
        }
    }
    /* grants: the user context they check, the file's app (of the first
     * grant of verb form) and the model blocks of that app */
    PtrVec reads = {0};
    for (int i = 0; i < im->tables.n; i++) {
        ImpTable *t = im->tables.items[i];
        for (int j = 0; !t->plain && j < t->policies.n; j++) {
            const ImpPolicy *p = t->policies.items[j];
            const char *setting, *app, *codename;
            PgExpr cond;
            bool has_cond;
            for (int c = 0; c < 2; c++)
                if (p->expr[c])
                    pgexpr_context_reads(a, p->tree[c], &reads);
            if (p->plain ||
                !import_grant_parts(im, p, &setting, &app, &codename, &cond, &has_cond))
                continue;
            if (!im->user_setting)
                im->user_setting = setting;
            if (!im->app && !strcmp(setting, im->user_setting) &&
                import_grant_model(t, p->cmd, app, codename))
                im->app = app;
            const char *model;
            if (im->app && !strcmp(app, im->app) &&
                (model = import_grant_model(t, p->cmd, app, codename))) {
                t->model = model;
                models = true;
            }
        }
    }
    if (im->user_setting) {
        /* typed as its context reads are, else as Django's default key */
        const char *type = "bigint";
        for (int k = 0; k < reads.n; k += 2)
            if (!strcmp(reads.items[k], im->user_setting)) {
                type = reads.items[k + 1];
                break;
            }
        const char *key = pgexpr_context_key(a, im->user_setting, type);
        if (map_get(im->contexts, key))
            im->user_setting = NULL; /* $tenant's setting: leave grants alone */
        else
            import_declare(im, key, "user", im->user_setting, type);
    }
    for (int k = 0; k < reads.n; k += 2) {
        const char *key = pgexpr_context_key(a, reads.items[k], reads.items[k + 1]);
        /* rlsc's own settings are no context a .rls file may declare */
        if (!map_get(im->contexts, key) && strncmp(reads.items[k], "rlsc.", 5) != 0)
            import_declare(im, key, import_context_name(im, reads.items[k]), reads.items[k],
                           reads.items[k + 1]);
    }
    /* an allow or deny rule, which needs none of the above */
    for (int i = 0; i < im->tables.n && !any; i++) {
        const ImpTable *t = im->tables.items[i];
        for (int j = 0; !t->plain && j < t->policies.n && !any; j++) {
            ImpRule r = {0};
            sb_init(&r.tail, a);
            const ImpPolicy *p = t->policies.items[j];
            any = !p->plain && import_rule(im, p, &r);
        }
    }
    return any || models || im->context_decls.n > 0 || im->user_setting;
}

/* ---- writing */

/* `policy ...;`, context reads as $name where contexts says. */
static void import_policy(Imp *im, const ImpPolicy *p, const Map *contexts, StrBuf *sb)
{
    sb_puts(sb, "    policy ");
    pgexpr_ident(sb, p->name);
    if (!p->permissive)
        sb_puts(sb, " as restrictive");
    if (p->cmd != '*')
        sb_printf(sb, " for %s", import_cmd(p->cmd));
    import_roles(sb, p);
    static const char *const clause[] = {" using (", " with check ("};
    for (int c = 0; c < 2; c++) {
        const char *why;
        if (!p->expr[c])
            continue;
        sb_puts(sb, clause[c]);
        /* import_read has printed it once: it prints */
        pgexpr_print(im->arena, p->tree[c], contexts, sb, &why);
        sb_putc(sb, ')');
    }
    sb_puts(sb, ";\n");
}

static void import_span(Imp *im, int start, int end, const PtrVec *policies)
{
    ImpSpan *s = arena_alloc(im->arena, sizeof *s);
    s->start = start;
    s->end = end;
    if (policies)
        s->policies = *policies;
    vec_push(im->arena, &im->spans, s);
}

/* select, insert, update, delete, all (and view, add, change, delete) in
 * the order .rls lists them */
static int import_rank(const char *word)
{
    static const char *const order[] = {"select", "view", "insert", "add", "update",
                                        "change", "delete", "all"};
    for (int i = 0; i < (int)(sizeof order / sizeof order[0]); i++)
        if (!strcmp(order[i], word))
            return i;
    return 99;
}

typedef struct ImpLine {
    const char *kind, *tail;
    PtrVec words, policies;
    bool merge;
} ImpLine;

static void import_block(Imp *im, ImpTable *t, bool constructs, StrBuf *sb)
{
    if (constructs && !t->plain && t->model) {
        sb_printf(sb, "\nmodel %s {\n", t->model);
    } else {
        sb_puts(sb, "\ntable ");
        import_qname(sb, t->schema, t->name);
        sb_puts(sb, " {\n");
    }
    if (!t->policies.n)
        sb_puts(sb, "    -- RLS on and no policy: `rlsc sql` gives the table the policy\n"
                    "    -- rlsc_no_rules (FOR SELECT USING (false)), which admits nothing\n");
    bool rules = constructs && !t->plain;
    const ImpPolicy *tenant = rules ? import_find(t, "tenant") : NULL;
    const char *col, *key, *setting, *type;
    if (tenant && import_tenant(im, tenant, &col, &key, &setting, &type) && im->tenant_key &&
        !strcmp(key, im->tenant_key) && !tenant->plain) {
        int start = (int)sb->len;
        sb_puts(sb, "    tenant ");
        pgexpr_ident(sb, col);
        sb_puts(sb, ";\n");
        import_span(im, start, (int)sb->len, NULL);
    } else {
        tenant = NULL;
    }
    /* the constructs first, merged where they can be, then the rest as
     * policy statements, each in the order of the policies' names */
    PtrVec lines = {0}, rest = {0};
    for (int j = 0; j < t->policies.n; j++) {
        const ImpPolicy *p = t->policies.items[j];
        if (p == tenant)
            continue;
        /* the file's bypass roles give every table its `bypass` policy */
        if (constructs && im->bypass.n && !strcmp(p->name, "bypass"))
            continue;
        ImpRule r = {0};
        sb_init(&r.tail, im->arena);
        bool written = rules && !p->plain && import_rule(im, p, &r);
        if (!written && rules && !p->plain) {
            r = (ImpRule){0};
            sb_init(&r.tail, im->arena);
            written = import_grant(im, t, p, &r);
        }
        if (!written) {
            vec_push(im->arena, &rest, (void *)p);
            continue;
        }
        const char *tail = sb_str(&r.tail);
        bool merge = r.word && strcmp(r.word, "all") != 0;
        ImpLine *l = NULL;
        for (int k = 0; merge && k < lines.n && !l; k++) {
            ImpLine *m = lines.items[k];
            if (m->merge && !strcmp(m->kind, r.kind) && !strcmp(m->tail, tail))
                l = m;
        }
        if (!l) {
            l = arena_alloc(im->arena, sizeof *l);
            l->kind = r.kind;
            l->tail = tail;
            l->merge = merge;
            vec_push(im->arena, &lines, l);
        }
        if (r.word) {
            int at = l->words.n;
            vec_push(im->arena, &l->words, (void *)r.word);
            for (; at > 0 && import_rank(l->words.items[at - 1]) > import_rank(r.word); at--)
                l->words.items[at] = l->words.items[at - 1];
            l->words.items[at] = (void *)r.word;
        }
        vec_push(im->arena, &l->policies, (void *)p);
    }
    for (int k = 0; k < lines.n; k++) {
        const ImpLine *l = lines.items[k];
        int start = (int)sb->len;
        sb_printf(sb, "    %s", l->kind);
        for (int w = 0; w < l->words.n; w++)
            sb_printf(sb, "%s%s", w ? ", " : " ", (const char *)l->words.items[w]);
        sb_printf(sb, "%s;\n", l->tail);
        import_span(im, start, (int)sb->len, &l->policies);
    }
    for (int k = 0; k < rest.n; k++)
        import_policy(im, rest.items[k], rules ? im->contexts : NULL, sb);
    if (!t->force)
        sb_puts(sb, "    no force;\n");
    sb_puts(sb, "}\n");
}

/* The whole file; with only, just that table's block (and the file-wide
 * declarations), to find which table a compile error is in. */
static void import_render(Imp *im, bool constructs, const ImpTable *only, StrBuf *out)
{
    im->spans.n = 0;
    sb_puts(out, "-- Imported by rlsc import: the policies, roles and RLS flags of the database.\n");
    bool fell = false;
    for (int i = 0; constructs && i < im->tables.n; i++)
        fell |= ((ImpTable *)im->tables.items[i])->fell_back;
    if (fell && !only) {
        sb_puts(out, "-- Written as `policy` statements, since their constructs did not compile\n"
                     "-- back to exactly the same policies:");
        for (int i = 0; i < im->tables.n; i++) {
            const ImpTable *t = im->tables.items[i];
            if (t->fell_back) {
                sb_putc(out, ' ');
                import_qname(out, t->schema, t->name);
            }
        }
        sb_putc(out, '\n');
    }
    bool models = false;
    for (int i = 0; constructs && i < im->tables.n; i++)
        models |= ((const ImpTable *)im->tables.items[i])->model != NULL;
    if (models && im->app)
        sb_printf(out, "\napp %s;\n", im->app);
    if (constructs && im->context_decls.n) {
        sb_putc(out, '\n');
        for (int i = 0; i < im->context_decls.n; i += 3) {
            sb_printf(out, "context %s %s = ", (const char *)im->context_decls.items[i],
                      (const char *)im->context_decls.items[i + 2]);
            const char *s = im->context_decls.items[i + 1];
            sb_putc(out, '\'');
            for (; *s; s++) {
                if (*s == '\'')
                    sb_putc(out, '\'');
                sb_putc(out, *s);
            }
            sb_puts(out, "';\n");
        }
    }
    if (im->roles.n)
        sb_putc(out, '\n');
    for (int k = 0; k < im->roles.n; k++) {
        bool bypass = false;
        for (int m = 0; constructs && m < im->bypass.n; m++)
            bypass |= !strcmp(im->bypass.items[m], im->roles.items[k]);
        sb_puts(out, "role ");
        pgexpr_ident(out, im->roles.items[k]);
        sb_puts(out, bypass ? " bypass;\n" : ";\n");
    }
    for (int i = 0; i < im->tables.n; i++)
        if (!only || im->tables.items[i] == only)
            import_block(im, im->tables.items[i], constructs, out);
}

/* ---- verifying: the candidate compiled against the database's catalog
 * and compared with its policies (codegen/drift.c) */

/* Compiles text as one file; messages go to d.  *base: where the file's
 * offsets start in the spans of the IR. */
static int import_compile(Imp *im, Diag *d, const char *text, size_t len, Ir **ir, int *base)
{
    Arena *a = im->arena;
    *ir = NULL;
    Catalog *cat = cat_new(a);
    cat_add_prelude(cat, d);
    int rc = cat_load_pg(cat, d, im->conninfo);
    if (rc != RLSC_OK)
        return RLSC_ERR_USAGE;
    AstFile *files[1] = {parse_source(a, d, "<rlsc import>", text, (int)len)};
    *base = d->files.n ? ((const SrcFile *)d->files.items[d->files.n - 1])->base : 0;
    resolve_files(a, d, files, 1, cat);
    cat_add_file(cat, d, files[0], false);
    typecheck_files(a, d, files, 1, cat);
    if (d->errors)
        return RLSC_ERR_INPUT;
    *ir = lower_files(a, d, files, 1);
    return d->errors ? RLSC_ERR_INPUT : RLSC_OK;
}

/* Where the candidate's messages go: its warnings (default deny, ...) are
 * about text the user never sees, and import_quiet_close takes from it
 * only why a database could not be compared. */
typedef struct ImpQuiet {
    Diag d;
    FILE *f;
    char *buf;
    size_t len;
} ImpQuiet;

static bool import_quiet_open(Imp *im, ImpQuiet *q)
{
    q->buf = NULL;
    q->len = 0;
    q->f = open_memstream(&q->buf, &q->len);
    if (!q->f)
        return false;
    diag_init(&q->d, im->arena, q->f);
    return true;
}

/* The first line that says error, for a warning; and closes q. */
static const char *import_quiet_close(Imp *im, ImpQuiet *q)
{
    fflush(q->f);
    const char *why = "unknown";
    const char *e = q->buf ? strstr(q->buf, "error: ") : NULL;
    if (e) {
        e += 7;
        why = arena_strndup(im->arena, e, strcspn(e, "\n"));
    }
    fclose(q->f);
    free(q->buf);
    return why;
}

static void import_all_plain(Imp *im)
{
    for (int i = 0; i < im->tables.n; i++) {
        ImpTable *t = im->tables.items[i];
        t->fell_back = false;
        t->plain = true;
    }
}

/* Marks plain each table whose block alone does not compile. */
static void import_blame(Imp *im)
{
    for (int i = 0; i < im->tables.n; i++) {
        ImpTable *t = im->tables.items[i];
        ImpQuiet q;
        StrBuf sb;
        Ir *ir;
        int base;
        if (t->plain || !import_quiet_open(im, &q))
            continue;
        sb_init(&sb, im->arena);
        import_render(im, true, t, &sb);
        if (import_compile(im, &q.d, sb.data, sb.len, &ir, &base) != RLSC_OK)
            t->plain = t->fell_back = true;
        import_quiet_close(im, &q);
    }
}

/* Marks plain every construct whose policy compiled to another name than
 * the database's (the hash of a condition PostgreSQL has rewritten), and
 * every table with another difference; true when it marked any. */
static bool import_check(Imp *im, const Ir *ir, int base, Map *drifted)
{
    bool changed = false;
    Map *renamed = map_new(im->arena); /* tables whose drift a renamed policy explains */
    for (int i = 0; i < ir->tables.n; i++) {
        const IrTable *t = ir->tables.items[i];
        for (int j = 0; j < t->policies.n; j++) {
            const IrPolicy *p = t->policies.items[j];
            for (int k = 0; k < im->spans.n; k++) {
                const ImpSpan *s = im->spans.items[k];
                int at = p->loc.start - base;
                if (!s->policies.n || at < s->start || at >= s->end)
                    continue;
                bool known = false;
                for (int m = 0; m < s->policies.n && !known; m++)
                    known = !strcmp(p->name, ((const ImpPolicy *)s->policies.items[m])->name);
                if (known)
                    continue;
                /* which of the line's policies it was is not known: all
                 * of them are written as policy statements */
                for (int m = 0; m < s->policies.n; m++)
                    ((ImpPolicy *)s->policies.items[m])->plain = true;
                map_put(renamed, ir_table_key(im->arena, t->schema, t->name), (void *)"");
                changed = true;
            }
        }
    }
    for (int i = 0; i < im->tables.n; i++) {
        ImpTable *t = im->tables.items[i];
        const char *key = ir_table_key(im->arena, t->schema, t->name);
        if (!t->plain && map_get(drifted, key) && !map_get(renamed, key)) {
            t->plain = t->fell_back = true;
            changed = true;
        }
    }
    return changed;
}

/* The constructs' file, verified; all-plain after a warning when the
 * database cannot verify it. */
static void import_constructs(Imp *im, Diag *d, StrBuf *out)
{
    for (int round = 0; round < 2; round++) {
        if (!import_analyse(im))
            break; /* nothing to recognise: the plain file */
        StrBuf sb;
        sb_init(&sb, im->arena);
        import_render(im, true, NULL, &sb);
        ImpQuiet q;
        if (!import_quiet_open(im, &q))
            break;
        Ir *ir;
        int base;
        int rc = import_compile(im, &q.d, sb.data, sb.len, &ir, &base);
        if (rc == RLSC_ERR_INPUT) {
            import_quiet_close(im, &q);
            import_blame(im);
            continue;
        }
        Map *drifted = map_new(im->arena);
        if (rc == RLSC_OK)
            rc = drift_check(im->arena, &q.d, im->conninfo, ir, drifted);
        /* drift is RLSC_ERR_INPUT: read from drifted; a database that
         * cannot be compared (read-only) is RLSC_ERR_USAGE */
        const char *why = import_quiet_close(im, &q);
        if (rc == RLSC_ERR_USAGE) {
            diag_warning(d, SPAN_NONE, "writing `policy` statements only: the constructs "
                         "(tenant, allow, deny, bypass roles) could not be checked against the "
                         "database (%s)", why);
            break;
        }
        if (!import_check(im, ir, base, drifted)) {
            sb_putn(out, sb.data, sb.len);
            return;
        }
    }
    import_all_plain(im);
    import_render(im, false, NULL, out);
}

int import_pg(Arena *a, Diag *d, const char *conninfo, const char *const *tables, int ntables,
              bool plain, StrBuf *out)
{
    PGconn *conn = pgconn_open(a, d, conninfo);
    if (!conn)
        return RLSC_ERR_USAGE;
    int rc = RLSC_ERR_USAGE;
    const char **oid = arena_alloc(a, sizeof *oid * (size_t)(ntables + 1));
    const char *oids = ntables ? import_table_oids(a, d, conn, tables, ntables, oid) : NULL;
    if (!ntables || oids) {
        const char *params[1] = {oids};
        PGresult *r = PQexecParams(conn, import_sql, 1, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            diag_fail(d, "reading the policies failed: %s", pgconn_error(a, conn));
        } else {
            Imp im = {.arena = a, .conninfo = conninfo};
            rc = import_read(&im, d, r) ? RLSC_ERR_INPUT : RLSC_OK;
            if (rc == RLSC_OK && plain)
                import_render(&im, false, NULL, out);
            else if (rc == RLSC_OK)
                import_constructs(&im, d, out);
            /* a table asked for that has nothing to import is said so,
             * not left out in silence */
            Map *found = map_new(a);
            for (int i = 0; i < PQntuples(r); i++)
                map_put(found, PQgetvalue(r, i, 10), (void *)"");
            for (int i = 0; i < ntables; i++)
                if (!map_get(found, oid[i]))
                    diag_warning(d, SPAN_NONE, "table '%s' has no row-level security and no "
                                 "policy: nothing to import", tables[i]);
        }
        PQclear(r);
    }
    pgconn_close(conn);
    return rc;
}
