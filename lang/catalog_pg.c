/*
 * catalog_pg.c — the catalog read from a live database through libpq.
 *
 * Tables, views and partitioned tables of every user schema, with their
 * columns as format_type() spells them (a domain by its name and its
 * base type, NOT NULL from the column or the domain), and the functions of
 * user schemas with their argument and result types (whether the last is
 * VARIADIC, how many have defaults, volatility, SECURITY DEFINER and
 * EXECUTE for PUBLIC), single-column foreign keys, and the leading
 * columns of indexes.
 * Django models are recognised through django_content_type
 * when the table is named the way Django names it, and Django permissions
 * are read from auth_permission.
 */
#include "catalog.h"
#include "pgconn.h"

#include <stdlib.h>
#include <string.h>

static const char tables_sql[] =
    "WITH RECURSIVE dom AS (\n"
    "  SELECT t.oid AS id, t.oid AS base, t.typtypmod AS mod, t.typnotnull AS nn\n"
    "  FROM pg_catalog.pg_type t WHERE t.typtype = 'd'\n"
    "  UNION ALL\n"
    "  SELECT dom.id, t.typbasetype, t.typtypmod, dom.nn OR t.typnotnull\n"
    "  FROM dom JOIN pg_catalog.pg_type t ON t.oid = dom.base WHERE t.typtype = 'd'\n"
    "), base AS (\n"
    "  SELECT dom.id, dom.base, dom.nn,\n"
    "         (SELECT d2.mod FROM dom d2 WHERE d2.id = dom.id AND d2.mod <> -1 LIMIT 1) AS mod\n"
    "  FROM dom JOIN pg_catalog.pg_type t ON t.oid = dom.base WHERE t.typtype <> 'd'\n"
    ")\n"
    "SELECT n.nspname, c.relname, a.attname,\n"
    "       pg_catalog.format_type(COALESCE(b.base, a.atttypid),\n"
    "                              CASE WHEN b.base IS NULL THEN a.atttypmod\n"
    "                                   ELSE COALESCE(NULLIF(a.atttypmod, -1), b.mod) END),\n"
    "       a.attnotnull OR COALESCE(b.nn, false),\n"
    "       CASE WHEN b.base IS NOT NULL THEN pg_catalog.format_type(a.atttypid, NULL) END\n"
    "FROM pg_catalog.pg_class c\n"
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped\n"
    "LEFT JOIN base b ON b.id = a.atttypid\n"
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')\n"
    "  AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'\n"
    "ORDER BY n.nspname, c.relname, a.attnum";

/* Single-column foreign keys; a column with several keeps the first by
 * constraint name. */
static const char fkeys_sql[] =
    "SELECT DISTINCT ON (n.nspname, c.relname, a.attname)\n"
    "       n.nspname, c.relname, a.attname, rn.nspname, rc.relname, ra.attname,\n"
    "       k.confdeltype = 'c'\n"
    "FROM pg_catalog.pg_constraint k\n"
    "JOIN pg_catalog.pg_class c ON c.oid = k.conrelid\n"
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]\n"
    "JOIN pg_catalog.pg_class rc ON rc.oid = k.confrelid\n"
    "JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace\n"
    "JOIN pg_catalog.pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = k.confkey[1]\n"
    "WHERE k.contype = 'f' AND pg_catalog.cardinality(k.conkey) = 1\n"
    "  AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'\n"
    "ORDER BY n.nspname, c.relname, a.attname, k.conname";

static const char perms_sql[] =
    "SELECT ct.app_label, p.codename FROM auth_permission p\n"
    "JOIN django_content_type ct ON ct.id = p.content_type_id\n"
    "ORDER BY ct.app_label COLLATE \"C\", p.codename COLLATE \"C\"";

static const char models_sql[] =
    "SELECT ct.app_label, ct.model FROM django_content_type ct ORDER BY 1, 2";

static const char funcs_sql[] =
    "SELECT n.nspname, p.proname,\n"
    "       ARRAY(SELECT pg_catalog.format_type(t.oid, NULL)\n"
    "             FROM unnest(p.proargtypes) WITH ORDINALITY AS a(oid, i)\n"
    "             JOIN pg_catalog.pg_type t ON t.oid = a.oid ORDER BY a.i)::text[],\n"
    "       pg_catalog.format_type(p.prorettype, NULL), p.proretset, p.prokind = 'a',\n"
    "       p.provariadic <> 0, p.pronargdefaults,\n"
    "       p.provolatile, p.prosecdef,\n"
    "       EXISTS (SELECT 1 FROM pg_catalog.aclexplode(COALESCE(p.proacl,\n"
    "                   pg_catalog.acldefault('f', p.proowner))) x\n"
    "               WHERE x.grantee = 0 AND x.privilege_type = 'EXECUTE'),\n"
    "       p.proleakproof\n"
    "FROM pg_catalog.pg_proc p\n"
    "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace\n"
    "WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'\n"
    "  AND p.prokind IN ('f', 'a')\n"
    "ORDER BY 1, 2, 3";

