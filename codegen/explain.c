/*
 * explain.c — `rlsc explain`: the effective access per table x command x
 * role, as PostgreSQL combines the policies of the IR (codegen.h,
 * explain_write).
 *
 * For one role and one command PostgreSQL admits a row when one of the
 * permissive policies that apply to the role (TO names it, or PUBLIC)
 * admits it and every restrictive one does; with no permissive policy it
 * admits none (default deny).  A policy's clause for new rows is its WITH
 * CHECK, or its USING when it has none; a policy without the clause asked
 * for adds nothing (PostgreSQL skips it: a permissive one admits no row
 * through it, a restrictive one refuses none).  Conditions are the IR's
 * final SQL text, so they combine as text: `(A) OR (B)`, `P AND (R)`.
 *
 * Folding: literal true and false terms, duplicates, a restrictive AND
 * over no permissive alternative.  The bypass exemption that lowering
 * puts in front of restrictive conditions, `((SELECT pg_has_role('r',
 * 'USAGE') ...) OR cond)` (or as pg_get_expr prints it), is decided per
 * column: true for the roles it names, cond for every other role.  That
 * assumes no other role is a member of a bypass role, which the files
 * cannot say; the output says so.
 *
 * Access is a class per cell: none, some or all rows.  With an old IR
 * (--against), each clause is compared: the class rising widens, falling
 * narrows; with both "some", more OR-ed alternatives and no more AND-ed
 * restrictions widen (new = old OR x), the reverse narrows (new = old AND
 * x), anything else is "changed".  A table missing from one side has no
 * RLS there: every role sees all rows of it.
 */
#define RLSC_CODEGEN
#include "codegen.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum XAccess { XA_NONE, XA_SOME, XA_ALL } XAccess;

/* The rows one clause admits. */
typedef struct XClause {
    XAccess acc;
    PtrVec perm, restr; /* const char *, folded terms (XA_SOME only) */
    bool perm_true;     /* a permissive policy admits every row: perm is empty */
    const char *sql;    /* the combined condition (XA_SOME only) */
} XClause;

/* The two clauses: the rows a command may read or touch (USING), the new
 * rows it may write (WITH CHECK). */
enum { X_ROWS, X_NEW, X_NCLAUSES };

typedef struct XCell {
    XClause c[X_NCLAUSES];
} XCell;

typedef enum XChange { XC_SAME, XC_WIDER, XC_NARROWER, XC_CHANGED } XChange;

static const CmdSet x_cmds[] = { CMD_SELECT, CMD_INSERT, CMD_UPDATE, CMD_DELETE };
enum { X_NCMDS = 4 };

/* Which clauses a command has. */
static bool x_has(CmdSet cmd, int clause)
{
    if (clause == X_ROWS)
        return cmd != CMD_INSERT;
    return cmd == CMD_INSERT || cmd == CMD_UPDATE;
}

static const char *x_access_name(XAccess a)
{
    switch (a) {
    case XA_NONE: return "none";
    case XA_SOME: return "some";
    case XA_ALL: return "all";
    }
    return "?";
}

static const char *x_change_name(XChange c)
{
    switch (c) {
    case XC_SAME: return "unchanged";
    case XC_WIDER: return "widened";
    case XC_NARROWER: return "narrowed";
    case XC_CHANGED: return "changed";
    }
    return "?";
}

/* ---- condition text */

/* The end of the quoted text that starts at s (a '...' literal or a
 * "..." name, doubled quotes inside), or of the string. */
static const char *x_skip_quoted(const char *s)
{
    char q = *s++;
    while (*s) {
        if (*s == q) {
            if (s[1] != q)
                return s + 1;
            s++;
        }
        s++;
    }
    return s;
}

/* Whether s[0..n) is one parenthesized whole: "(a) OR (b)" is not. */
static bool x_wrapped(const char *s, size_t n)
{
    if (n < 2 || s[0] != '(' || s[n - 1] != ')')
        return false;
    int depth = 0;
    for (const char *p = s, *end = s + n; p < end;) {
        if (*p == '\'' || *p == '"') {
            p = x_skip_quoted(p);
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0 && p + 1 < end)
            return false;
        p++;
    }
    return depth == 0;
}

/* A term that needs no parentheses next to AND and OR: a name, a literal,
 * a parenthesized whole. */
