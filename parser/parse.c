/*
 * parse.c — the parse driver: reads a file, registers it with the
 * diagnostics, and runs the scanner and parser over it.  It also holds
 * the scanner's keyword table, built from kwlist.h.
 */
#include "parse.h"
#include "parser.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The scanner's keyword table, in kwlist.h's order (sorted by word). */
static const struct {
    const char *word;
    int token;
} keywords[] = {
#define RLS_KEYWORD(word, token, category) {word, token},
#include "kwlist.h"
#undef RLS_KEYWORD
};

const char *lex_keyword_text(const char *word, int *token)
{
    /* kwlist.h is sorted: binary search. */
    int lo = 0, hi = (int)(sizeof keywords / sizeof keywords[0]) - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        /* most steps differ in the first byte: no strcmp call for those */
        int c = (unsigned char)word[0] - (unsigned char)keywords[mid].word[0];
        if (c == 0 && word[0])
            c = strcmp(word + 1, keywords[mid].word + 1);
        if (c == 0) {
            *token = keywords[mid].token;
            return keywords[mid].word;
        }
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    *token = 0;
    return NULL;
}

int lex_keyword(const char *word)
{
    int token;
    lex_keyword_text(word, &token);
    return token;
}

bool parse_is_keyword(const char *word) { return lex_keyword(word) != 0; }

AstFile *parse_source(Arena *a, Diag *d, const char *path, const char *text,
                      int len)
{
    ParseState ps = {0};
    ps.arena = a;
    ps.diag = d;
    ps.src = diag_add_file(d, path, text, len);
    ps.file = arena_alloc(a, sizeof *ps.file);
    ps.file->src = ps.src;
    lex_parse(&ps);
    return ps.file;
}

AstFile *parse_file(Arena *a, Diag *d, const char *path)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        diag_fail(d, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    StrBuf sb;
    sb_init(&sb, a);
    int err = util_read_all(f, &sb);
    if (!is_stdin)
        fclose(f);
    if (err) {
        diag_fail(d, "cannot read %s: %s", path, strerror(err));
        return NULL;
    }
    if (sb.len > (size_t)1 << 30) {
        diag_fail(d, "%s is too large", path);
        return NULL;
    }
    return parse_source(a, d, is_stdin ? "<stdin>" : path, sb.data, (int)sb.len);
}
