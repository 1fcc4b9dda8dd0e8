/*
 * diag.c — diagnostics: `file:line:col: error: message`, the source line,
 * and a caret with tildes under the span.
 *
 * Errors are counted, never fatal: callers report and go on, and the exit
 * status comes from the count.  Columns count characters (UTF-8 code
 * points), and the caret line copies tabs so it lines up in a terminal.
 */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

void diag_init(Diag *d, Arena *a, FILE *out)
{
    memset(d, 0, sizeof *d);
    d->arena = a;
    d->out = out;
    d->max_errors = 100;
}

SrcFile *diag_add_file(Diag *d, const char *path, const char *text, int len)
{
    SrcFile *f = arena_alloc(d->arena, sizeof *f);
    f->path = path;
    f->text = text;
    f->len = len;
    f->base = d->next_base;
    d->next_base += len + 1; /* +1: an offset for end of file */

    /* lines found with memchr: a byte loop was 3 % of a large run */
    int n = 1;
    for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        n++;
    f->line_start = arena_alloc(d->arena, sizeof(int) * (size_t)n);
    f->nlines = 0;
    f->line_start[f->nlines++] = 0;
    for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        f->line_start[f->nlines++] = (int)(p - text) + 1;
    vec_push(d->arena, &d->files, f);
    return f;
}

Span span_join(Span a, Span b)
{
    if (a.start < 0)
        return b;
    if (b.start < 0)
        return a;
    return (Span){a.start < b.start ? a.start : b.start,
                  a.end > b.end ? a.end : b.end};
}

static SrcFile *diag_file_at(const Diag *d, int off)
{
    /* Files are added with increasing bases: binary search. */
    int lo = 0, hi = d->files.n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        SrcFile *f = d->files.items[mid];
        if (off < f->base)
            hi = mid - 1;
        else if (off > f->base + f->len)
            lo = mid + 1;
        else
            return f;
    }
    return NULL;
}