/* The leading columns of indexes a lookup can use: valid, not partial,
 * the first key a column (not an expression); for the lints. */
static const char indexes_sql[] =
    "SELECT DISTINCT n.nspname, c.relname, a.attname\n"
    "FROM pg_catalog.pg_index i\n"
    "JOIN pg_catalog.pg_class c ON c.oid = i.indrelid\n"
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]\n"
    "WHERE i.indisvalid AND i.indpred IS NULL AND i.indkey[0] <> 0\n"
    "  AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'";

/* format_type qualifies types outside the search_path; the catalog keeps
 * the bare name. */
static const char *pg_type_text(Arena *a, const char *s)
{
    bool quoted = false;
    const char *last = s;
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (*p == '.' && !quoted)
            last = p + 1;
    }
    return arena_strdup(a, last);
}

/* The rows of sql, or NULL (after a message to d unless optional). */
static PGresult *pg_query(Catalog *c, Diag *d, PGconn *conn, const char *sql, bool optional)
{
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        return r;
    if (!optional)
        diag_fail(d, "reading the catalog failed: %s", pgconn_error(c->arena, conn));
    PQclear(r);
    return NULL;
}

/* Elements of a text[] in PostgreSQL's output form: {a,"b c"}. */
static void pg_text_array(Arena *a, const char *s, PtrVec *out)
{
    if (*s++ != '{')
        return;
    while (*s && *s != '}') {
        StrBuf el;
        sb_init(&el, a);
        if (*s == '"') {
            for (s++; *s && *s != '"'; s++) {
                if (*s == '\\' && s[1])
                    s++;
                sb_putc(&el, *s);
            }
            if (*s)
                s++;
        } else {
            while (*s && *s != ',' && *s != '}')
                sb_putc(&el, *s++);
        }
        vec_push(a, out, (void *)sb_str(&el));
        if (*s == ',')
            s++;
    }
}

static void pg_load_tables(Catalog *c, PGresult *r, Map *models)
{
    Arena *a = c->arena;
    CatTable *t = NULL;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *schema = PQgetvalue(r, i, 0), *rel = PQgetvalue(r, i, 1);
        if (!t || strcmp(t->schema, schema) != 0 || strcmp(t->name, rel) != 0) {
            t = cat_get_table(c, arena_strdup(a, schema), arena_strdup(a, rel), SPAN_NONE);
            const char *model = models ? map_get(models, t->name) : NULL;
            if (model) {
                const char *dot = strchr(model, '.');
                t->app = arena_strndup(a, model, (size_t)(dot - model));
                t->model = dot + 1;
                map_put(c->models, model, t);
            }
        }
        CatColumn *col = arena_alloc(a, sizeof *col);
        col->name = arena_strdup(a, PQgetvalue(r, i, 2));
        col->type_text = pg_type_text(a, PQgetvalue(r, i, 3));
        col->type = types_lookup(a, col->type_text);
        /* a domain: its name as format_type spells it (qualified off the
         * search path), which tells domains apart */
        if (!PQgetisnull(r, i, 5))
            col->type = types_domain(a, col->type, arena_strdup(a, PQgetvalue(r, i, 5)));
        col->not_null = PQgetvalue(r, i, 4)[0] == 't';
        col->loc = SPAN_NONE;
        map_put(t->by_name, col->name, col);
        vec_push(a, &t->columns, col);
    }
}

