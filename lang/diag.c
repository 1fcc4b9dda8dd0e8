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

static void diag_emit(Diag *d, const char *level, Span at, const char *fmt,
                      va_list ap)
{
    DiagOut o = {.d = d};
    SrcFile *f = at.start >= 0 ? diag_file_at(d, at.start) : NULL;
    if (f) {
        int rel = at.start - f->base;
        int line = diag_line_of(f, rel);
        int col = diag_chars(f->text, f->line_start[line], rel) + 1;
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
    diag_putc(&o, '\n');
    if (f)
        diag_print_source(&o, f, at);
    diag_flush(&o);
}

void diag_error(Diag *d, Span at, const char *fmt, ...)
{
    d->errors++;
    if (d->max_errors && d->errors > d->max_errors) {
        if (d->errors == d->max_errors + 1)
            diag_write(d, "rlsc: too many errors, stopping here\n",
                       strlen("rlsc: too many errors, stopping here\n"));
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    diag_emit(d, "error", at, fmt, ap);
    va_end(ap);
}

void diag_warning(Diag *d, Span at, const char *fmt, ...)
{
    d->warnings++;
    va_list ap;
    va_start(ap, fmt);
    diag_emit(d, "warning", at, fmt, ap);
    va_end(ap);
}

void diag_note(Diag *d, Span at, const char *fmt, ...)
{
    if (d->max_errors && d->errors > d->max_errors)
        return;
    va_list ap;
    va_start(ap, fmt);
    diag_emit(d, "note", at, fmt, ap);
    va_end(ap);
}

void diag_fail(Diag *d, const char *fmt, ...)
{
    d->failures++;
    DiagOut o = {.d = d};
    va_list ap;
    va_start(ap, fmt);
    diag_puts(&o, "rlsc: ");
    diag_vprintf(&o, fmt, ap);
    diag_putc(&o, '\n');
    va_end(ap);
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