static bool x_atomic(const char *s)
{
    size_t n = strlen(s);
    if (x_wrapped(s, n))
        return true;
    if (n && s[0] == '"' && x_skip_quoted(s) == s + n)
        return true;
    for (const char *p = s; *p; p++)
        if (!(*p == '_' || *p == '.' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9')))
            return false;
    return n > 0;
}

/* s without the parentheses around all of it, and blanks at either end. */
static const char *x_bare(Arena *a, const char *s)
{
    size_t n = strlen(s);
    for (;;) {
        while (n && (*s == ' ' || *s == '\n' || *s == '\t'))
            s++, n--;
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
            n--;
        if (!x_wrapped(s, n))
            break;
        s++;
        n -= 2;
    }
    return arena_strndup(a, s, n);
}

/* "true", "false", or NULL for a condition that is neither. */
static const char *x_constant(Arena *a, const char *s)
{
    const char *b = x_bare(a, s);
    if (strcasecmp(b, "true") == 0)
        return "true";
    if (strcasecmp(b, "false") == 0)
        return "false";
    return NULL;
}

/* ---- one cell */

static bool x_has_role(const PtrVec *v, const char *role)
{
    if (!v || !role)
        return false;
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->items[i], role) == 0)
            return true;
    return false;
}

/* Skips blanks and the word w (ASCII case ignored) at *p; false, and *p
 * unmoved, when w is not there. */
static bool x_word(const char **p, const char *w)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    size_t n = strlen(w);
    if (strncasecmp(s, w, n) != 0)
        return false;
    *p = s + n;
    return true;
}

/* Whether s[0..n) is a bypass exemption: a scalar subquery of
 * pg_has_role('role', 'USAGE') calls OR-ed, as lowering writes it
 * ((SELECT pg_catalog.pg_has_role('r', 'USAGE'))) or as pg_get_expr prints
 * it (( SELECT pg_has_role('r'::name, 'USAGE'::text) AS pg_has_role)).
 * The roles go to roles. */
static bool x_exemption(Arena *a, const char *s, size_t n, PtrVec *roles)
{
    const char *p = s, *end = s + n;
    int depth = 0, calls = 0;
    if (!x_word(&p, "(") || !x_word(&p, "SELECT"))
        return false;
    depth = 1;
    while (p < end) {
        if (x_word(&p, "(")) {
            depth++;
        } else if (x_word(&p, ")")) {
            if (--depth == 0)
                break;
        } else if (x_word(&p, "OR ")) {
        } else if (x_word(&p, "pg_catalog.pg_has_role(") || x_word(&p, "pg_has_role(")) {
            while (*p == ' ')
                p++;
            if (*p != '\'')
                return false;
            const char *q = x_skip_quoted(p);
            StrBuf name;
            sb_init(&name, a);
            for (const char *c = p + 1; c < q - 1; c++) {
                sb_putc(&name, *c);
                if (*c == '\'')
                    c++;
            }
            p = q;
            x_word(&p, "::name");
            if (!x_word(&p, ",") || !x_word(&p, "'USAGE'"))
                return false;
            x_word(&p, "::text");
            if (!x_word(&p, ")"))
                return false;
            vec_push(a, roles, (void *)sb_str(&name));
            calls++;
        } else if (x_word(&p, "AS pg_has_role")) {
        } else {
            return false;
        }
    }
    while (p < end && *p == ' ')
        p++;
    return depth == 0 && p == end && calls > 0;
}

/* A policy's condition as one role sees it.  A condition
 * `(EXEMPTION OR cond)` is true for the roles the exemption names and
 * cond for every other: the files' roles are assumed not to be members of
 * one another. */
static const char *x_term(Arena *a, const char *cond, const char *role)
{
    size_t n = strlen(cond);
    if (x_wrapped(cond, n)) {
        /* the first operand of a top-level OR */
        const char *p = cond + 1, *end = cond + n - 1;
        int depth = 0;
        while (p < end && (depth > 0 || !(strncasecmp(p, " OR ", 4) == 0))) {
            if (*p == '\'' || *p == '"') {
                p = x_skip_quoted(p);
                continue;
            }
            depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
            p++;
        }
        PtrVec roles = {0};
        if (p < end && x_exemption(a, cond + 1, (size_t)(p - cond - 1), &roles)) {
            if (x_has_role(&roles, role))
                return "true";
            cond = arena_strndup(a, p + 4, (size_t)(end - p - 4));
        }
    }
    const char *k = x_constant(a, cond);
    return k ? k : cond;
}

static void x_add_term(Arena *a, PtrVec *v, const char *term)
{
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->items[i], term) == 0)
            return;
    vec_push(a, v, (void *)term);
}

static void x_put_term(StrBuf *sb, const char *t, bool alone)
{
    if (alone || x_atomic(t)) {
        sb_puts(sb, t);
    } else {
        sb_putc(sb, '(');
        sb_puts(sb, t);
        sb_putc(sb, ')');
    }
}

/* The clause of cmd on t for role (NULL: a role no policy names); t NULL:
 * a table without RLS on this side. */