static void pg_load_fkeys(Catalog *c, PGresult *r)
{
    Arena *a = c->arena;
    for (int i = 0; i < PQntuples(r); i++) {
        CatTable *t = cat_table(c, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
        CatColumn *col = t ? map_get(t->by_name, PQgetvalue(r, i, 2)) : NULL;
        if (!col)
            continue;
        col->ref_schema = arena_strdup(a, PQgetvalue(r, i, 3));
        col->ref_table = arena_strdup(a, PQgetvalue(r, i, 4));
        col->ref_column = arena_strdup(a, PQgetvalue(r, i, 5));
        col->ref_cascade = PQgetvalue(r, i, 6)[0] == 't';
    }
}

static void pg_load_funcs(Catalog *c, PGresult *r)
{
    Arena *a = c->arena;
    for (int i = 0; i < PQntuples(r); i++) {
        CatFunc *fn = arena_alloc(a, sizeof *fn);
        fn->schema = arena_strdup(a, PQgetvalue(r, i, 0));
        fn->name = arena_strdup(a, PQgetvalue(r, i, 1));
        PtrVec names = {0};
        pg_text_array(a, PQgetvalue(r, i, 2), &names);
        for (int j = 0; j < names.n; j++)
            vec_push(a, &fn->args, (void *)types_lookup(a, pg_type_text(a, names.items[j])));
        fn->ret = types_lookup(a, pg_type_text(a, PQgetvalue(r, i, 3)));
        fn->setof = PQgetvalue(r, i, 4)[0] == 't';
        fn->aggregate = PQgetvalue(r, i, 5)[0] == 't';
        fn->variadic = PQgetvalue(r, i, 6)[0] == 't';
        fn->ndefaults = atoi(PQgetvalue(r, i, 7));
        fn->volatility = PQgetvalue(r, i, 8)[0];
        fn->secdef = PQgetvalue(r, i, 9)[0] == 't';
        fn->public_execute = PQgetvalue(r, i, 10)[0] == 't';
        fn->leakproof = PQgetvalue(r, i, 11)[0];
        cat_register_func(c, fn);
    }
}

int cat_load_pg(Catalog *c, Diag *d, const char *conninfo)
{
    PGconn *conn = pgconn_open(c->arena, d, conninfo);
    if (!conn)
        return RLSC_ERR_USAGE;
    int rc = RLSC_ERR_USAGE;
    PGresult *tables = pg_query(c, d, conn, tables_sql, false);
    PGresult *funcs = tables ? pg_query(c, d, conn, funcs_sql, false) : NULL;
    if (tables && funcs) {
        /* Model names: tables named app_model that django_content_type
         * lists (absent outside Django projects: optional). */
        Map *models = NULL;
        PQclear(PQexec(conn, "SAVEPOINT ct"));
        PGresult *ct = pg_query(c, d, conn, models_sql, true);
        if (ct) {
            /* Django's own models with a custom db_table */
            static const char *const builtin[][2] = {
                {"contenttypes.contenttype", "django_content_type"},
                {"admin.logentry", "django_admin_log"},
                {"sessions.session", "django_session"},
                {"sites.site", "django_site"},
                {"flatpages.flatpage", "django_flatpage"},
                {"redirects.redirect", "django_redirect"},
            };
            models = map_new(c->arena);
            for (int i = 0; i < PQntuples(ct); i++) {
                const char *app = PQgetvalue(ct, i, 0), *model = PQgetvalue(ct, i, 1);
                const char *key = arena_printf(c->arena, "%s.%s", app, model);
                const char *table = arena_printf(c->arena, "%s_%s", app, model);
                for (size_t b = 0; b < sizeof builtin / sizeof builtin[0]; b++)
                    if (strcmp(key, builtin[b][0]) == 0)
                        table = builtin[b][1];
                map_put(models, table, (void *)key);
            }
            PQclear(ct);
        } else {
            PQclear(PQexec(conn, "ROLLBACK TO SAVEPOINT ct"));
        }
        pg_load_tables(c, tables, models);
        pg_load_funcs(c, funcs);
        PGresult *fkeys = pg_query(c, d, conn, fkeys_sql, false);
        if (fkeys)
            pg_load_fkeys(c, fkeys);
        /* Django's permissions (absent outside Django projects: optional) */
        PQclear(PQexec(conn, "SAVEPOINT perms"));
        PGresult *perms = pg_query(c, d, conn, perms_sql, true);
        if (perms) {
            for (int i = 0; i < PQntuples(perms); i++)
                cat_add_perm(c, arena_strdup(c->arena, PQgetvalue(perms, i, 0)),
                             arena_strdup(c->arena, PQgetvalue(perms, i, 1)));
            PQclear(perms);
        } else {
            PQclear(PQexec(conn, "ROLLBACK TO SAVEPOINT perms"));
        }
        PGresult *indexes = fkeys ? pg_query(c, d, conn, indexes_sql, false) : NULL;
        for (int i = 0; indexes && i < PQntuples(indexes); i++) {
            CatTable *t = cat_table(c, PQgetvalue(indexes, i, 0), PQgetvalue(indexes, i, 1));
            CatColumn *col = t ? map_get(t->by_name, PQgetvalue(indexes, i, 2)) : NULL;
            if (col)
                col->indexed = true;
        }
        c->has_tables = true;
        c->has_indexes = indexes != NULL;
        rc = fkeys && indexes ? RLSC_OK : RLSC_ERR_USAGE;
        PQclear(fkeys);
        PQclear(indexes);
    }
    PQclear(tables);
    PQclear(funcs);
    pgconn_close(conn);
    return rc;
}
