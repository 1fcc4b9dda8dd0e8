/*
 * ir.c — the policy IR's canonical order and lookups.
 *
 * Sorted order makes output independent of the order of files, blocks and
 * rules, so emitted SQL and recorded migration state are stable.
 */
#include "rlsc.h"

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
 *   helper has_perm
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
    if (ir->uses_has_perm)
        sb_puts(sb, "helper\thas_perm\n");
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
            ir_field(sb, ast_cmd_name(p->cmd));
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

/* Splits one line into unescaped fields; NULL fields stay NULL. */
static int ir_split(Arena *a, const char *line, size_t len, const char **out, int max)
{
    int n = 0;
    size_t i = 0;
    while (i <= len && n < max) {
        StrBuf f;
        sb_init(&f, a);
        bool null = false;
        for (; i < len && line[i] != '\t'; i++) {
            if (line[i] == '\\' && i + 1 < len) {
                char c = line[++i];
                if (c == 'N')
                    null = true;
                else
                    sb_putc(&f, c == 't' ? '\t' : c == 'n' ? '\n' : c);
            } else {
                sb_putc(&f, line[i]);
            }
        }
        out[n++] = null ? NULL : sb_str(&f);
        i++;
    }
    return n;
}

static CmdSet ir_cmd(const char *s)
{
    for (CmdSet c = CMD_SELECT; c <= CMD_DELETE; c <<= 1)
        if (strcmp(s, ast_cmd_name(c)) == 0)
            return c;
    return strcmp(s, "all") == 0 ? CMD_ALL : 0;
}

const char *ir_read_state(Arena *a, const char *text, Ir **out)
{
    Ir *ir = arena_alloc(a, sizeof *ir);
    IrTable *t = NULL;
    enum { MAXF = 4096 };
    const char **f = arena_alloc(a, sizeof(char *) * MAXF);
    int lineno = 0;
    bool header = false;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        int n = len ? ir_split(a, p, len, f, MAXF) : 0;
        p += len + (nl != NULL);
        if (n == 0)
            continue;
        const char *k = f[0] ? f[0] : "";
        if (!header) {
            if (strcmp(k, "rlsc-state") != 0 || n < 2 || !f[1] || strcmp(f[1], "1") != 0)
                return "not an rlsc state of version 1";
            header = true;
        } else if (strcmp(k, "helper") == 0) {
            ir->uses_has_perm = true;
        } else if (strcmp(k, "role") == 0 && n == 3 && f[1] && f[2]) {
            IrRole *r = arena_alloc(a, sizeof *r);
            r->name = f[1];
            r->bypass = strcmp(f[2], "1") == 0;
            vec_push(a, &ir->roles, r);
        } else if (strcmp(k, "table") == 0 && n == 4 && f[2] && f[3]) {
            t = arena_alloc(a, sizeof *t);
            t->schema = ir_schema(f[1]);
            t->name = f[2];
            t->force = strcmp(f[3], "1") == 0;
            t->loc = SPAN_NONE;
            vec_push(a, &ir->tables, t);
        } else if (strcmp(k, "policy") == 0 && t && n >= 7 && f[1] && f[2] && f[3] && f[4]) {
            int nroles = atoi(f[4]);
            if (nroles < 0 || n != 7 + nroles || !ir_cmd(f[3]))
                return arena_printf(a, "line %d: malformed policy", lineno);
            IrPolicy *pol = arena_alloc(a, sizeof *pol);
            pol->name = f[1];
            pol->restrictive = strcmp(f[2], "R") == 0;
            pol->cmd = ir_cmd(f[3]);
            for (int i = 0; i < nroles; i++)
                vec_push(a, &pol->roles, (void *)f[5 + i]);
            pol->using_ = f[5 + nroles];
            pol->check = f[6 + nroles];
            pol->origin = R_POLICY;
            pol->loc = SPAN_NONE;
            vec_push(a, &t->policies, pol);
        } else {
            return arena_printf(a, "line %d: unexpected '%s'", lineno, k);
        }
    }
    if (!header)
        return "empty state";
    ir_sort(ir);
    *out = ir;
    return NULL;
}