static void x_clause(Arena *a, const IrTable *t, CmdSet cmd, int clause, const char *role,
                     XClause *out)
{
    memset(out, 0, sizeof *out);
    if (!t) {
        out->acc = XA_ALL; /* no RLS */
        return;
    }
    bool perm_true = false, restr_false = false;
    for (int i = 0; i < t->policies.n; i++) {
        const IrPolicy *p = t->policies.items[i];
        if (!(p->cmd & cmd) || (p->roles.n && !x_has_role(&p->roles, role)))
            continue;
        const char *cond = clause == X_ROWS ? p->using_ : (p->check ? p->check : p->using_);
        if (!cond)
            continue;
        const char *term = x_term(a, cond, role);
        if (p->restrictive) {
            if (strcmp(term, "false") == 0)
                restr_false = true;
            else if (strcmp(term, "true") != 0)
                x_add_term(a, &out->restr, term);
        } else {
            if (strcmp(term, "true") == 0)
                perm_true = true;
            else if (strcmp(term, "false") != 0)
                x_add_term(a, &out->perm, term);
        }
    }
    if (perm_true)
        out->perm.n = 0;
    if (restr_false || (!perm_true && out->perm.n == 0)) {
        out->acc = XA_NONE;
        out->perm.n = out->restr.n = 0;
        return;
    }
    if (perm_true && out->restr.n == 0) {
        out->acc = XA_ALL;
        return;
    }
    out->perm_true = perm_true;
    out->acc = XA_SOME;
    StrBuf sb;
    sb_init(&sb, a);
    bool alone = out->restr.n == 0;
    if (out->perm.n > 1 && !alone)
        sb_putc(&sb, '(');
    for (int i = 0; i < out->perm.n; i++) {
        if (i)
            sb_puts(&sb, " OR ");
        x_put_term(&sb, out->perm.items[i], alone && out->perm.n == 1);
    }
    if (out->perm.n > 1 && !alone)
        sb_putc(&sb, ')');
    for (int i = 0; i < out->restr.n; i++) {
        if (sb.len)
            sb_puts(&sb, " AND ");
        x_put_term(&sb, out->restr.items[i], out->perm.n == 0 && out->restr.n == 1);
    }
    out->sql = sb_str(&sb);
}

/* One class for the cell: none when either clause admits nothing (no
 * statement can succeed), all when every clause admits all. */
static XAccess x_cell_access(CmdSet cmd, const XCell *c)
{
    XAccess acc = XA_ALL;
    for (int k = 0; k < X_NCLAUSES; k++)
        if (x_has(cmd, k) && c->c[k].acc < acc)
            acc = c->c[k].acc;
    return acc;
}

/* Every string of sub is in super. */
static bool x_subset(const PtrVec *sub, const PtrVec *super)
{
    for (int i = 0; i < sub->n; i++)
        if (!x_has_role(super, sub->items[i]))
            return false;
    return true;
}

static XChange x_compare(const XClause *o, const XClause *n)
{
    if (o->acc != n->acc)
        return n->acc > o->acc ? XC_WIDER : XC_NARROWER;
    if (o->acc != XA_SOME || strcmp(o->sql, n->sql) == 0)
        return XC_SAME;
    /* new = old OR x, possibly with restrictions dropped: wider (an
     * alternative that admits every row is wider than any) */
    if ((n->perm_true || (!o->perm_true && x_subset(&o->perm, &n->perm)))
        && x_subset(&n->restr, &o->restr))
        return XC_WIDER;
    if ((o->perm_true || (!n->perm_true && x_subset(&n->perm, &o->perm)))
        && x_subset(&o->restr, &n->restr))
        return XC_NARROWER;
    return XC_CHANGED;
}

static XChange x_merge(XChange a, XChange b)
{
    if (a == XC_SAME)
        return b;
    if (b == XC_SAME || a == b)
        return a;
    return XC_CHANGED;
}

/* ---- the report's model: tables x commands x columns */

typedef struct XRow {
    XCell cell, old;
    XChange change[X_NCLAUSES], all;
    int note;   /* its number in the notes below the matrix, or 0 */
    bool first; /* the first cell of its note */
} XRow;

typedef struct XTable {
    const char *schema, *name;
    bool only_new, only_old;
    XRow *rows; /* [cmd * ncols + col] */
    bool changed;
} XTable;

typedef struct XReport {
    Arena *a;
    bool diff;
    PtrVec roles;  /* const char *, sorted; the columns, then "other roles" */
    PtrVec bypass; /* the roles declared bypass */
    int ncols;
    PtrVec tables; /* XTable* */
    bool any_change;
} XReport;

