/*
 * ir.c — the policy IR's canonical order and lookups.
 *
 * Sorted order makes output independent of the order of files, blocks and
 * rules, so emitted SQL and recorded migration state are stable.
 */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

int ir_table_order(const IrTable *x, const IrTable *y)
{
    int c = strcmp(x->schema ? x->schema : "", y->schema ? y->schema : "");
    return c ? c : strcmp(x->name, y->name);
}

static int ir_cmp_table(const void *a, const void *b)
{
    return ir_table_order(*(IrTable *const *)a, *(IrTable *const *)b);
}

const char *ir_table_key(Arena *a, const char *schema, const char *name)
{
    schema = ir_schema(schema);
    return arena_printf(a, "%s\x1f%s", schema ? schema : "", name);
}

static int ir_cmp_policy(const void *a, const void *b)
{
    return strcmp((*(IrPolicy *const *)a)->name, (*(IrPolicy *const *)b)->name);
}

static int ir_cmp_role(const void *a, const void *b)
{
    return strcmp((*(IrRole *const *)a)->name, (*(IrRole *const *)b)->name);
}

static void ir_qsort(PtrVec *v, int (*cmp)(const void *, const void *))
{
    if (v->n > 1)
        qsort(v->items, (size_t)v->n, sizeof(void *), cmp);
}

const char *ir_schema(const char *schema)
{
    return schema && strcmp(schema, "public") == 0 ? NULL : schema;
}

void ir_sort(Ir *ir)
{
    ir_qsort(&ir->tables, ir_cmp_table);
    for (int i = 0; i < ir->tables.n; i++)
        ir_qsort(&((IrTable *)ir->tables.items[i])->policies, ir_cmp_policy);
    ir_qsort(&ir->roles, ir_cmp_role);
}

IrTable *ir_find_table(const Ir *ir, const char *schema, const char *name)
{
    IrTable key = {.schema = schema, .name = name};
    IrTable *kp = &key;
    IrTable **hit = bsearch(&kp, ir->tables.items, (size_t)ir->tables.n,
                            sizeof(void *), ir_cmp_table);
    return hit ? *hit : NULL;
}

/* ---- the recorded state: the IR as text, kept in each migration so the
 * next run can diff against it.  One item per line, tab-separated fields;
 * \\, \t and \n escaped; \N is NULL.
 *
 *   rlsc-state 1
 *   helper has_perm [2]                 (2: the current helper; none: 0.1.0's)
 *   role NAME BYPASS(0|1)
 *   table SCHEMA|\N NAME FORCE(0|1)
 *   policy NAME P|R CMD NROLES ROLE... USING|\N CHECK|\N   (of the table above)
 */

static void ir_field(StrBuf *sb, const char *s)
{
    sb_putc(sb, '\t');
    if (!s) {
        sb_puts(sb, "\\N");
        return;
    }
    for (; *s; s++) {
        if (*s == '\\')
            sb_puts(sb, "\\\\");
        else if (*s == '\t')
            sb_puts(sb, "\\t");
        else if (*s == '\n')
            sb_puts(sb, "\\n");
        else
            sb_putc(sb, *s);
    }
}

void ir_write_state(StrBuf *sb, const Ir *ir)
{
    sb_puts(sb, "rlsc-state\t1\n");
    if (ir->perm_helper == IR_HELPER_V1)
        sb_puts(sb, "helper\thas_perm\n");
    else if (ir->perm_helper == IR_HELPER_V2)
        sb_puts(sb, "helper\thas_perm\t2\n");
    /* Django's default user model needs no line: states written before
     * custom user models were known read the same */
    if (ir->perm_helper == IR_HELPER_V2 && !ir_auth_equal(&ir->auth, &ir_auth_default)) {
        sb_puts(sb, "auth");
        for (int i = 0; i < IR_AUTH_NFIELDS; i++)
            ir_field(sb, ir->auth.f[i]);
        sb_putc(sb, '\n');
    }
    for (int i = 0; i < ir->roles.n; i++) {
        const IrRole *r = ir->roles.items[i];
        sb_puts(sb, "role");
        ir_field(sb, r->name);
        ir_field(sb, r->bypass ? "1" : "0");
        sb_putc(sb, '\n');
    }
    for (int i = 0; i < ir->tables.n; i++) {
        const IrTable *t = ir->tables.items[i];
        sb_puts(sb, "table");
        ir_field(sb, t->schema);
        ir_field(sb, t->name);
        ir_field(sb, t->force ? "1" : "0");
        sb_putc(sb, '\n');
        for (int j = 0; j < t->policies.n; j++) {
            const IrPolicy *p = t->policies.items[j];
            sb_puts(sb, "policy");
            ir_field(sb, p->name);
            ir_field(sb, p->restrictive ? "R" : "P");
            ir_field(sb, cmd_name(p->cmd));
            char n[16];
            snprintf(n, sizeof n, "%d", p->roles.n);
            ir_field(sb, n);
            for (int k = 0; k < p->roles.n; k++)
                ir_field(sb, p->roles.items[k]);
            ir_field(sb, p->using_);
            ir_field(sb, p->check);
            sb_putc(sb, '\n');
        }
    }
}