static int diag_line_of(const SrcFile *f, int rel)
{
    int lo = 0, hi = f->nlines - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (f->line_start[mid] <= rel)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Character count of text[from, to), counting UTF-8 lead bytes only. */
static int diag_chars(const char *text, int from, int to)
{
    int n = 0;
    for (int i = from; i < to; i++)
        n += ((unsigned char)text[i] & 0xC0) != 0x80;
    return n;
}

/* A diagnostic is assembled here and written with one fwrite: stderr is
 * unbuffered, and a write per piece (some thirty for a message with its
 * source line and caret) made printing most of the run time of a large
 * input.  A message longer than the buffer goes out in a few writes, but
 * always whole and in order. */
typedef struct DiagOut {
    Diag *d;
    size_t len;
    char buf[2048];
} DiagOut;

enum { DIAG_HOLD = 64 * 1024 };

static void diag_write(Diag *d, const char *s, size_t n)
{
    if (!d->holding) {
        fwrite(s, 1, n, d->out);
        return;
    }
    sb_putn(&d->held, s, n);
    if (d->held.len >= DIAG_HOLD) {
        fwrite(d->held.data, 1, d->held.len, d->out);
        d->held.len = 0;
    }
}

void diag_hold(Diag *d, bool on)
{
    if (on && !d->holding)
        sb_init(&d->held, d->arena);
    if (!on && d->holding && d->held.len)
        fwrite(d->held.data, 1, d->held.len, d->out);
    d->holding = on;
}

static void diag_flush(DiagOut *o)
{
    if (o->len)
        diag_write(o->d, o->buf, o->len);
    o->len = 0;
}

static void diag_putc(DiagOut *o, char c)
{
    if (o->len == sizeof o->buf)
        diag_flush(o);
    o->buf[o->len++] = c;
}

static void diag_puts(DiagOut *o, const char *s)
{
    for (; *s; s++)
        diag_putc(o, *s);
}

static void diag_vprintf(DiagOut *o, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    size_t room = sizeof o->buf - o->len;
    int n = vsnprintf(o->buf + o->len, room, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    if ((size_t)n < room) {
        o->len += (size_t)n;
        return;
    }
    /* too long for what is left: what is held first, then the text */
    diag_flush(o);
    if ((size_t)n < sizeof o->buf) {
        o->len = (size_t)vsnprintf(o->buf, sizeof o->buf, fmt, ap);
        return;
    }
    char *text = malloc((size_t)n + 1);
    if (text) {
        vsnprintf(text, (size_t)n + 1, fmt, ap);
        diag_write(o->d, text, (size_t)n);
        free(text);
    }
}

static void diag_putint(DiagOut *o, int n)
{
    char digits[12];
    int i = sizeof digits;
    unsigned u = n < 0 ? 0u - (unsigned)n : (unsigned)n;
    do
        digits[--i] = (char)('0' + u % 10);
    while (u /= 10);
    if (n < 0)
        digits[--i] = '-';
    for (; i < (int)sizeof digits; i++)
        diag_putc(o, digits[i]);
}

static void diag_print_source(DiagOut *o, const SrcFile *f, Span at)
{
    int rel = at.start - f->base;
    int line = diag_line_of(f, rel);
    int ls = f->line_start[line];
    int le = ls;
    while (le < f->len && f->text[le] != '\n')
        le++;
    if (le > ls && f->text[le - 1] == '\r')
        le--;
    int rend = at.end - f->base;
    if (rend > le)
        rend = le; /* a span over several lines: underline to line end */
    if (rend <= rel)
        rend = rel + 1;
    /* A very long line is shown as a window around the span. */
    enum { WIDTH = 160, BEFORE = 60 };
    bool cut_left = false, cut_right = false;
    if (le - ls > WIDTH) {
        if (rel - ls > BEFORE) {
            ls = rel - BEFORE;
            while (ls < rel && ((unsigned char)f->text[ls] & 0xC0) == 0x80)
                ls++;
            cut_left = true;
        }
        if (le - ls > WIDTH) {
            le = ls + WIDTH;
            while (le > rel + 1 && ((unsigned char)f->text[le] & 0xC0) == 0x80)
                le--;
            cut_right = true;
            if (rend > le)
                rend = le;
        }
    }

    diag_puts(o, cut_left ? "..." : "  ");
    /* control bytes (a NUL, say) as '?': one column each, nothing that
     * moves the cursor or makes the output binary */
    for (int i = ls; i < le; i++) {
        unsigned char c = (unsigned char)f->text[i];
        diag_putc(o, c != '\t' && (c < 0x20 || c == 0x7f) ? '?' : (char)c);
    }
    diag_puts(o, cut_right ? "...\n  " : "\n  ");
    if (cut_left)
        diag_putc(o, ' ');
    for (int i = ls; i < rel && i < le; i++) {
        unsigned char c = (unsigned char)f->text[i];
        if (c == '\t')
            diag_putc(o, '\t');
        else if ((c & 0xC0) != 0x80)
            diag_putc(o, ' ');
    }
    diag_putc(o, '^');
    int width = diag_chars(f->text, rel, rend);
    for (int i = 1; i < width; i++)
        diag_putc(o, '~');
    diag_putc(o, '\n');
}

const SrcFile *diag_position(const Diag *d, int off, int *line, int *col)
{
    SrcFile *f = off >= 0 ? diag_file_at(d, off) : NULL;
    if (f) {
        int rel = off - f->base;
        *line = diag_line_of(f, rel);
        *col = diag_chars(f->text, f->line_start[*line], rel) + 1;
    }
    return f;
}

/* ---- ids and pragmas */

const DiagRule diag_rules[] = {
    {"RLS001", "bad-pragma", "a `-- rlsc:` comment names an unknown id or form, so it silences nothing"},
    {"RLS010", "default-deny", "no rule allows a command on a table: PostgreSQL denies it to every role"},
    {"RLS011", "cascade-delete", "Django deletes cascading children before the row a policy may refuse to delete"},
    {"RLS012", "frozen-literal", "a literal such as 'now' is read once, when the policy is created"},
    {"RLS013", "type-modifier", "a type modifier PostgreSQL ignores or changes in a cast"},
    {"RLS014", "duplicate-no-force", "`no force;` is given twice"},
    {"RLS101", "permissive-or", "permissive rules on one table, command and role OR together: any one admits a row"},
    {"RLS102", "missing-tenant", "a table in a file with `context tenant` has no `tenant` rule: rows of every tenant"},
    {"RLS103", "unconditional-write", "a write is allowed with no condition: every row, whatever it holds"},
    {"RLS104", "all-widens-select", "an `all` rule's using also admits rows to select, beside the select rules"},
    {"RLS105", "volatile-function", "a volatile function in a condition runs per row and may differ between calls"},
    {"RLS106", "current-user-shared-role", "current_user names the pooled application role, not the person"},
    {"RLS107", "constant-condition", "a condition that never admits a row, or always admits every row"},
    {"RLS108", "unindexed-column", "a column a policy looks rows up by has no index that leads with it (--db)"},
    {"RLS109", "public-security-definer", "a policy calls a SECURITY DEFINER function that PUBLIC may execute (--db)"},
    {"RLS110", "leaky-function", "a function that is not LEAKPROOF is given a row's columns: its errors can show hidden rows (--db)"},
};
const int diag_nrules = (int)(sizeof diag_rules / sizeof diag_rules[0]);

const DiagRule *diag_rule(const char *id)
{
    for (int i = 0; i < diag_nrules; i++)
        if (strcmp(diag_rules[i].id, id) == 0)
            return &diag_rules[i];
    return NULL;
}

typedef struct DiagPragma {
    int first, last; /* the lines (0-based) it covers; file-wide: all */
    PtrVec ids;      /* const char * */
} DiagPragma;

static bool diag_blank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

/* Does the line (0-based) hold nothing but blanks and a `--` comment? */
static bool diag_comment_line(const SrcFile *f, int line)
{
    int i = f->line_start[line];
    while (i < f->len && diag_blank(f->text[i]))
        i++;
    return i + 1 < f->len && f->text[i] == '-' && f->text[i + 1] == '-';
}

/* Is the byte at rel the first of its line but blanks? */
static bool diag_own_line(const SrcFile *f, int rel)
{
    int i = rel;
    while (i > 0 && f->text[i - 1] != '\n' && diag_blank(f->text[i - 1]))
        i--;
    return i == 0 || f->text[i - 1] == '\n';
}

void diag_pragma(Diag *d, Span at, const char *text, int len)
{
    int line, col;
    SrcFile *f = (SrcFile *)diag_position(d, at.start, &line, &col);
    if (!f)
        return;
    /* text: `--` blanks `rlsc:` rest */
    const char *p = memchr(text, ':', (size_t)len) + 1, *end = text + len;
    while (p < end && diag_blank(*p))
        p++;
    const char *w = p;
    while (p < end && !diag_blank(*p))
        p++;
    size_t wn = (size_t)(p - w);
    bool file_wide = wn == 10 && memcmp(w, "allow-file", 10) == 0;
    if (!file_wide && !(wn == 5 && memcmp(w, "allow", 5) == 0)) {
        Span ws = {at.start + (int)(w - text), at.start + (int)(p - text)};
        if (ws.end == ws.start)
            ws = at;
        diag_lint(d, "RLS001", ws, "unknown rlsc pragma '%.*s': write `-- rlsc: allow ID` "
                  "or `-- rlsc: allow-file ID`", (int)wn, w);
        return;
    }
    DiagPragma *pr = arena_alloc(d->arena, sizeof *pr);
    memset(pr, 0, sizeof *pr);
    if (file_wide) {
        pr->first = 0;
        pr->last = f->nlines;
    } else if (diag_own_line(f, at.start - f->base)) {
        /* alone on its line: the next line of code (pragmas may stack) */
        int next = line + 1;
        while (next < f->nlines && diag_comment_line(f, next))
            next++;
        pr->first = pr->last = next;
    } else {
        pr->first = pr->last = line; /* at the end of the rule's line */
    }
    /* ids, separated by blanks or commas, up to `--` (a reason) */
    int words = 0;
    for (;; words++) {
        while (p < end && (diag_blank(*p) || *p == ','))
            p++;
        if (p >= end || (p + 1 < end && p[0] == '-' && p[1] == '-'))
            break;
        const char *id = p;
        while (p < end && !diag_blank(*p) && *p != ',')
            p++;
        char *s = arena_strndup(d->arena, id, (size_t)(p - id));
        if (diag_rule(s)) {
            vec_push(d->arena, &pr->ids, s);
        } else {
            const char *names[64];
            int n = 0;
            for (int i = 0; i < diag_nrules && n < 64; i++)
                names[n++] = diag_rules[i].id;
            diag_lint(d, "RLS001", (Span){at.start + (int)(id - text), at.start + (int)(p - text)},
                      "unknown lint id '%s' in an rlsc pragma%s", s,
                      diag_hint(d->arena, s, names, n, ""));
        }
    }
    if (!words) {
        diag_lint(d, "RLS001", at, "this rlsc pragma names no lint id to allow");
        return;
    }
    if (pr->ids.n)
        vec_push(d->arena, &f->pragmas, pr);
}

/* Does a pragma of at's file allow id on the lines at covers? */
static bool diag_allowed(const Diag *d, const char *id, Span at)
{
    int line, col;
    const SrcFile *f = diag_position(d, at.start, &line, &col);
    if (!f || !f->pragmas.n)
        return false;
    int last = line;
    if (at.end > at.start) {
        int rel_end = at.end - 1 - f->base;
        if (rel_end < f->len)
            last = diag_line_of(f, rel_end);
    }
    for (int i = 0; i < f->pragmas.n; i++) {
        const DiagPragma *pr = f->pragmas.items[i];
        bool on_line = pr->first == pr->last
                           ? (pr->first == line || (pr->first > line && pr->first <= last))
                           : true;
        if (!on_line)
            continue;
        for (int k = 0; k < pr->ids.n; k++)
            if (strcmp(pr->ids.items[k], id) == 0)
                return true;
    }
    return false;
}

/* ---- printing */

static void diag_record(Diag *d, const char *level, const char *id, Span at, bool silenced,
                        const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *msg = arena_alloc(d->arena, (size_t)(n < 0 ? 0 : n) + 1);
    msg[0] = 0;
    if (n >= 0)
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
    DiagRecord *r = arena_alloc(d->arena, sizeof *r);
    memset(r, 0, sizeof *r);
    r->level = level;
    r->id = id;
    r->at = at;
    r->msg = msg;
    r->silenced = silenced;
    /* a note belongs to the message before it */
    if (strcmp(level, "note") == 0 && d->records.n) {
        DiagRecord *prev = d->records.items[d->records.n - 1];
        vec_push(d->arena, &prev->notes, r);
        return;
    }
    vec_push(d->arena, &d->records, r);
}

static void diag_emit(Diag *d, const char *level, const char *id, Span at, const char *fmt,
                      va_list ap)
{
    if (d->collect) {
        diag_record(d, level, id, at, false, fmt, ap);
        return;
    }
    DiagOut o = {.d = d};
    int line, col;
    const SrcFile *f = diag_position(d, at.start, &line, &col);
    if (f) {
        /* file:line:col: level: (without printf: a large input has a
         * warning per table) */
        diag_puts(&o, f->path);
        diag_putc(&o, ':');
        diag_putint(&o, line + 1);
        diag_putc(&o, ':');
        diag_putint(&o, col);
        diag_puts(&o, ": ");
    } else {
        diag_puts(&o, "rlsc: ");
    }
    diag_puts(&o, level);
    diag_puts(&o, ": ");
    diag_vprintf(&o, fmt, ap);
    if (id) {
        diag_puts(&o, " [");
        diag_puts(&o, id);
        diag_putc(&o, ']');
    }
    diag_putc(&o, '\n');
    if (f)
        diag_print_source(&o, f, at);
    diag_flush(&o);
}

void diag_collect(Diag *d)
{
    d->collect = true;
}

void diag_error(Diag *d, Span at, const char *fmt, ...)
{
    d->errors++;
    d->muted = false;
    if (d->max_errors && d->errors > d->max_errors) {
        if (d->errors == d->max_errors + 1 && !d->collect)
            diag_write(d, "rlsc: too many errors, stopping here\n",
                       strlen("rlsc: too many errors, stopping here\n"));
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    diag_emit(d, "error", NULL, at, fmt, ap);
    va_end(ap);
}

void diag_warning(Diag *d, Span at, const char *fmt, ...)
{
    d->warnings++;
    d->muted = false;
    va_list ap;
    va_start(ap, fmt);
    diag_emit(d, "warning", NULL, at, fmt, ap);
    va_end(ap);
}

void diag_lint(Diag *d, const char *id, Span at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (diag_allowed(d, id, at)) {
        d->silenced++;
        d->muted = true;
        if (d->collect)
            diag_record(d, "warning", id, at, true, fmt, ap);
    } else {
        d->warnings++;
        d->muted = false;
        diag_emit(d, "warning", id, at, fmt, ap);
    }
    va_end(ap);
}

void diag_note(Diag *d, Span at, const char *fmt, ...)
{
    if (d->max_errors && d->errors > d->max_errors)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (!d->muted)
        diag_emit(d, "note", NULL, at, fmt, ap);
    else if (d->collect)
        diag_record(d, "note", NULL, at, true, fmt, ap);
    va_end(ap);
}

void diag_fail(Diag *d, const char *fmt, ...)
{
    d->failures++;
    d->muted = false;
    DiagOut o = {.d = d};
    va_list ap;
    va_start(ap, fmt);
    if (d->collect) {
        va_list ap2;
        va_copy(ap2, ap);
        diag_record(d, "error", "rlsc-failure", SPAN_NONE, false, fmt, ap2);
        va_end(ap2);
    }
    diag_puts(&o, "rlsc: ");
    diag_vprintf(&o, fmt, ap);
    diag_putc(&o, '\n');
    va_end(ap);
    /* said on stderr in either mode: it says why nothing else ran */
    if (d->collect) {
        fwrite(o.buf, 1, o.len, d->out);
        return;
    }
    diag_flush(&o);
}

/* Optimal string alignment distance, bounded: returns limit+1 when the
 * distance exceeds limit, so a long candidate list stays cheap. */
static int diag_distance(const char *s, const char *t, int limit)
{
    int n = (int)strlen(s), m = (int)strlen(t);
    if (abs(n - m) > limit || n > 64 || m > 64)
        return limit + 1;
    int d[65][65];
    for (int i = 0; i <= n; i++)
        d[i][0] = i;
    for (int j = 0; j <= m; j++)
        d[0][j] = j;
    for (int i = 1; i <= n; i++) {
        int rowmin = limit + 1;
        for (int j = 1; j <= m; j++) {
            int cost = s[i - 1] != t[j - 1];
            int v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && s[i - 1] == t[j - 2] && s[i - 2] == t[j - 1]
                && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > limit)
            return limit + 1;
    }
    return d[n][m];
}

const char *diag_hint(Arena *a, const char *name, const char *const *cands, int n,
                      const char *prefix)
{
    const char *s = diag_suggest(name, cands, n);
    return s ? arena_printf(a, "; did you mean '%s%s'?", prefix, s) : "";
}

const char *diag_suggest(const char *name, const char *const *cands, int n)
{
    int len = (int)strlen(name);
    int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    const char *best = NULL;
    int bestd = limit + 1;
    for (int i = 0; i < n; i++) {
        if (!cands[i] || strcmp(cands[i], name) == 0)
            continue;
        int dist = diag_distance(name, cands[i], limit);
        if (dist < bestd) {
            bestd = dist;
            best = cands[i];
        }
    }
    return best;
}
