/*
 * diag_sarif.c — the diagnostics of a run as one SARIF 2.1.0 log, for
 * code-scanning tools (`rlsc check --format sarif`).
 *
 * Every message becomes a result: warnings with their id as ruleId,
 * errors without one as `rlsc-error`, failures with no place in the input
 * (no database, an unreadable file) as `rlsc-failure`.  Notes go with the
 * message before them as relatedLocations; warnings a pragma silenced are
 * listed with an inSource suppression, as SARIF says.  Columns count code
 * points (columnKind), as the text output does.  Paths and messages may
 * hold any byte: strings are escaped and bytes that are not UTF-8 become
 * U+FFFD, so the log is valid JSON whatever the input.
 */
#include "diag.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static int sarif_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    int len;
    unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if ((size_t)len > n || s[1] < lo || s[1] > hi)
        return 0;
    for (int i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

static void sarif_string(StrBuf *sb, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    sb_putc(sb, '"');
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c == '"' || c == '\\') {
            sb_putc(sb, '\\');
            sb_putc(sb, (char)c);
            i++;
        } else if (c == '\n') {
            sb_puts(sb, "\\n");
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            sb_printf(sb, "\\u%04x", c);
            i++;
        } else {
            int len = sarif_utf8_len(s + i, n - i);
            if (len == 0) {
                sb_puts(sb, "\\ufffd");
                i++;
            } else {
                sb_putn(sb, (const char *)s + i, (size_t)len);
                i += (size_t)len;
            }
        }
    }
    sb_putc(sb, '"');
}

/* A path as a relative URI reference: bytes other than unreserved ones
 * and '/' percent-encoded. */
static void sarif_uri(StrBuf *sb, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    sb_putc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
            || strchr("-._~/", *p))
            sb_putc(sb, (char)*p);
        else {
            sb_putc(sb, '%');
            sb_putc(sb, hex[*p >> 4]);
            sb_putc(sb, hex[*p & 15]);
        }
    }
    sb_putc(sb, '"');
}

/* `"physicalLocation": {...}` of at, or nothing (false) when at has no
 * place in a file. */
static bool sarif_physical(StrBuf *sb, const Diag *d, Span at)
{
    int line, col, eline, ecol;
    const SrcFile *f = diag_position(d, at.start, &line, &col);
    if (!f)
        return false;
    int end = at.end > at.start ? at.end : at.start + 1;
    if (end > f->base + f->len)
        end = f->base + f->len;
    if (!diag_position(d, end, &eline, &ecol) || end <= at.start) {
        eline = line;
        ecol = col + 1;
    }
    sb_puts(sb, "\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
    sarif_uri(sb, f->path);
    sb_printf(sb, "}, \"region\": {\"startLine\": %d, \"startColumn\": %d, "
                  "\"endLine\": %d, \"endColumn\": %d}}",
              line + 1, col, eline + 1, ecol);
    return true;
}

static const char *sarif_rule_id(const DiagRecord *r)
{
    if (r->id)
        return r->id;
    return strcmp(r->level, "note") == 0 ? "rlsc-note" : "rlsc-error";
}

/* The generic ids, after diag_rules in the driver's rules. */
static const DiagRule sarif_generic[] = {
    {"rlsc-error", "error", "an error in the input: the files do not compile, or differ from the database"},
    {"rlsc-failure", "failure", "rlsc could not run: a file cannot be read, no database"},
    {"rlsc-note", "note", "a note without a message before it"},
};

static int sarif_rule_index(const char *id)
{
    for (int i = 0; i < diag_nrules; i++)
        if (strcmp(diag_rules[i].id, id) == 0)
            return i;
    for (int i = 0; i < (int)(sizeof sarif_generic / sizeof *sarif_generic); i++)
        if (strcmp(sarif_generic[i].id, id) == 0)
            return diag_nrules + i;
    return -1;
}

static void sarif_rule(StrBuf *sb, const DiagRule *r, const char *level, bool first)
{
    sb_puts(sb, first ? "\n        " : ",\n        ");
    sb_puts(sb, "{\"id\": ");
    sarif_string(sb, r->id);
    sb_puts(sb, ", \"name\": ");
    sarif_string(sb, r->name);
    sb_puts(sb, ", \"shortDescription\": {\"text\": ");
    sarif_string(sb, r->why);
    sb_printf(sb, "}, \"defaultConfiguration\": {\"level\": \"%s\"}}", level);
}

void diag_write_sarif(Diag *d, StrBuf *sb, const char *version)
{
    sb_puts(sb, "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
                "  \"version\": \"2.1.0\",\n  \"runs\": [{\n"
                "    \"tool\": {\"driver\": {\"name\": \"rlsc\", \"version\": ");
    sarif_string(sb, version);
    sb_puts(sb, ", \"rules\": [");
    for (int i = 0; i < diag_nrules; i++)
        sarif_rule(sb, &diag_rules[i], "warning", i == 0);
    for (int i = 0; i < (int)(sizeof sarif_generic / sizeof *sarif_generic); i++)
        sarif_rule(sb, &sarif_generic[i], i == 2 ? "note" : "error", false);
    sb_puts(sb, "]}},\n    \"columnKind\": \"unicodeCodePoints\",\n    \"results\": [");
    for (int i = 0; i < d->records.n; i++) {
        const DiagRecord *r = d->records.items[i];
        const char *id = sarif_rule_id(r);
        sb_puts(sb, i ? ",\n      {" : "\n      {");
        sb_puts(sb, "\"ruleId\": ");
        sarif_string(sb, id);
        int index = sarif_rule_index(id);
        if (index >= 0)
            sb_printf(sb, ", \"ruleIndex\": %d", index);
        sb_printf(sb, ", \"level\": \"%s\", \"message\": {\"text\": ", r->level);
        sarif_string(sb, r->msg);
        sb_puts(sb, "}, \"locations\": [");
        size_t mark = sb->len;
        sb_puts(sb, "{");
        if (sarif_physical(sb, d, r->at))
            sb_puts(sb, "}");
        else
            sb->len = mark; /* no place in the input: no location */
        sb_puts(sb, "]");
        if (r->notes.n) {
            sb_puts(sb, ", \"relatedLocations\": [");
            for (int k = 0; k < r->notes.n; k++) {
                const DiagRecord *nr = r->notes.items[k];
                sb_printf(sb, "%s{\"id\": %d, ", k ? ", " : "", k);
                if (sarif_physical(sb, d, nr->at))
                    sb_puts(sb, ", ");
                sb_puts(sb, "\"message\": {\"text\": ");
                sarif_string(sb, nr->msg);
                sb_puts(sb, "}}");
            }
            sb_puts(sb, "]");
        }
        if (r->silenced)
            sb_puts(sb, ", \"suppressions\": [{\"kind\": \"inSource\"}]");
        sb_puts(sb, "}");
    }
    sb_puts(sb, d->records.n ? "\n    ]\n  }]\n}\n" : "]\n  }]\n}\n");
}