static void x_collect_roles(Arena *a, Map *seen, PtrVec *roles, PtrVec *bypass, const Ir *ir)
{
    if (!ir)
        return;
    for (int i = 0; i < ir->roles.n; i++) {
        const IrRole *r = ir->roles.items[i];
        if (!map_get(seen, r->name)) {
            map_put(seen, r->name, (void *)r->name);
            vec_push(a, roles, (void *)r->name);
        }
        if (r->bypass && !x_has_role(bypass, r->name))
            vec_push(a, bypass, (void *)r->name);
    }
    for (int i = 0; i < ir->tables.n; i++) {
        const IrTable *t = ir->tables.items[i];
        for (int j = 0; j < t->policies.n; j++) {
            const IrPolicy *p = t->policies.items[j];
            for (int k = 0; k < p->roles.n; k++)
                if (!map_get(seen, p->roles.items[k])) {
                    map_put(seen, p->roles.items[k], p->roles.items[k]);
                    vec_push(a, roles, p->roles.items[k]);
                }
        }
    }
}

static const char *x_col_role(const XReport *r, int col)
{
    return col < r->roles.n ? r->roles.items[col] : NULL;
}

static void x_fill(XReport *r, XTable *xt, const IrTable *nt, const IrTable *ot)
{
    xt->rows = arena_alloc(r->a, sizeof(XRow) * (size_t)(X_NCMDS * r->ncols));
    for (int c = 0; c < X_NCMDS; c++)
        for (int col = 0; col < r->ncols; col++) {
            XRow *row = &xt->rows[c * r->ncols + col];
            const char *role = x_col_role(r, col);
            for (int k = 0; k < X_NCLAUSES; k++) {
                if (!x_has(x_cmds[c], k))
                    continue;
                x_clause(r->a, nt, x_cmds[c], k, role, &row->cell.c[k]);
                if (!r->diff)
                    continue;
                x_clause(r->a, ot, x_cmds[c], k, role, &row->old.c[k]);
                row->change[k] = x_compare(&row->old.c[k], &row->cell.c[k]);
                row->all = x_merge(row->all, row->change[k]);
            }
            if (row->all != XC_SAME)
                xt->changed = r->any_change = true;
        }
}

static void x_key_clause(StrBuf *sb, const XClause *c)
{
    sb_printf(sb, "%d:%s", (int)c->acc, c->acc == XA_SOME ? c->sql : "");
    sb_putc(sb, '\0' + 1);
}

/* What a note says of a cell, as one string. */
static const char *x_row_key(Arena *a, CmdSet cmd, const XRow *row, bool diff)
{
    StrBuf sb;
    sb_init(&sb, a);
    sb_printf(&sb, "%u", cmd);
    for (int k = 0; k < X_NCLAUSES; k++) {
        if (!x_has(cmd, k))
            continue;
        x_key_clause(&sb, &row->cell.c[k]);
        if (diff)
            x_key_clause(&sb, &row->old.c[k]);
    }
    return sb_str(&sb);
}

static XTable *x_table(XReport *r, const IrTable *nt, const IrTable *ot)
{
    const IrTable *t = nt ? nt : ot;
    XTable *xt = arena_alloc(r->a, sizeof *xt);
    xt->schema = t->schema;
    xt->name = t->name;
    xt->only_new = r->diff && !ot;
    xt->only_old = r->diff && !nt;
    x_fill(r, xt, nt, ot);
    vec_push(r->a, &r->tables, xt);
    return xt;
}

static void x_build(Arena *a, XReport *r, const Ir *ir, const Ir *old)
{
    memset(r, 0, sizeof *r);
    r->a = a;
    r->diff = old != NULL;
    Map *seen = map_new(a);
    x_collect_roles(a, seen, &r->roles, &r->bypass, ir);
    x_collect_roles(a, seen, &r->roles, &r->bypass, old);
    vec_sort_strings(&r->roles);
    r->ncols = r->roles.n + 1;
    /* both IRs are sorted by ir_table_order: merge them */
    int i = 0, j = 0, ni = ir->tables.n, nj = old ? old->tables.n : 0;
    while (i < ni || j < nj) {
        const IrTable *nt = i < ni ? ir->tables.items[i] : NULL;
        const IrTable *ot = j < nj ? old->tables.items[j] : NULL;
        int ord = !nt ? 1 : !ot ? -1 : ir_table_order(nt, ot);
        x_table(r, ord <= 0 ? nt : NULL, ord >= 0 ? ot : NULL);
        i += ord <= 0;
        j += ord >= 0;
    }
    /* number the cells the notes below each matrix explain; cells of one
     * command that read the same share a note */
    for (int t = 0; t < r->tables.n; t++) {
        XTable *xt = r->tables.items[t];
        Map *same = map_new(a);
        int note = 0;
        for (int k = 0; k < X_NCMDS * r->ncols; k++) {
            XRow *row = &xt->rows[k];
            CmdSet cmd = x_cmds[k / r->ncols];
            if (r->diff ? row->all == XC_SAME : x_cell_access(cmd, &row->cell) != XA_SOME)
                continue;
            const char *key = x_row_key(a, cmd, row, r->diff);
            int *n = map_get(same, key);
            if (!n) {
                n = arena_alloc(a, sizeof *n);
                *n = ++note;
                map_put(same, key, n);
                row->first = true;
            }
            row->note = *n;
        }
    }
}

