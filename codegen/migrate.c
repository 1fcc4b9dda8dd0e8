/*
 * migrate.c — what every migration format shares: the numbered files of a
 * migrations directory, the policy state the newest of them records, the
 * Python text a migration is written in, and writing it atomically.
 *
 * A migration records the compiled policies it leaves behind,
 *
 *     RLSC_STATE = (
 *         "line\n"
 *         ...
 *     )
 *
 * (ir_write_state's text as Python string literals, one per line), so the
 * next run diffs the new IR against the newest recorded one and emits only
 * the difference.  Comparing IRs, not source text, is what makes
 * reformatting, comments and reordering produce no migration.  The writer
 * (mig_write_state) and the reader (mig_newest_state) of that block live
 * here together: the reader undoes exactly the escapes the writer uses.
 * emit_django.c is one format built on this file.
 */
#define RLSC_CODEGEN /* ast.h refuses to be included here */
#include "codegen.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How the recorded state starts, at the start of a line. */
static const char mig_state_start[] = "RLSC_STATE = ";

/* NNNN_name<ext>: four or more digits (Django counts past 9999), then
 * letters, digits and _. */
static bool mig_is_migration(const char *f, const char *ext)
{
    size_t n = strlen(f), e = strlen(ext), d = 0;
    while (f[d] >= '0' && f[d] <= '9')
        d++;
    if (d < 4 || n < d + 2 + e || strcmp(f + n - e, ext) != 0 || f[d] != '_')
        return false;
    for (size_t i = d + 1; i < n - e; i++)
        if (!(f[i] == '_' || (f[i] >= '0' && f[i] <= '9') || (f[i] >= 'a' && f[i] <= 'z')
              || (f[i] >= 'A' && f[i] <= 'Z')))
            return false;
    return true;
}

static int mig_cmp(const void *a, const void *b)
{
    const MigFile *x = *(MigFile *const *)a, *y = *(MigFile *const *)b;
    return x->number != y->number ? (x->number > y->number) - (x->number < y->number)
                                  : strcmp(x->name, y->name);
}

PtrVec *mig_files(Arena *a, Diag *d, const char *dir, const char *ext)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        diag_fail(d, "cannot read the migrations directory %s: %s", dir, strerror(errno));
        return NULL;
    }
    PtrVec *migs = arena_alloc(a, sizeof *migs);
    for (struct dirent *de; (de = readdir(dh));) {
        if (!mig_is_migration(de->d_name, ext))
            continue;
        struct stat st;
        const char *path = arena_printf(a, "%s/%s", dir, de->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        MigFile *m = arena_alloc(a, sizeof *m);
        m->number = atoi(de->d_name);
        m->name = arena_strndup(a, de->d_name, strlen(de->d_name) - strlen(ext));
        m->path = path;
        vec_push(a, migs, m);
    }
    closedir(dh);
    if (migs->n > 1) /* none: items is NULL, which qsort may not be given */
        qsort(migs->items, (size_t)migs->n, sizeof(void *), mig_cmp);
    return migs;
}

static const char *mig_read(Arena *a, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    StrBuf sb;
    sb_init(&sb, a);
    int err = util_read_all(f, &sb);
    fclose(f);
    return err ? NULL : sb_str(&sb);
}

/* ---- Python text */

/* Only \\ \" \n \t \xNN escapes, so mig_find_literal can undo them. */
void mig_pystring(StrBuf *out, const char *text, const char *indent)
{
    const char *p = text;
    if (!*p) {
        sb_printf(out, "%s\"\"\n", indent);
        return;
    }
    while (*p) {
        sb_printf(out, "%s\"", indent);
        for (; *p && *p != '\n'; p++) {
            unsigned char c = (unsigned char)*p;
            if (c == '\\' || c == '"')
                sb_printf(out, "\\%c", c);
            else if (c == '\t')
                sb_puts(out, "\\t");
            else if (c < 0x20 || c == 0x7f)
                sb_printf(out, "\\x%02x", c);
            else
                sb_putc(out, (char)c);
        }
        if (*p == '\n') {
            sb_puts(out, "\\n");
            p++;
        }
        sb_puts(out, "\"\n");
    }
}

/* A list item per statement: a runner such as Django's RunSQL runs each one
 * as it is, where a single string would be re-split by sqlparse
 * (emit_statements). */
void mig_pystatements(Arena *a, StrBuf *out, const char *sql)
{
    PtrVec stmts = {0};
    emit_statements(a, sql, &stmts);
    for (int i = 0; i < stmts.n; i++) {
        mig_pystring(out, stmts.items[i], "    ");
        out->data[out->len - 1] = ',';
        sb_putc(out, '\n');
    }
}

