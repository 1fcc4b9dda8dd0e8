/*
 * emit_sql.c — policy IR -> PostgreSQL SQL, up and down.
 *
 * Up: stdlib helpers when needed, missing roles (NOLOGIN), then per table
 * ENABLE and FORCE ROW LEVEL SECURITY and CREATE POLICY.  Down undoes it in
 * reverse order: drops the policies, turns RLS off again where no other
 * policy is left on the table, drops the roles up created (marked with a
 * comment) unless something else still uses them, and removes the helpers
 * unless another app's policies still call them.
 *
 * DO blocks are dollar-quoted with a tag chosen so it cannot occur in the
 * body, whatever the names contain.
 */
#include "rlsc.h"

#include <string.h>

#define RLSC_ROLE_MARK "created by rlsc"

/* Appends `DO $tag$ body $tag$;` with a tag absent from body. */
static void emit_do(StrBuf *out, const char *body)
{
    Arena *a = out->arena;
    const char *tag = "$rlsc$";
    for (int i = 1; strstr(body, tag); i++)
        tag = arena_printf(a, "$rlsc%d$", i);
    sb_printf(out, "DO %s\nBEGIN\n%s\nEND\n%s;\n", tag, body, tag);
}

static const char *emit_table_name(Arena *a, const IrTable *t)
{
    StrBuf sb;
    sb_init(&sb, a);
    sqlfmt_qname(&sb, t->schema, t->name);
    return sb_str(&sb);
}

static const char *emit_literal(Arena *a, const char *s)
{
    StrBuf sb;
    sb_init(&sb, a);
    sqlfmt_literal(&sb, s);
    return sb_str(&sb);
}

static const char *emit_cmd(CmdSet c)
{
    switch (c) {
    case CMD_SELECT: return "SELECT";
    case CMD_INSERT: return "INSERT";
    case CMD_UPDATE: return "UPDATE";
    case CMD_DELETE: return "DELETE";
    default: return "ALL";
    }
}

static void emit_create_policy(StrBuf *out, const char *table, const IrPolicy *p)
{
    sb_puts(out, "CREATE POLICY ");
    sqlfmt_ident(out, p->name);
    sb_printf(out, " ON %s\n    AS %s FOR %s", table,
              p->restrictive ? "RESTRICTIVE" : "PERMISSIVE", emit_cmd(p->cmd));
    sb_puts(out, "\n    TO ");
    if (!p->roles.n)
        sb_puts(out, "PUBLIC");
    for (int i = 0; i < p->roles.n; i++) {
        if (i)
            sb_puts(out, ", ");
        const char *r = p->roles.items[i];
        if (strcmp(r, "public") == 0)
            sb_puts(out, "PUBLIC");
        else
            sqlfmt_ident(out, r);
    }
    if (p->using_)
        sb_printf(out, "\n    USING (%s)", p->using_);
    if (p->check)
        sb_printf(out, "\n    WITH CHECK (%s)", p->check);
    sb_puts(out, ";\n");
}

static void emit_roles_up(StrBuf *out, const Ir *ir)
{
    Arena *a = out->arena;
    for (int i = 0; i < ir->roles.n; i++) {
        const IrRole *r = ir->roles.items[i];
        StrBuf q, body;
        sb_init(&q, a);
        sqlfmt_ident(&q, r->name);
        sb_init(&body, a);
        sb_printf(&body,
                  "    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = %s) THEN\n"
                  "        CREATE ROLE %s NOLOGIN;\n"
                  "        COMMENT ON ROLE %s IS '" RLSC_ROLE_MARK "';\n"
                  "    END IF;",
                  emit_literal(a, r->name), sb_str(&q), sb_str(&q));
        emit_do(out, sb_str(&body));
    }
}