/* Splits one line into unescaped fields; a field that is exactly \N is
 * NULL.  Returns the number of fields, or -1 for an escape rlsc never
 * writes (anything but \\ \t \n and a whole-field \N). */
static int ir_split(Arena *a, const char *line, size_t len, const char **out, int max)
{
    int n = 0;
    size_t i = 0;
    while (i <= len && n < max) {
        size_t start = i;
        StrBuf f;
        sb_init(&f, a);
        bool null = false;
        for (; i < len && line[i] != '\t'; i++) {
            if (line[i] != '\\') {
                sb_putc(&f, line[i]);
                continue;
            }
            char c = ++i < len ? line[i] : '\0';
            if (c == 'N' && i == start + 1 && (i + 1 == len || line[i + 1] == '\t'))
                null = true;
            else if (c == '\\' || c == 't' || c == 'n')
                sb_putc(&f, c == 't' ? '\t' : c == 'n' ? '\n' : c);
            else
                return -1;
        }
        out[n++] = null ? NULL : sb_str(&f);
        i++;
    }
    return i <= len ? -1 : n; /* more fields than max */
}

static CmdSet ir_cmd(const char *s)
{
    for (CmdSet c = CMD_SELECT; c <= CMD_DELETE; c <<= 1)
        if (strcmp(s, cmd_name(c)) == 0)
            return c;
    return strcmp(s, "all") == 0 ? CMD_ALL : 0;
}

/* A name PostgreSQL keeps as written: 1 to 63 bytes (NAMEDATALEN - 1). */
static bool ir_name_ok(const char *s)
{
    return s && *s && strlen(s) <= 63;
}

static bool ir_flag_ok(const char *s)
{
    return s && (strcmp(s, "0") == 0 || strcmp(s, "1") == 0);
}

/* A non-negative count written as digits only, at most max. */
static int ir_count(const char *s, int max)
{
    long v = 0;
    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || (v = v * 10 + (*s - '0')) > max)
            return -1;
    }
    return (int)v;
}

/* What is wrong with one policy line f[0..n), or NULL. */
static const char *ir_check_policy(const char **f, int n, int *nroles)
{
    if (n < 7 || !ir_name_ok(f[1]))
        return "a policy needs a name of 1 to 63 bytes, its kind, command and roles";
    if (!f[2] || (strcmp(f[2], "P") != 0 && strcmp(f[2], "R") != 0))
        return "a policy's kind is P (permissive) or R (restrictive)";
    CmdSet cmd = f[3] ? ir_cmd(f[3]) : 0;
    if (!cmd)
        return "a policy's command is select, insert, update, delete or all";
    if ((*nroles = ir_count(f[4], n)) < 0 || n != 7 + *nroles)
        return "a policy's role count does not match its roles";
    for (int i = 0; i < *nroles; i++)
        if (!ir_name_ok(f[5 + i]))
            return "a role name has 1 to 63 bytes";
    const char *use = f[5 + *nroles], *chk = f[6 + *nroles];
    if ((use && !*use) || (chk && !*chk))
        return "a condition is \\N or not empty";
    if (use && cmd == CMD_INSERT)
        return "an insert policy has no USING condition";
    if (chk && (cmd == CMD_SELECT || cmd == CMD_DELETE))
        return "a select or delete policy has no WITH CHECK condition";
    return NULL;
}

