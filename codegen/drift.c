/*
 * drift.c — the compiled policies compared with a live database: `rlsc
 * check --db` (codegen.h, drift_check).
 *
 * Conditions are compared as PostgreSQL stores them, so formatting never
 * counts: each compiled policy is created, in a transaction that is rolled
 * back, on a temporary copy of its table (its columns, types and
 * collations, read from the catalog), and pg_get_expr prints both it and the live policy.  The copy
 * has the table's name, so a column the condition qualifies with the
 * table's name reads the same; the live policies are read first, while no
 * copy shadows a table of the search_path.  The copy's policies are
 * created TO PUBLIC (roles are compared by name, and a role missing from
 * the database is a difference, not a failure to compare).
 *
 * Reported, each at the rule or the table in the files: a table missing,
 * RLS off, FORCE differing, a policy missing, extra, or differing in
 * command, permissiveness, roles, USING or WITH CHECK; a policy that
 * cannot be created as compiled (a helper function missing, say).  And
 * without a place in the files: the connecting role being a superuser or
 * having BYPASSRLS (PostgreSQL applies no policy to it), owning a table
 * whose FORCE is off (the same for that table), and tables with RLS or
 * policies in the schemas the files name that no file declares.
 */
#define RLSC_CODEGEN
#include "codegen.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "pgconn.h"

/* A policy as pg_policy holds it, conditions as pg_get_expr prints them. */
typedef struct LivePolicy {
    const char *name;
    CmdSet cmd;
    bool permissive;
    PtrVec roles; /* names, sorted; "public" for PUBLIC */
    const char *using_, *check; /* NULL when absent */
    bool matched;
} LivePolicy;

typedef struct LiveTable {
    const char *schema, *name;
    bool rls, force, owned; /* owned: the connecting role has the owner's rights */
    PtrVec policies;        /* LivePolicy*, by name */
    const char *columns;    /* the files' tables: `name type, ...` for a copy */
    bool matched;
} LiveTable;

/* The compiled policy as PostgreSQL stores it, or why it cannot be made. */
typedef struct Stored {
    const char *using_, *check;
    const char *error; /* NULL: created */
} Stored;

typedef struct Drift {
    Arena *a;
    Diag *d;
    PGconn *conn;
    const char *role; /* the connecting role */
    bool exempt;      /* it is a superuser or has BYPASSRLS: no policy applies to it */
} Drift;