/* ---- output helpers */

static const char *x_table_name(Arena *a, const XTable *t)
{
    return t->schema ? arena_printf(a, "%s.%s", t->schema, t->name) : t->name;
}

/* The role's column heading (NULL: the other roles). */
static const char *x_col_name(const XReport *r, int col)
{
    const char *role = x_col_role(r, col);
    if (!role)
        return "other roles";
    return x_has_role(&r->bypass, role) ? arena_printf(r->a, "%s (bypass)", role) : role;
}

/* The columns that share the note of cell k of t: "a, b, other roles". */
static const char *x_note_cols(const XReport *r, const XTable *t, int k)
{
    StrBuf sb;
    sb_init(&sb, r->a);
    int c = k / r->ncols;
    for (int col = 0; col < r->ncols; col++)
        if (t->rows[c * r->ncols + col].note == t->rows[k].note) {
            if (sb.len)
                sb_puts(&sb, ", ");
            sb_puts(&sb, x_col_name(r, col));
        }
    return sb_str(&sb);
}

/* What one clause admits, in words or as SQL. */
static const char *x_clause_text(const XClause *c)
{
    switch (c->acc) {
    case XA_NONE: return "no rows";
    case XA_ALL: return "all rows";
    case XA_SOME: return c->sql;
    }
    return "?";
}

static const char *x_clause_label(CmdSet cmd, int k)
{
    if (k == X_NEW)
        return cmd == CMD_INSERT ? "new rows" : "new rows (WITH CHECK)";
    return cmd == CMD_UPDATE ? "rows (USING)" : "rows";
}

/* The short word of a cell in the matrix. */
static const char *x_cell_word(const XReport *r, const XRow *row, CmdSet cmd)
{
    if (!r->diff)
        return x_access_name(x_cell_access(cmd, &row->cell));
    if (row->all == XC_SAME)
        return "=";
    XAccess o = x_cell_access(cmd, &row->old), n = x_cell_access(cmd, &row->cell);
    if (o == n)
        return x_change_name(row->all);
    return arena_printf(r->a, "%s: %s -> %s", x_change_name(row->all), x_access_name(o),
                        x_access_name(n));
}

static const char *x_table_status(const XTable *t)
{
    return t->only_new ? "new table (before: no RLS, all rows)"
         : t->only_old ? "table dropped from the files (now: no RLS, all rows)"
         : NULL;
}

static const char assumption[] =
    "Bypass roles see all rows; every other role is assumed not to be a member of one.";
static const char others[] =
    "other roles: every role the files do not name (only policies TO PUBLIC apply).";

/* ---- text */

/* Names and conditions are the user's: no control byte reaches the terminal. */
static void x_text_put(StrBuf *sb, const char *s)
{
    mig_comment_text(sb, s);
}

static int x_utf8_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void x_text_pad(StrBuf *sb, const char *s, int width)
{
    StrBuf t;
    sb_init(&t, sb->arena);
    x_text_put(&t, s);
    sb_puts(sb, sb_str(&t));
    for (int w = x_utf8_width(sb_str(&t)); w < width; w++)
        sb_putc(sb, ' ');
}