/* What is wrong with an auth line f[0..n), or NULL. */
static const char *ir_check_auth(const char **f, int n)
{
    if (n != 1 + IR_AUTH_NFIELDS)
        return "an auth line has 17 fields";
    for (int i = 0; i < IR_AUTH_NFIELDS; i++) {
        const char *v = f[1 + i];
        if (i == IR_AUTH_ID_TYPE) {
            if (!v || (strcmp(v, "int8") != 0 && strcmp(v, "uuid") != 0 && strcmp(v, "text") != 0))
                return "the user id type is int8, uuid or text";
        } else if (i == IR_AUTH_ACTIVE || i == IR_AUTH_SUPERUSER) {
            if (!ir_flag_ok(v))
                return "the is_active and is_superuser flags are 0 or 1";
        } else if (!ir_name_ok(v)) {
            return "an auth table, schema or column is a name of 1 to 63 bytes";
        }
    }
    return NULL;
}

const char *ir_read_state(Arena *a, const char *text, Ir **out, int *err_line)
{
    Ir *ir = arena_alloc(a, sizeof *ir);
    IrTable *t = NULL;
    enum { MAXF = 4096 };
    const char **f = arena_alloc(a, sizeof(char *) * MAXF);
    Map *seen = map_new(a); /* roles, tables, and policies of each table */
    int lineno = 0;
    bool header = false, helper = false, auth = false;
    const char *why = NULL;
    *err_line = 0;
    ir->auth = ir_auth_default;
    size_t bad = util_utf8_invalid(text, strlen(text));
    for (const char *p = text; *p && !why;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        if ((size_t)(p - text) + len > bad) {
            why = "not valid UTF-8";
            break;
        }
        int n = len ? ir_split(a, p, len, f, MAXF) : 0;
        p += len + (nl != NULL);
        if (n < 0) {
            why = "a backslash escape rlsc does not write, or too many fields";
            break;
        }
        if (n == 0) {
            if (!header || *p)
                why = "an empty line";
            continue;
        }
        const char *k = f[0] ? f[0] : "";
        if (!header) {
            if (n != 2 || strcmp(k, "rlsc-state") != 0 || !f[1] || strcmp(f[1], "1") != 0)
                why = "not an rlsc state of version 1";
            header = true;
        } else if (strcmp(k, "helper") == 0) {
            if (helper || !f[1] || strcmp(f[1], "has_perm") != 0 || n > 3
                || (n == 3 && (!f[2] || strcmp(f[2], "2") != 0)))
                why = "the helper is `has_perm` or `has_perm 2`, once";
            ir->perm_helper = n == 3 ? IR_HELPER_V2 : IR_HELPER_V1;
            helper = true;
        } else if (strcmp(k, "auth") == 0) {
            if (auth || ir->perm_helper != IR_HELPER_V2)
                why = "the auth line follows a `has_perm 2` helper line, once";
            else
                why = ir_check_auth(f, n);
            for (int i = 0; i < IR_AUTH_NFIELDS && !why; i++)
                ir->auth.f[i] = f[1 + i];
            auth = true;
        } else if (strcmp(k, "role") == 0) {
            IrRole *r = arena_alloc(a, sizeof *r);
            r->name = f[1];
            r->bypass = f[2] && strcmp(f[2], "1") == 0;
            vec_push(a, &ir->roles, r);
            if (n != 3 || !ir_name_ok(f[1]) || !ir_flag_ok(f[2]))
                why = "a role is a name of 1 to 63 bytes and a bypass flag 0 or 1";
            else if (map_put(seen, arena_printf(a, "r\x1f%s", f[1]), r) != r)
                why = "a role is listed twice";
        } else if (strcmp(k, "table") == 0) {
            if (n != 4 || (f[1] && !ir_name_ok(f[1])) || !ir_name_ok(f[2]) || !ir_flag_ok(f[3]))
                why = "a table is a schema (or \\N), a name of 1 to 63 bytes and a force flag 0 or 1";
            t = arena_alloc(a, sizeof *t);
            t->schema = ir_schema(f[1]);
            t->name = f[2] ? f[2] : "";
            t->force = f[3] && strcmp(f[3], "1") == 0;
            t->loc = SPAN_NONE;
            if (!why && map_put(seen, arena_printf(a, "t\x1f%s", ir_table_key(a, t->schema, t->name)), t) != t)
                why = "a table is listed twice";
            vec_push(a, &ir->tables, t);
        } else if (strcmp(k, "policy") == 0) {
            int nroles = 0;
            if (!t) {
                why = "a policy before any table";
                break;
            }
            if ((why = ir_check_policy(f, n, &nroles)))
                break;
            IrPolicy *pol = arena_alloc(a, sizeof *pol);
            if (map_put(seen, arena_printf(a, "p\x1f%s\x1f%s", ir_table_key(a, t->schema, t->name), f[1]), pol) != pol)
                why = "a policy name is used twice on one table";
            pol->name = f[1];
            pol->restrictive = strcmp(f[2], "R") == 0;
            pol->cmd = ir_cmd(f[3]);
            for (int i = 0; i < nroles; i++)
                vec_push(a, &pol->roles, (void *)f[5 + i]);
            pol->using_ = f[5 + nroles];
            pol->check = f[6 + nroles];
            pol->origin = IR_FROM_POLICY;
            pol->loc = SPAN_NONE;
            vec_push(a, &t->policies, pol);
        } else {
            why = arena_printf(a, "unexpected '%s'", k);
        }
    }
    if (why) {
        *err_line = lineno;
        return why;
    }
    if (!header)
        return "empty state";
    ir_sort(ir);
    *out = ir;
    return NULL;
}