/* A line break would end the comment and make the rest code, and bytes
 * that are not UTF-8 make a Python file unreadable, so both become '?'. */
void mig_comment_text(StrBuf *out, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t ok = util_utf8_invalid(s + i, n - i);
        for (size_t k = i; k < i + ok; k++) {
            unsigned char c = (unsigned char)s[k];
            sb_putc(out, c < 0x20 || c == 0x7f ? '?' : (char)c);
        }
        i += ok;
        if (i < n) {
            sb_putc(out, '?');
            i++;
        }
    }
}

static int mig_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The text of `NAME = ( "..." "..." )` in a migration, or NULL; *line is
 * the file's line of its first string (each line of the text is one). */
static const char *mig_find_literal(Arena *a, const char *src, const char *name, int *line)
{
    const char *at = strstr(src, name);
    while (at && at != src && at[-1] != '\n')
        at = strstr(at + 1, name);
    if (!at)
        return NULL;
    *line = 2;
    for (const char *q = src; q < at; q++)
        *line += *q == '\n';
    const char *p = strchr(at, '(');
    if (!p)
        return NULL;
    p++;
    StrBuf sb;
    sb_init(&sb, a);
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
            p++;
        if (*p == ')')
            return sb_str(&sb);
        if (*p != '"')
            return NULL;
        for (p++; *p && *p != '"'; p++) {
            if (*p != '\\') {
                sb_putc(&sb, *p);
                continue;
            }
            p++;
            /* only the escapes mig_pystring writes; \x00 would cut the text */
            if (*p == 'n')
                sb_putc(&sb, '\n');
            else if (*p == 't')
                sb_putc(&sb, '\t');
            else if (*p == 'x' && mig_hex(p[1]) >= 0 && mig_hex(p[2]) >= 0
                     && mig_hex(p[1]) * 16 + mig_hex(p[2]) != 0) {
                sb_putc(&sb, (char)(mig_hex(p[1]) * 16 + mig_hex(p[2])));
                p += 2;
            } else if (*p == '\\' || *p == '"')
                sb_putc(&sb, *p);
            else
                return NULL;
        }
        if (*p != '"')
            return NULL;
        p++;
    }
}

/* ---- the recorded state */

void mig_write_state(StrBuf *out, const Ir *ir)
{
    StrBuf state;
    sb_init(&state, out->arena);
    ir_write_state(&state, ir);
    sb_printf(out, "%s(\n", mig_state_start);
    mig_pystring(out, sb_str(&state), "    ");
    sb_puts(out, ")\n");
}

int mig_newest_state(Arena *a, Diag *d, const PtrVec *files, Ir **out)
{
    for (int i = files->n - 1; i >= 0; i--) {
        const MigFile *m = files->items[i];
        const char *src = mig_read(a, m->path);
        int first = 0, bad = 0;
        const char *state = src ? mig_find_literal(a, src, mig_state_start, &first) : NULL;
        if (!state) {
            if (src && strstr(src, arena_printf(a, "\n%s", mig_state_start))) {
                /* ignoring it would re-create everything: say so instead */
                diag_fail(d, "%s: RLSC_STATE is not a sequence of \"...\" strings with the "
                             "escapes rlsc writes", m->path);
                return RLSC_ERR_USAGE;
            }
            continue;
        }
        const char *why = ir_read_state(a, state, out, &bad);
        if (why && bad) {
            diag_fail(d, "%s:%d: RLSC_STATE is damaged (its line %d): %s", m->path,
                      first + bad - 1, bad, why);
            return RLSC_ERR_USAGE;
        }
        if (why) {
            diag_fail(d, "%s: RLSC_STATE is damaged: %s", m->path, why);
            return RLSC_ERR_USAGE;
        }
        return RLSC_OK;
    }
    *out = arena_alloc(a, sizeof **out); /* none: the app had no policies */
    return RLSC_OK;
}

/* ---- writing */

int mig_write_atomic(Arena *a, Diag *d, const char *dir, const char *file, const StrBuf *text)
{
    const char *path = arena_printf(a, "%s/%s", dir, file);
    const char *tmp = arena_printf(a, "%s/.%s.%ld.tmp", dir, file, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        diag_fail(d, "cannot write %s: %s", tmp, strerror(errno));
        return RLSC_ERR_USAGE;
    }
    bool ok = fwrite(text->data, 1, text->len, f) == text->len;
    ok &= fflush(f) == 0;
    ok &= fsync(fileno(f)) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        diag_fail(d, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return RLSC_ERR_USAGE;
    }
    return RLSC_OK;
}
