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
 */
#include "import.h"

#include <stdlib.h>

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

/* Writes the rows of import_sql as .rls into out; returns the count of
 * errors reported. */
static int import_write(Arena *a, Diag *d, PGresult *r, StrBuf *out)
{
    int errors = 0, nrows = PQntuples(r);
    Map *seen = map_new(a);
    PtrVec roles = {0};
    StrBuf body;
    sb_init(&body, a);
    for (int i = 0; i < nrows;) {
        const char *schema = PQgetvalue(r, i, 0), *table = PQgetvalue(r, i, 1);
        bool rls = PQgetvalue(r, i, 2)[0] == 't', force = PQgetvalue(r, i, 3)[0] == 't';
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
        sb_puts(&body, "\ntable ");
        import_qname(&body, schema, table);
        sb_puts(&body, " {\n");
        if (!policies)
            sb_puts(&body, "    -- RLS on and no policy: `rlsc sql` gives the table the policy\n"
                           "    -- rlsc_no_rules (FOR SELECT USING (false)), which admits nothing\n");
        for (int j = first; policies && j < i; j++) {
            const char *name = PQgetvalue(r, j, 4);
            sb_puts(&body, "    policy ");
            pgexpr_ident(&body, name);
            if (PQgetvalue(r, j, 5)[0] != 't')
                sb_puts(&body, " as restrictive");
            switch (PQgetvalue(r, j, 6)[0]) {
            case 'r': sb_puts(&body, " for select"); break;
            case 'a': sb_puts(&body, " for insert"); break;
            case 'w': sb_puts(&body, " for update"); break;
            case 'd': sb_puts(&body, " for delete"); break;
            default: break; /* '*': all, the default */
            }
            const char *err = NULL;
            Json *list = json_parse(a, PQgetvalue(r, j, 7), &err);
            bool pub = false;
            StrBuf to;
            sb_init(&to, a);
            for (int k = 0; list && list->kind == JSON_ARRAY && k < list->n; k++) {
                const Json *role = list->items[k];
                if (role->kind != JSON_STRING) {
                    pub = true;
                    continue;
                }
                sb_puts(&to, to.len ? ", " : "");
                pgexpr_ident(&to, role->str);
                if (!map_get(seen, role->str)) {
                    map_put(seen, role->str, (void *)role->str);
                    vec_push(a, &roles, (void *)role->str);
                }
            }
            /* PUBLIC alone is the default; PostgreSQL keeps no other role
             * beside it, but say both if it ever did */
            if (to.len)
                sb_printf(&body, " to %s%s", pub ? "public, " : "", sb_str(&to));
            static const char *const clause[] = {" using (", " with check ("};
            static const char *const what[] = {"USING", "WITH CHECK"};
            for (int c = 0; c < 2; c++) {
                if (PQgetisnull(r, j, 8 + c))
                    continue;
                const char *why = NULL;
                sb_puts(&body, clause[c]);
                if (!pgexpr_to_rls(a, PQgetvalue(r, j, 8 + c), &body, &why)) {
                    diag_fail(d, "table %s, policy \"%s\": %s (%s) has %s, which .rls cannot "
                                 "express; nothing imported",
                              shown, name, what[c], PQgetvalue(r, j, 8 + c), why);
                    errors++;
                }
                sb_putc(&body, ')');
            }
            sb_puts(&body, ";\n");
        }
        if (!force)
            sb_puts(&body, "    no force;\n");
        sb_puts(&body, "}\n");
    }
    if (errors)
        return errors;
    vec_sort_strings(&roles);
    sb_puts(out, "-- Imported by rlsc import: the policies, roles and RLS flags of the database.\n");
    if (roles.n)
        sb_putc(out, '\n');
    for (int k = 0; k < roles.n; k++) {
        sb_puts(out, "role ");
        pgexpr_ident(out, roles.items[k]);
        sb_puts(out, ";\n");
    }
    sb_putn(out, body.data, body.len);
    return 0;
}

int import_pg(Arena *a, Diag *d, const char *conninfo, const char *const *tables, int ntables,
              StrBuf *out)
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
            rc = import_write(a, d, r, out) ? RLSC_ERR_INPUT : RLSC_OK;
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