/* ---- tables that Django's migrations renamed or deleted after a state
 * was recorded.  ALTER TABLE ... RENAME (RenameModel, AlterModelTable)
 * takes the policies along, and DROP TABLE (DeleteModel) drops them: the
 * recorded state is brought to what the database holds at the point the
 * next migration runs, so the diff neither re-creates what moved nor
 * touches what went. */

static bool ir_is_table(const IrTable *t, const IrTableName *n)
{
    const char *s = ir_schema(t->schema), *ns = ir_schema(n->schema);
    return strcmp(t->name, n->name) == 0 && (s == ns || (s && ns && strcmp(s, ns) == 0));
}

const char *ir_rename_tables(Arena *a, Ir *ir, const IrTableName *from, const IrTableName *to,
                             int n, const IrTable **moved)
{
    /* all at once: find every table first, so that names may swap */
    for (int i = 0; i < n; i++) {
        moved[i] = NULL;
        for (int k = 0; k < ir->tables.n && !moved[i]; k++)
            if (ir_is_table(ir->tables.items[k], &from[i]))
                moved[i] = ir->tables.items[k];
        for (int j = 0; j < i && moved[i]; j++)
            if (moved[j] == moved[i])
                return arena_printf(a, "the table %s is renamed twice", from[i].name);
    }
    for (int i = 0; i < n; i++)
        if (moved[i]) {
            IrTable *t = (IrTable *)moved[i];
            t->schema = ir_schema(to[i].schema);
            t->name = to[i].name;
        }
    ir_sort(ir);
    for (int k = 1; k < ir->tables.n; k++)
        if (ir_table_order(ir->tables.items[k - 1], ir->tables.items[k]) == 0)
            return arena_printf(a, "two tables would be named %s",
                                ((const IrTable *)ir->tables.items[k])->name);
    return NULL;
}

Ir *ir_without_tables(Arena *a, const Ir *ir, const IrTableName *names, int n, int *removed)
{
    Ir *out = arena_alloc(a, sizeof *out);
    *out = *ir;
    out->tables = (PtrVec){0};
    *removed = 0;
    for (int k = 0; k < ir->tables.n; k++) {
        const IrTable *t = ir->tables.items[k];
        bool gone = false;
        for (int i = 0; i < n && !gone; i++)
            gone = ir_is_table(t, &names[i]);
        if (gone)
            (*removed)++;
        else
            vec_push(a, &out->tables, (void *)t);
    }
    return out;
}