static void emit_roles_down(StrBuf *out, const Ir *ir)
{
    Arena *a = out->arena;
    for (int i = ir->roles.n - 1; i >= 0; i--) {
        const IrRole *r = ir->roles.items[i];
        StrBuf q, body;
        sb_init(&q, a);
        sqlfmt_ident(&q, r->name);
        sb_init(&body, a);
        sb_printf(&body,
                  "    IF EXISTS (SELECT FROM pg_catalog.pg_roles r\n"
                  "               JOIN pg_catalog.pg_shdescription d\n"
                  "                 ON d.objoid = r.oid\n"
                  "                AND d.classoid = 'pg_catalog.pg_authid'::pg_catalog.regclass\n"
                  "               WHERE r.rolname = %s AND d.description = '" RLSC_ROLE_MARK "') THEN\n"
                  "        BEGIN\n"
                  "            DROP ROLE %s;\n"
                  "        EXCEPTION WHEN dependent_objects_still_exist THEN\n"
                  "            NULL; -- still used by other policies or grants\n"
                  "        END;\n"
                  "    END IF;",
                  emit_literal(a, r->name), sb_str(&q));
        emit_do(out, sb_str(&body));
    }
}

static void emit_table_up(StrBuf *out, const IrTable *t)
{
    const char *name = emit_table_name(out->arena, t);
    sb_printf(out, "\n-- %s%s%s\n", t->name, t->model ? ": model " : "",
              t->model ? t->model : "");
    sb_printf(out, "ALTER TABLE %s ENABLE ROW LEVEL SECURITY;\n", name);
    if (t->force)
        sb_printf(out, "ALTER TABLE %s FORCE ROW LEVEL SECURITY;\n", name);
    for (int i = 0; i < t->policies.n; i++)
        emit_create_policy(out, name, t->policies.items[i]);
}

static void emit_table_down(StrBuf *out, const IrTable *t)
{
    Arena *a = out->arena;
    const char *name = emit_table_name(a, t);
    sb_printf(out, "\n-- %s\n", t->name);
    for (int i = t->policies.n - 1; i >= 0; i--) {
        const IrPolicy *p = t->policies.items[i];
        sb_puts(out, "DROP POLICY IF EXISTS ");
        sqlfmt_ident(out, p->name);
        sb_printf(out, " ON %s;\n", name);
    }
    StrBuf body;
    sb_init(&body, a);
    sb_printf(&body,
              "    IF NOT EXISTS (SELECT FROM pg_catalog.pg_policy\n"
              "                   WHERE polrelid = %s::pg_catalog.regclass) THEN\n"
              "        ALTER TABLE %s NO FORCE ROW LEVEL SECURITY;\n"
              "        ALTER TABLE %s DISABLE ROW LEVEL SECURITY;\n"
              "    END IF;",
              emit_literal(a, name), name, name);
    emit_do(out, sb_str(&body));
}

void emit_sql(StrBuf *out, const Ir *ir, bool down, bool txn)
{
    sb_printf(out, "-- Generated by rlsc (%s). Do not edit.\n", down ? "down" : "up");
    if (txn)
        sb_puts(out, "BEGIN;\n");
    if (!down) {
        if (ir->uses_has_perm) {
            sb_puts(out, "\n");
            sb_puts(out, emit_stdlib_up_sql);
        }
        if (ir->roles.n)
            sb_puts(out, "\n-- roles\n");
        emit_roles_up(out, ir);
        for (int i = 0; i < ir->tables.n; i++)
            emit_table_up(out, ir->tables.items[i]);
    } else {
        for (int i = ir->tables.n - 1; i >= 0; i--)
            emit_table_down(out, ir->tables.items[i]);
        if (ir->roles.n)
            sb_puts(out, "\n-- roles\n");
        emit_roles_down(out, ir);
        if (ir->uses_has_perm) {
            sb_puts(out, "\n");
            sb_puts(out, emit_stdlib_down_sql);
        }
    }
    if (txn)
        sb_puts(out, "COMMIT;\n");
}