/* Runs sql with params; NULL after a message saying what failed. */
static PGresult *drift_query(Drift *dr, const char *what, const char *sql, int n,
                             const char *const *params)
{
    PGresult *r = PQexecParams(dr->conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return r;
    diag_fail(dr->d, "%s failed: %s", what, pgconn_error(dr->a, dr->conn));
    PQclear(r);
    return NULL;
}

/* A statement whose failure is an answer, not an error: its message, or
 * NULL when it succeeded. */
static const char *drift_try(Drift *dr, const char *sql)
{
    return pgconn_try(dr->a, dr->conn, sql);
}

/* strings as a PostgreSQL array literal: {"a","b"} */
static const char *drift_array(Arena *a, const PtrVec *v)
{
    StrBuf sb;
    sb_init(&sb, a);
    sb_putc(&sb, '{');
    for (int i = 0; i < v->n; i++) {
        sb_puts(&sb, i ? ",\"" : "\"");
        for (const char *s = v->items[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                sb_putc(&sb, '\\');
            sb_putc(&sb, *s);
        }
        sb_putc(&sb, '"');
    }
    sb_putc(&sb, '}');
    return sb_str(&sb);
}

static CmdSet drift_cmd(char c)
{
    switch (c) {
    case 'r': return CMD_SELECT;
    case 'a': return CMD_INSERT;
    case 'w': return CMD_UPDATE;
    case 'd': return CMD_DELETE;
    default: return CMD_ALL;
    }
}

static const char *drift_value(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* ---- the connecting role */

static int drift_role(Drift *dr)
{
    PGresult *r = drift_query(dr, "reading the connecting role",
                              "SELECT rolname, rolsuper, rolbypassrls FROM pg_catalog.pg_roles "
                              "WHERE rolname = current_user", 0, NULL);
    if (!r)
        return RLSC_ERR_USAGE;
    if (PQntuples(r) == 1) {
        dr->role = arena_strdup(dr->a, PQgetvalue(r, 0, 0));
        dr->exempt = PQgetvalue(r, 0, 1)[0] == 't' || PQgetvalue(r, 0, 2)[0] == 't';
        if (PQgetvalue(r, 0, 1)[0] == 't')
            diag_error(dr->d, SPAN_NONE, "the connecting role %s is a superuser: PostgreSQL "
                       "applies no row-level security policy to it (connect as the "
                       "application's role)", dr->role);
        else if (PQgetvalue(r, 0, 2)[0] == 't')
            diag_error(dr->d, SPAN_NONE, "the connecting role %s has BYPASSRLS: PostgreSQL "
                       "applies no row-level security policy to it (ALTER ROLE %s "
                       "NOBYPASSRLS)", dr->role, dr->role);
    }
    PQclear(r);
    return RLSC_OK;
}

/* ---- the live side */

/* $1: the files' tables (quoted names); $2: the schemas they name.  The
 * files' tables come with their position in $1 (to_regclass resolves
 * them on the search_path as the compiled SQL does) and their columns as
 * CREATE TABLE lists them (types and collations, from the catalog: LIKE
 * would need SELECT on the table); other tables of those schemas only
 * when they have RLS, FORCE or a policy. */
static const char *const drift_live_sql =
    "WITH wanted AS (\n"
    "    SELECT u.i, pg_catalog.to_regclass(u.n) AS oid\n"
    "      FROM pg_catalog.unnest($1::pg_catalog.text[]) WITH ORDINALITY AS u(n, i))\n"
    "SELECT w.i, n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity,\n"
    "       pg_catalog.pg_has_role(c.relowner, 'USAGE'),\n"
    "       p.polname, p.polpermissive, p.polcmd,\n"
    "       (SELECT pg_catalog.json_agg(CASE WHEN r.r = 0 THEN 'public'\n"
    "                                        ELSE pg_catalog.pg_get_userbyid(r.r) END)\n"
    "          FROM pg_catalog.unnest(p.polroles) AS r(r)),\n"
    "       pg_catalog.pg_get_expr(p.polqual, p.polrelid),\n"
    "       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid),\n"
    "       CASE WHEN w.i IS NOT NULL THEN (\n"
    "           SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' '\n"
    "                    || pg_catalog.format_type(a.atttypid, a.atttypmod)\n"
    "                    || CASE WHEN a.attcollation <> t.typcollation\n"
    "                            THEN ' COLLATE ' || pg_catalog.quote_ident(cn.nspname) || '.'\n"
    "                                 || pg_catalog.quote_ident(co.collname) ELSE '' END,\n"
    "                    ', ' ORDER BY a.attnum)\n"
    "             FROM pg_catalog.pg_attribute a\n"
    "             JOIN pg_catalog.pg_type t ON t.oid = a.atttypid\n"
    "             LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation\n"
    "             LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace\n"
    "            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) END\n"
    "  FROM pg_catalog.pg_class c\n"
    "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
    "  LEFT JOIN wanted w ON w.oid = c.oid\n"
    "  LEFT JOIN pg_catalog.pg_policy p ON p.polrelid = c.oid\n"
    " WHERE c.relkind IN ('r', 'p')\n"
    "   AND (w.i IS NOT NULL\n"
    "        OR (n.nspname = ANY ($2::pg_catalog.text[])\n"
    "            AND (c.relrowsecurity OR c.relforcerowsecurity OR p.oid IS NOT NULL)))\n"
    " ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\", p.polname COLLATE \"C\"";

static LivePolicy *drift_live_policy(Drift *dr, PGresult *r, int row)
{
    LivePolicy *p = arena_alloc(dr->a, sizeof *p);
    memset(p, 0, sizeof *p);
    p->name = arena_strdup(dr->a, PQgetvalue(r, row, 6));
    p->permissive = PQgetvalue(r, row, 7)[0] == 't';
    p->cmd = drift_cmd(PQgetvalue(r, row, 8)[0]);
    const char *err = NULL;
    const Json *roles = json_parse(dr->a, PQgetvalue(r, row, 9), &err);
    for (int k = 0; roles && roles->kind == JSON_ARRAY && k < roles->n; k++)
        if (roles->items[k]->kind == JSON_STRING)
            vec_push(dr->a, &p->roles, (void *)roles->items[k]->str);
    vec_sort_strings(&p->roles);
    const char *u = drift_value(r, row, 10), *c = drift_value(r, row, 11);
    p->using_ = u ? arena_strdup(dr->a, u) : NULL;
    p->check = c ? arena_strdup(dr->a, c) : NULL;
    return p;
}

/* Reads the live tables: bypos[i] is the one of ir's table i (NULL when
 * the database has none), *others the rest, in order. */
static int drift_live(Drift *dr, const Ir *ir, LiveTable **bypos, PtrVec *others)
{
    PtrVec names = {0}, schemas = {0};
    Map *seen = map_new(dr->a);
    for (int i = 0; i < ir->tables.n; i++) {
        const IrTable *t = ir->tables.items[i];
        StrBuf q;
        sb_init(&q, dr->a);
        sqlfmt_qname(&q, t->schema, t->name);
        vec_push(dr->a, &names, (void *)sb_str(&q));
        const char *s = t->schema ? t->schema : "public";
        if (!map_get(seen, s)) {
            map_put(seen, s, (void *)s);
            vec_push(dr->a, &schemas, (void *)s);
        }
    }
    const char *params[2] = {drift_array(dr->a, &names), drift_array(dr->a, &schemas)};
    PGresult *r = drift_query(dr, "reading the policies", drift_live_sql, 2, params);
    if (!r)
        return RLSC_ERR_USAGE;
    LiveTable *t = NULL;
    for (int row = 0; row < PQntuples(r); row++) {
        const char *schema = PQgetvalue(r, row, 1), *name = PQgetvalue(r, row, 2);
        if (!t || strcmp(t->schema, schema) != 0 || strcmp(t->name, name) != 0) {
            t = arena_alloc(dr->a, sizeof *t);
            memset(t, 0, sizeof *t);
            t->schema = arena_strdup(dr->a, schema);
            t->name = arena_strdup(dr->a, name);
            t->rls = PQgetvalue(r, row, 3)[0] == 't';
            t->force = PQgetvalue(r, row, 4)[0] == 't';
            t->owned = PQgetvalue(r, row, 5)[0] == 't';
            t->columns = arena_strdup(dr->a, PQgetvalue(r, row, 12));
            const char *pos = drift_value(r, row, 0);
            if (pos)
                bypos[atoi(pos) - 1] = t;
            else
                vec_push(dr->a, others, t);
        }
        if (!PQgetisnull(r, row, 6))
            vec_push(dr->a, &t->policies, drift_live_policy(dr, r, row));
    }
    PQclear(r);
    return RLSC_OK;
}

/* ---- the compiled side, as PostgreSQL stores it */

/* Runs a script of several statements; returns its one result with rows
 * when every statement succeeded, else NULL with the transaction rolled
 * back to the savepoint rlsc_table, which the script sets first. */
static PGresult *drift_batch(Drift *dr, const char *script)
{
    PGresult *rows = NULL, *r;
    bool failed = !PQsendQuery(dr->conn, script);
    while ((r = PQgetResult(dr->conn))) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_TUPLES_OK && !rows) {
            rows = r;
            continue;
        }
        failed |= st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK;
        PQclear(r);
    }
    if (!failed)
        return rows;
    PQclear(rows);
    drift_try(dr, "ROLLBACK TO SAVEPOINT rlsc_table; RELEASE SAVEPOINT rlsc_table");
    return NULL;
}

/* The policies of t as created on copy, TO PUBLIC: roles are compared by
 * name, and a role missing from the database is a difference, not a
 * reason the policy cannot be made. */
static void drift_create(StrBuf *sql, const IrTable *t, int i, const char *copy)
{
    IrPolicy p = *(const IrPolicy *)t->policies.items[i];
    p.roles = (PtrVec){0};
    emit_create_policy(sql, copy, &p);
}

/* Creates the policies of t on a temporary copy of live (its columns, its
 * name) and reads them back into out[i] (t's policy i); the copy goes
 * again.  One round trip per table; when something fails, again one
 * policy at a time, to say which cannot be created and why. */
static void drift_store(Drift *dr, const IrTable *t, const LiveTable *live, Stored *out)
{
    StrBuf sql, copy, read;
    sb_init(&sql, dr->a);
    sb_init(&copy, dr->a);
    sb_init(&read, dr->a);
    sb_puts(&copy, "pg_temp.");
    sqlfmt_ident(&copy, live->name);
    sb_puts(&read, "SELECT polname, pg_catalog.pg_get_expr(polqual, polrelid),\n"
                   "       pg_catalog.pg_get_expr(polwithcheck, polrelid)\n"
                   "  FROM pg_catalog.pg_policy WHERE polrelid = ");
    sqlfmt_literal(&read, sb_str(&copy));
    sb_puts(&read, "::pg_catalog.regclass;\n");
    sb_puts(&sql, "SAVEPOINT rlsc_table; CREATE TEMPORARY TABLE ");
    sb_puts(&sql, sb_str(&copy));
    sb_printf(&sql, " (%s);\n", live->columns);
    size_t created = sql.len;
    for (int i = 0; i < t->policies.n; i++)
        drift_create(&sql, t, i, sb_str(&copy));
    sb_puts(&sql, sb_str(&read));
    sb_puts(&sql, "ROLLBACK TO SAVEPOINT rlsc_table; RELEASE SAVEPOINT rlsc_table");
    PGresult *r = drift_batch(dr, sb_str(&sql));
    if (!r) {
        sql.len = created;
        sql.data[created] = '\0';
        const char *err = drift_try(dr, sb_str(&sql));
        if (err) {
            drift_try(dr, "ROLLBACK TO SAVEPOINT rlsc_table; RELEASE SAVEPOINT rlsc_table");
            for (int i = 0; i < t->policies.n; i++)
                out[i].error = arena_printf(dr->a, "cannot copy the table to compare: %s", err);
            return;
        }
        for (int i = 0; i < t->policies.n; i++) {
            sql.len = 0;
            sb_puts(&sql, "SAVEPOINT rlsc_policy; ");
            drift_create(&sql, t, i, sb_str(&copy));
            out[i].error = drift_try(dr, sb_str(&sql));
            drift_try(dr, out[i].error ? "ROLLBACK TO SAVEPOINT rlsc_policy"
                                       : "RELEASE SAVEPOINT rlsc_policy");
        }
        r = drift_query(dr, "reading the compiled policies", sb_str(&read), 0, NULL);
        drift_try(dr, "ROLLBACK TO SAVEPOINT rlsc_table; RELEASE SAVEPOINT rlsc_table");
    }
    Map *byname = map_new(dr->a);
    for (int row = 0; r && row < PQntuples(r); row++)
        map_put(byname, arena_strdup(dr->a, PQgetvalue(r, row, 0)), (void *)(intptr_t)(row + 1));
    for (int i = 0; i < t->policies.n; i++) {
        const IrPolicy *p = t->policies.items[i];
        intptr_t row = r ? (intptr_t)map_get(byname, p->name) - 1 : -1;
        if (out[i].error || row < 0) {
            if (!out[i].error)
                out[i].error = "it was not found after CREATE POLICY";
            continue;
        }
        const char *u = drift_value(r, (int)row, 1), *c = drift_value(r, (int)row, 2);
        out[i].using_ = u ? arena_strdup(dr->a, u) : NULL;
        out[i].check = c ? arena_strdup(dr->a, c) : NULL;
    }
    PQclear(r);
}

/* ---- the comparison */

static bool drift_streq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static const char *drift_roles(Arena *a, const PtrVec *roles)
{
    if (!roles->n)
        return "PUBLIC";
    StrBuf sb;
    sb_init(&sb, a);
    for (int i = 0; i < roles->n; i++) {
        sb_puts(&sb, i ? ", " : "");
        if (strcmp(roles->items[i], "public") == 0)
            sb_puts(&sb, "PUBLIC");
        else
            sqlfmt_ident(&sb, roles->items[i]);
    }
    return sb_str(&sb);
}

static bool drift_same_roles(const PtrVec *ir, const PtrVec *live)
{
    /* the IR's empty list and pg_policy's {0} are both PUBLIC */
    if (!ir->n)
        return live->n == 1 && strcmp(live->items[0], "public") == 0;
    if (ir->n != live->n)
        return false;
    for (int i = 0; i < ir->n; i++)
        if (strcmp(ir->items[i], live->items[i]) != 0)
            return false;
    return true;
}

static const char *drift_cond(const char *c)
{
    return c ? c : "(none)";
}

/* One policy of the files against the database's of the same name. */
static void drift_policy(Drift *dr, const char *table, const IrPolicy *p, const Stored *st,
                         const LivePolicy *lp)
{
    Diag *d = dr->d;
    if (p->cmd != lp->cmd)
        diag_error(d, p->loc, "policy \"%s\" on %s is FOR %s in the database, FOR %s in the files",
                   p->name, table, emit_cmd(lp->cmd), emit_cmd(p->cmd));
    if (p->restrictive == lp->permissive)
        diag_error(d, p->loc, "policy \"%s\" on %s is %s in the database, %s in the files",
                   p->name, table, lp->permissive ? "PERMISSIVE" : "RESTRICTIVE",
                   p->restrictive ? "RESTRICTIVE" : "PERMISSIVE");
    if (!drift_same_roles(&p->roles, &lp->roles))
        diag_error(d, p->loc, "policy \"%s\" on %s is TO %s in the database, TO %s in the files",
                   p->name, table, drift_roles(dr->a, &lp->roles), drift_roles(dr->a, &p->roles));
    if (st->error) {
        diag_error(d, p->loc, "policy \"%s\" on %s: the compiled policy cannot be created in "
                   "the database to compare its conditions: %s", p->name, table, st->error);
        return;
    }
    if (!drift_streq(st->using_, lp->using_))
        diag_error(d, p->loc, "policy \"%s\" on %s has USING %s in the database, %s in the files",
                   p->name, table, drift_cond(lp->using_), drift_cond(st->using_));
    if (!drift_streq(st->check, lp->check))
        diag_error(d, p->loc, "policy \"%s\" on %s has WITH CHECK %s in the database, %s in "
                   "the files", p->name, table, drift_cond(lp->check), drift_cond(st->check));
}

static LivePolicy *drift_find(const LiveTable *t, const char *name)
{
    for (int i = 0; i < t->policies.n; i++) {
        LivePolicy *p = t->policies.items[i];
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

/* An item of the files paired with what it is compared with, to report
 * in the files' order (the IR's is by name): a span's start orders the
 * files too, each having its own range. */
typedef struct Placed {
    Span loc;
    const void *item, *other;
} Placed;

static int drift_by_place(const void *x, const void *y)
{
    int a = ((const Placed *)x)->loc.start, b = ((const Placed *)y)->loc.start;
    return (a > b) - (a < b);
}

/* A table of the files against the database's. */
static void drift_table(Drift *dr, const IrTable *t, LiveTable *live)
{
    Diag *d = dr->d;
    StrBuf q;
    sb_init(&q, dr->a);
    sqlfmt_qname(&q, t->schema, t->name);
    const char *table = sb_str(&q);
    if (!live) {
        diag_error(d, t->loc, "table %s does not exist in the database", table);
        return;
    }
    live->matched = true;
    if (!live->rls)
        diag_error(d, t->loc, "row-level security is off on %s in the database: no policy "
                   "applies (ALTER TABLE %s ENABLE ROW LEVEL SECURITY)", table, table);
    if (t->force && !live->force)
        diag_error(d, t->loc, "FORCE ROW LEVEL SECURITY is off on %s in the database: the "
                   "table's owner%s bypasses its policies", table,
                   live->owned && !dr->exempt ? ", the connecting role among them," : "");
    else if (!t->force && live->force)
        diag_error(d, t->loc, "FORCE ROW LEVEL SECURITY is on on %s in the database; the "
                   "files say `no force;`", table);
    else if (!live->force && live->owned && live->rls && !dr->exempt)
        diag_error(d, t->loc, "the connecting role %s owns %s, whose FORCE ROW LEVEL SECURITY "
                   "is off: the policies do not apply to it", dr->role ? dr->role : "?", table);
    Stored *st = arena_alloc(dr->a, sizeof *st * (size_t)(t->policies.n + 1));
    memset(st, 0, sizeof *st * (size_t)(t->policies.n + 1));
    drift_store(dr, t, live, st);
    Placed *ordered = arena_alloc(dr->a, sizeof *ordered * (size_t)(t->policies.n + 1));
    for (int i = 0; i < t->policies.n; i++) {
        const IrPolicy *p = t->policies.items[i];
        ordered[i] = (Placed){p->loc, p, &st[i]};
    }
    if (t->policies.n > 1)
        qsort(ordered, (size_t)t->policies.n, sizeof *ordered, drift_by_place);
    for (int i = 0; i < t->policies.n; i++) {
        const IrPolicy *p = ordered[i].item;
        const Stored *ps = ordered[i].other;
        LivePolicy *lp = drift_find(live, p->name);
        if (lp) {
            lp->matched = true;
            drift_policy(dr, table, p, ps, lp);
        } else if (p->origin == IR_FROM_HOLDER && live->policies.n == 0) {
            /* rlsc's policy that admits nothing, on a table with rules for
             * nothing: the same access as no policy at all */
        } else if (ps->error) {
            diag_error(d, p->loc, "policy \"%s\" on %s is missing from the database, and the "
                       "compiled policy cannot be created there: %s", p->name, table, ps->error);
        } else {
            diag_error(d, p->loc, "policy \"%s\" on %s is missing from the database", p->name,
                       table);
        }
    }
    for (int i = 0; i < live->policies.n; i++) {
        const LivePolicy *lp = live->policies.items[i];
        if (!lp->matched)
            diag_error(d, t->loc, "policy \"%s\" on %s is in the database but not in the files "
                       "(FOR %s TO %s USING %s WITH CHECK %s)", lp->name, table,
                       emit_cmd(lp->cmd), drift_roles(dr->a, &lp->roles),
                       drift_cond(lp->using_), drift_cond(lp->check));
    }
}

/* A table with RLS or policies in a schema of the files that no file names. */
static void drift_unclaimed(Drift *dr, const LiveTable *t)
{
    StrBuf q;
    sb_init(&q, dr->a);
    sqlfmt_qname(&q, ir_schema(t->schema), t->name);
    if (t->policies.n)
        diag_error(dr->d, SPAN_NONE, "table %s has %d polic%s in the database (%s%s) that no "
                   "file declares", sb_str(&q), t->policies.n, t->policies.n == 1 ? "y" : "ies",
                   ((const LivePolicy *)t->policies.items[0])->name,
                   t->policies.n > 1 ? ", ..." : "");
    else
        diag_error(dr->d, SPAN_NONE, "table %s has row-level security %s in the database and no "
                   "file declares it", sb_str(&q), t->rls ? "on" : "forced");
}

/* Connects and begins the one transaction: a snapshot, read-write for
 * the temporary copies and rolled back by drift_close, so nothing is left
 * behind; a lock held by someone else fails the comparison instead of
 * waiting on it.  RLSC_ERR_USAGE after a message. */
static int drift_open(Drift *dr, Arena *a, Diag *d, const char *conninfo)
{
    *dr = (Drift){a, d, pgconn_connect(a, d, conninfo), NULL, false};
    if (!dr->conn)
        return RLSC_ERR_USAGE;
    const char *err = drift_try(dr, "BEGIN ISOLATION LEVEL REPEATABLE READ; "
                                    "SET LOCAL lock_timeout = '10s'");
    if (err) {
        diag_fail(d, "cannot compare with the database: %s", err);
        PQfinish(dr->conn);
        return RLSC_ERR_USAGE;
    }
    return RLSC_OK;
}

/* Whether the database takes temporary tables (a hot standby, a
 * read-only one or a role without TEMPORARY does not); RLSC_ERR_USAGE
 * after a message that says so. */
static int drift_probe(Drift *dr)
{
    const char *err = drift_try(dr, "SAVEPOINT rlsc_probe; CREATE TEMPORARY TABLE rlsc_probe ()");
    if (err) {
        diag_fail(dr->d, "cannot compare with the database: the comparison creates temporary "
                  "tables in a transaction it rolls back, and this database refuses: %s "
                  "(connect to the primary, as a role with the TEMPORARY privilege)", err);
        return RLSC_ERR_USAGE;
    }
    drift_try(dr, "ROLLBACK TO SAVEPOINT rlsc_probe; RELEASE SAVEPOINT rlsc_probe");
    return RLSC_OK;
}

static void drift_close(Drift *dr)
{
    PQclear(PQexec(dr->conn, "ROLLBACK"));
    PQfinish(dr->conn);
}

int drift_check(Arena *a, Diag *d, const char *conninfo, const Ir *ir, Map *drifted)
{
    Drift dr;
    if (drift_open(&dr, a, d, conninfo) != RLSC_OK)
        return RLSC_ERR_USAGE;
    int errors = d->errors;
    LiveTable **bypos = arena_alloc(a, sizeof *bypos * (size_t)(ir->tables.n + 1));
    memset(bypos, 0, sizeof *bypos * (size_t)(ir->tables.n + 1));
    PtrVec others = {0};
    int rc = drift_role(&dr);
    if (rc == RLSC_OK)
        rc = drift_live(&dr, ir, bypos, &others);
    if (rc == RLSC_OK)
        rc = drift_probe(&dr);
    if (rc == RLSC_OK) {
        Placed *ordered = arena_alloc(a, sizeof *ordered * (size_t)(ir->tables.n + 1));
        for (int i = 0; i < ir->tables.n; i++) {
            const IrTable *t = ir->tables.items[i];
            ordered[i] = (Placed){t->loc, t, bypos[i]};
        }
        if (ir->tables.n > 1)
            qsort(ordered, (size_t)ir->tables.n, sizeof *ordered, drift_by_place);
        for (int i = 0; i < ir->tables.n; i++) {
            const IrTable *t = ordered[i].item;
            int before = d->errors;
            drift_table(&dr, t, (LiveTable *)ordered[i].other);
            if (drifted && d->errors > before)
                map_put(drifted, ir_table_key(a, t->schema, t->name), (void *)t);
        }
        for (int i = 0; i < others.n; i++)
            drift_unclaimed(&dr, others.items[i]);
    }
    drift_close(&dr);
    if (rc != RLSC_OK)
        return rc;
    return d->errors > errors ? RLSC_ERR_INPUT : RLSC_OK;
}

/* ---- rlsc explain --db: the live side as an IR */

/* A live policy in the IR's terms: PUBLIC (anywhere in its roles, as it
 * covers every role) is the IR's empty list. */
static IrPolicy *drift_ir_policy(Arena *a, const LivePolicy *lp)
{
    IrPolicy *p = arena_alloc(a, sizeof *p);
    memset(p, 0, sizeof *p);
    p->name = lp->name;
    p->cmd = lp->cmd;
    p->restrictive = !lp->permissive;
    p->origin = IR_FROM_POLICY;
    p->loc = SPAN_NONE;
    p->using_ = lp->using_;
    p->check = lp->check;
    bool public_ = false;
    for (int i = 0; i < lp->roles.n; i++)
        public_ |= strcmp(lp->roles.items[i], "public") == 0;
    if (!public_)
        p->roles = lp->roles;
    return p;
}

int drift_live_ir(Arena *a, Diag *d, const char *conninfo, const Ir *ir, Ir **live, Ir **stored)
{
    *live = *stored = NULL;
    Drift dr;
    if (drift_open(&dr, a, d, conninfo) != RLSC_OK)
        return RLSC_ERR_USAGE;
    LiveTable **bypos = arena_alloc(a, sizeof *bypos * (size_t)(ir->tables.n + 1));
    memset(bypos, 0, sizeof *bypos * (size_t)(ir->tables.n + 1));
    PtrVec others = {0};
    int rc = drift_live(&dr, ir, bypos, &others);
    if (rc == RLSC_OK)
        rc = drift_probe(&dr);
    if (rc == RLSC_OK) {
        Ir *o = arena_alloc(a, sizeof *o), *n = arena_alloc(a, sizeof *n);
        memset(o, 0, sizeof *o);
        *n = *ir;
        n->tables = (PtrVec){0};
        for (int i = 0; i < ir->tables.n; i++) {
            const IrTable *t = ir->tables.items[i];
            const LiveTable *lt = bypos[i];
            IrTable *nt = arena_alloc(a, sizeof *nt);
            *nt = *t;
            nt->policies = (PtrVec){0};
            Stored *st = arena_alloc(a, sizeof *st * (size_t)(t->policies.n + 1));
            memset(st, 0, sizeof *st * (size_t)(t->policies.n + 1));
            if (lt)
                drift_store(&dr, t, lt, st);
            for (int k = 0; k < t->policies.n; k++) {
                IrPolicy *p = arena_alloc(a, sizeof *p);
                *p = *(const IrPolicy *)t->policies.items[k];
                if (lt && !st[k].error) {
                    p->using_ = st[k].using_;
                    p->check = st[k].check;
                } else if (lt) {
                    diag_warning(d, p->loc, "policy \"%s\" cannot be created in the database "
                                 "to read its conditions as PostgreSQL stores them (%s): "
                                 "compared as compiled", p->name, st[k].error);
                }
                vec_push(a, &nt->policies, p);
            }
            vec_push(a, &n->tables, nt);
            /* a table missing, or without RLS, is left out: no policy applies */
            if (!lt || !lt->rls)
                continue;
            IrTable *ot = arena_alloc(a, sizeof *ot);
            memset(ot, 0, sizeof *ot);
            ot->schema = t->schema;
            ot->name = t->name;
            ot->force = lt->force;
            ot->loc = SPAN_NONE;
            for (int k = 0; k < lt->policies.n; k++)
                vec_push(a, &ot->policies, drift_ir_policy(a, lt->policies.items[k]));
            vec_push(a, &o->tables, ot);
        }
        *live = o;
        *stored = n;
    }
    drift_close(&dr);
    return rc;
}