static void x_text_table(StrBuf *sb, XReport *r, XTable *t)
{
    Arena *a = r->a;
    int ncols = r->ncols;
    /* the words first, for the widths */
    const char **words = arena_alloc(a, sizeof(char *) * (size_t)(X_NCMDS * ncols));
    int *width = arena_alloc(a, sizeof(int) * (size_t)(ncols + 1));
    width[0] = (int)strlen("command");
    for (int col = 0; col < ncols; col++)
        width[col + 1] = x_utf8_width(x_col_name(r, col));
    for (int c = 0; c < X_NCMDS; c++)
        for (int col = 0; col < ncols; col++) {
            const XRow *row = &t->rows[c * ncols + col];
            const char *w = x_cell_word(r, row, x_cmds[c]);
            if (row->note)
                w = arena_printf(a, "%s [%d]", w, row->note);
            words[c * ncols + col] = w;
            if (x_utf8_width(w) > width[col + 1])
                width[col + 1] = x_utf8_width(w);
        }
    x_text_put(sb, x_table_name(a, t));
    const char *status = x_table_status(t);
    if (status)
        sb_printf(sb, ": %s", status);
    if (r->diff && !t->changed) {
        sb_puts(sb, ": unchanged\n");
        return;
    }
    sb_puts(sb, "\n  ");
    x_text_pad(sb, "command", width[0] + 2);
    for (int col = 0; col < ncols; col++)
        x_text_pad(sb, x_col_name(r, col), col + 1 < ncols ? width[col + 1] + 2 : 0);
    sb_putc(sb, '\n');
    for (int c = 0; c < X_NCMDS; c++) {
        sb_puts(sb, "  ");
        x_text_pad(sb, cmd_name(x_cmds[c]), width[0] + 2);
        for (int col = 0; col < ncols; col++)
            x_text_pad(sb, words[c * ncols + col], col + 1 < ncols ? width[col + 1] + 2 : 0);
        sb_putc(sb, '\n');
    }
    for (int k = 0; k < X_NCMDS * ncols; k++) {
        const XRow *row = &t->rows[k];
        if (!row->first)
            continue;
        CmdSet cmd = x_cmds[k / ncols];
        sb_printf(sb, "  [%d] %s: ", row->note, cmd_name(cmd));
        x_text_put(sb, x_note_cols(r, t, k));
        if (r->diff)
            sb_printf(sb, ": %s", x_change_name(row->all));
        sb_putc(sb, '\n');
        for (int c = 0; c < X_NCLAUSES; c++) {
            if (!x_has(cmd, c))
                continue;
            if (!r->diff) {
                sb_printf(sb, "      %s: ", x_clause_label(cmd, c));
                x_text_put(sb, x_clause_text(&row->cell.c[c]));
                sb_putc(sb, '\n');
                continue;
            }
            sb_printf(sb, "      %s: %s\n", x_clause_label(cmd, c), x_change_name(row->change[c]));
            if (row->change[c] == XC_SAME)
                continue;
            sb_puts(sb, "        old: ");
            x_text_put(sb, x_clause_text(&row->old.c[c]));
            sb_puts(sb, "\n        new: ");
            x_text_put(sb, x_clause_text(&row->cell.c[c]));
            sb_putc(sb, '\n');
        }
    }
}

static void x_text(StrBuf *sb, XReport *r)
{
    if (r->diff && !r->any_change) {
        sb_puts(sb, "nothing changed: every table, command and role has the same access\n");
        return;
    }
    for (int i = 0; i < r->tables.n; i++) {
        if (i)
            sb_putc(sb, '\n');
        x_text_table(sb, r, r->tables.items[i]);
    }
    sb_printf(sb, "\n%s\n", others);
    if (r->bypass.n)
        sb_printf(sb, "%s\n", assumption);
}

/* ---- markdown */

/* Text for a table cell or a heading: the characters of markdown's inline
 * syntax and HTML's escaped, `|` included (it ends a cell even inside
 * backticks), control bytes as '?'. */
static void x_md_put(StrBuf *sb, const char *s)
{
    StrBuf t;
    sb_init(&t, sb->arena);
    mig_comment_text(&t, s);
    for (const char *p = sb_str(&t); *p; p++) {
        switch (*p) {
        case '&': sb_puts(sb, "&amp;"); break;
        case '<': sb_puts(sb, "&lt;"); break;
        case '>': sb_puts(sb, "&gt;"); break;
        case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '~':
            sb_putc(sb, '\\');
            sb_putc(sb, *p);
            break;
        default:
            sb_putc(sb, *p);
        }
    }
}

/* SQL in a fenced block: a fence longer than any run of backticks in it. */
static void x_md_code(StrBuf *sb, const char *sql)
{
    int run = 0, longest = 0;
    for (const char *p = sql; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    int fence = longest < 3 ? 3 : longest + 1;
    for (int i = 0; i < fence; i++)
        sb_putc(sb, '`');
    sb_puts(sb, "sql\n");
    StrBuf t;
    sb_init(&t, sb->arena);
    mig_comment_text(&t, sql);
    sb_puts(sb, sb_str(&t));
    sb_putc(sb, '\n');
    for (int i = 0; i < fence; i++)
        sb_putc(sb, '`');
    sb_putc(sb, '\n');
}

/* After "label:", the clause: a fenced block must start its own line. */
static void x_md_clause(StrBuf *sb, const XClause *c)
{
    if (c->acc == XA_SOME) {
        sb_puts(sb, "\n\n");
        x_md_code(sb, c->sql);
    } else {
        sb_printf(sb, " %s\n", x_clause_text(c));
    }
}

static void x_md_table(StrBuf *sb, XReport *r, XTable *t)
{
    int ncols = r->ncols;
    sb_puts(sb, "### ");
    x_md_put(sb, x_table_name(r->a, t));
    const char *status = x_table_status(t);
    if (status) {
        sb_puts(sb, ": ");
        x_md_put(sb, status);
    }
    if (r->diff && !t->changed) {
        sb_puts(sb, ": unchanged\n");
        return;
    }
    sb_puts(sb, "\n\n| command |");
    for (int col = 0; col < ncols; col++) {
        sb_putc(sb, ' ');
        x_md_put(sb, x_col_name(r, col));
        sb_puts(sb, " |");
    }
    sb_puts(sb, "\n|---|");
    for (int col = 0; col < ncols; col++)
        sb_puts(sb, "---|");
    sb_putc(sb, '\n');
    for (int c = 0; c < X_NCMDS; c++) {
        sb_printf(sb, "| %s |", cmd_name(x_cmds[c]));
        for (int col = 0; col < ncols; col++) {
            const XRow *row = &t->rows[c * ncols + col];
            const char *w = x_cell_word(r, row, x_cmds[c]);
            bool strong = r->diff ? row->all != XC_SAME
                                  : x_cell_access(x_cmds[c], &row->cell) == XA_ALL;
            sb_puts(sb, strong ? " **" : " ");
            x_md_put(sb, w);
            sb_puts(sb, strong ? "**" : "");
            if (row->note)
                sb_printf(sb, " \\[%d\\]", row->note);
            sb_puts(sb, " |");
        }
        sb_putc(sb, '\n');
    }
    for (int k = 0; k < X_NCMDS * ncols; k++) {
        const XRow *row = &t->rows[k];
        if (!row->first)
            continue;
        CmdSet cmd = x_cmds[k / ncols];
        sb_printf(sb, "\n**\\[%d\\] %s: ", row->note, cmd_name(cmd));
        x_md_put(sb, x_note_cols(r, t, k));
        if (r->diff)
            sb_printf(sb, ": %s", x_change_name(row->all));
        sb_puts(sb, "**\n");
        for (int c = 0; c < X_NCLAUSES; c++) {
            if (!x_has(cmd, c))
                continue;
            sb_printf(sb, "\n%s", x_clause_label(cmd, c));
            if (!r->diff) {
                sb_puts(sb, ":");
                x_md_clause(sb, &row->cell.c[c]);
                continue;
            }
            sb_printf(sb, ": %s\n", x_change_name(row->change[c]));
            if (row->change[c] == XC_SAME)
                continue;
            sb_puts(sb, "\nold:");
            x_md_clause(sb, &row->old.c[c]);
            sb_puts(sb, "\nnew:");
            x_md_clause(sb, &row->cell.c[c]);
        }
    }
}

static void x_md(StrBuf *sb, XReport *r)
{
    sb_puts(sb, r->diff ? "## Access changes (rlsc explain)\n\n" : "## Access (rlsc explain)\n\n");
    if (r->diff && !r->any_change) {
        sb_puts(sb, "Nothing changed: every table, command and role has the same access.\n");
        return;
    }
    for (int i = 0; i < r->tables.n; i++) {
        x_md_table(sb, r, r->tables.items[i]);
        sb_putc(sb, '\n');
    }
    sb_puts(sb, others);
    sb_puts(sb, r->bypass.n ? "  \n" : "\n");
    if (r->bypass.n)
        sb_printf(sb, "%s\n", assumption);
}

/* ---- html */

static void x_html_put(StrBuf *sb, const char *s)
{
    StrBuf t;
    sb_init(&t, sb->arena);
    mig_comment_text(&t, s);
    for (const char *p = sb_str(&t); *p; p++) {
        switch (*p) {
        case '&': sb_puts(sb, "&amp;"); break;
        case '<': sb_puts(sb, "&lt;"); break;
        case '>': sb_puts(sb, "&gt;"); break;
        case '"': sb_puts(sb, "&quot;"); break;
        case '\'': sb_puts(sb, "&#39;"); break;
        default: sb_putc(sb, *p);
        }
    }
}

static const char x_css[] =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\n"
    "table.matrix{border-collapse:collapse;margin:0.5em 0 2em}\n"
    ".matrix th,.matrix td{border:1px solid #999;padding:0.3em 0.6em;vertical-align:top;"
    "text-align:left}\n"
    ".matrix th{background:#eee}\n"
    "td.none{background:#f4c7c3}\n"
    "td.some{background:#fce8b2}\n"
    "td.all{background:#b7e1cd}\n"
    "td.unchanged{background:#ffffff}\n"
    "td.widened{background:#f4c7c3}\n"
    "td.narrowed{background:#b7e1cd}\n"
    "td.changed{background:#fce8b2}\n"
    "summary{cursor:pointer}\n"
    "pre{white-space:pre-wrap;max-width:40em;font-size:0.85em}\n";

static void x_html_clause(StrBuf *sb, const char *label, const XClause *c)
{
    sb_puts(sb, "<div class=\"clause\">");
    x_html_put(sb, label);
    sb_puts(sb, ": ");
    if (c->acc == XA_SOME) {
        sb_puts(sb, "<pre class=\"cond\">");
        x_html_put(sb, c->sql);
        sb_puts(sb, "</pre>");
    } else {
        x_html_put(sb, x_clause_text(c));
    }
    sb_puts(sb, "</div>");
}

static void x_html_cell(StrBuf *sb, XReport *r, const XRow *row, CmdSet cmd)
{
    const char *cls = r->diff ? x_change_name(row->all)
                              : x_access_name(x_cell_access(cmd, &row->cell));
    sb_printf(sb, "<td class=\"%s\">", cls);
    const char *word = x_cell_word(r, row, cmd);
    if (!row->note) {
        x_html_put(sb, word);
        sb_puts(sb, "</td>");
        return;
    }
    sb_puts(sb, "<details><summary>");
    x_html_put(sb, word);
    sb_puts(sb, "</summary>");
    for (int c = 0; c < X_NCLAUSES; c++) {
        if (!x_has(cmd, c))
            continue;
        if (!r->diff) {
            x_html_clause(sb, x_clause_label(cmd, c), &row->cell.c[c]);
            continue;
        }
        const char *label = arena_printf(r->a, "%s, %s", x_clause_label(cmd, c),
                                         x_change_name(row->change[c]));
        if (row->change[c] == XC_SAME) {
            sb_puts(sb, "<div class=\"clause\">");
            x_html_put(sb, label);
            sb_puts(sb, "</div>");
            continue;
        }
        x_html_clause(sb, arena_printf(r->a, "%s, old", label), &row->old.c[c]);
        x_html_clause(sb, arena_printf(r->a, "%s, new", label), &row->cell.c[c]);
    }
    sb_puts(sb, "</details></td>");
}

static void x_html_table(StrBuf *sb, XReport *r, XTable *t)
{
    int ncols = r->ncols;
    sb_puts(sb, "<h2>");
    x_html_put(sb, x_table_name(r->a, t));
    sb_puts(sb, "</h2>\n");
    const char *status = x_table_status(t);
    if (status) {
        sb_puts(sb, "<p>");
        x_html_put(sb, status);
        sb_puts(sb, "</p>\n");
    }
    if (r->diff && !t->changed) {
        sb_puts(sb, "<p>unchanged</p>\n");
        return;
    }
    sb_puts(sb, "<table class=\"matrix\">\n<tr><th>command</th>");
    for (int col = 0; col < ncols; col++) {
        sb_puts(sb, "<th>");
        x_html_put(sb, x_col_name(r, col));
        sb_puts(sb, "</th>");
    }
    sb_puts(sb, "</tr>\n");
    for (int c = 0; c < X_NCMDS; c++) {
        sb_printf(sb, "<tr><th>%s</th>", cmd_name(x_cmds[c]));
        for (int col = 0; col < ncols; col++)
            x_html_cell(sb, r, &t->rows[c * ncols + col], x_cmds[c]);
        sb_puts(sb, "</tr>\n");
    }
    sb_puts(sb, "</table>\n");
}

static void x_html(StrBuf *sb, XReport *r)
{
    const char *title = r->diff ? "Access changes (rlsc explain)" : "Access (rlsc explain)";
    sb_printf(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>%s</h1>\n",
              title, x_css, title);
    if (r->diff && !r->any_change) {
        sb_puts(sb, "<p>Nothing changed: every table, command and role has the same "
                    "access.</p>\n");
    } else {
        if (r->diff)
            sb_puts(sb, "<p>Each cell: how the rows a role may reach changed (old -&gt; new); "
                        "open it for the conditions.</p>\n");
        else
            sb_puts(sb, "<p>Each cell: none, some or all rows; open a <q>some</q> cell for "
                        "its condition.</p>\n");
        for (int i = 0; i < r->tables.n; i++)
            x_html_table(sb, r, r->tables.items[i]);
        sb_puts(sb, "<p>");
        x_html_put(sb, others);
        if (r->bypass.n) {
            sb_puts(sb, "<br>");
            x_html_put(sb, assumption);
        }
        sb_puts(sb, "</p>\n");
    }
    sb_puts(sb, "</body>\n</html>\n");
}

void explain_write(StrBuf *out, Arena *a, const Ir *ir, const Ir *old, ExplainFormat f)
{
    XReport r;
    x_build(a, &r, ir, old);
    switch (f) {
    case EXPLAIN_TEXT: x_text(out, &r); break;
    case EXPLAIN_MARKDOWN: x_md(out, &r); break;
    case EXPLAIN_HTML: x_html(out, &r); break;
    }
}
