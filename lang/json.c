/*
 * json.c — a recursive-descent JSON reader (RFC 8259) into an arena.
 * libpg_query's parse trees are its only input: objects, arrays, strings
 * with \uXXXX escapes (surrogate pairs become one UTF-8 sequence), numbers
 * kept as written, true/false/null.  Nesting is bounded so a hostile input
 * cannot exhaust the stack.
 */
#include "json.h"

#include <stdlib.h>

enum { JSON_MAX_DEPTH = 1000 };

typedef struct JsonReader {
    Arena *arena;
    const char *s;   /* the text */
    size_t pos;
    const char *err; /* the first error, or NULL */
} JsonReader;

static Json *json_value(JsonReader *r, int depth);

static void json_fail(JsonReader *r, const char *what)
{
    if (!r->err)
        r->err = arena_printf(r->arena, "%s at offset %zu", what, r->pos);
}

static void json_skip_ws(JsonReader *r)
{
    while (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' || r->s[r->pos] == '\n' ||
           r->s[r->pos] == '\r')
        r->pos++;
}

static Json *json_new(JsonReader *r, JsonKind kind)
{
    Json *v = arena_alloc(r->arena, sizeof *v);
    v->kind = kind;
    return v;
}

static int json_hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static void json_put_utf8(StrBuf *sb, unsigned long cp)
{
    if (cp < 0x80) {
        sb_putc(sb, (char)cp);
    } else if (cp < 0x800) {
        sb_putc(sb, (char)(0xC0 | (cp >> 6)));
        sb_putc(sb, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        sb_putc(sb, (char)(0xE0 | (cp >> 12)));
        sb_putc(sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sb_putc(sb, (char)(0x80 | (cp & 0x3F)));
    } else {
        sb_putc(sb, (char)(0xF0 | (cp >> 18)));
        sb_putc(sb, (char)(0x80 | ((cp >> 12) & 0x3F)));
        sb_putc(sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sb_putc(sb, (char)(0x80 | (cp & 0x3F)));
    }
}

/* At the opening quote; returns the decoded string or NULL. */
static const char *json_string(JsonReader *r)
{
    StrBuf sb;
    sb_init(&sb, r->arena);
    r->pos++;
    for (;;) {
        unsigned char c = (unsigned char)r->s[r->pos];
        if (c == '"') {
            r->pos++;
            return sb_str(&sb);
        }
        if (c < 0x20) {
            json_fail(r, c ? "control character in a string" : "unterminated string");
            return NULL;
        }
        if (c != '\\') {
            sb_putc(&sb, (char)c);
            r->pos++;
            continue;
        }
        char e = r->s[r->pos + 1];
        r->pos += 2;
        switch (e) {
        case '"': sb_putc(&sb, '"'); break;
        case '\\': sb_putc(&sb, '\\'); break;
        case '/': sb_putc(&sb, '/'); break;
        case 'b': sb_putc(&sb, '\b'); break;
        case 'f': sb_putc(&sb, '\f'); break;
        case 'n': sb_putc(&sb, '\n'); break;
        case 'r': sb_putc(&sb, '\r'); break;
        case 't': sb_putc(&sb, '\t'); break;
        case 'u': {
            int hi = json_hex4(r->s + r->pos);
            if (hi < 0) {
                json_fail(r, "bad \\u escape");
                return NULL;
            }
            r->pos += 4;
            unsigned long cp = (unsigned long)hi;
            if (hi >= 0xD800 && hi < 0xDC00 && r->s[r->pos] == '\\' && r->s[r->pos + 1] == 'u') {
                int lo = json_hex4(r->s + r->pos + 2);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + (((unsigned long)hi - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
                    r->pos += 6;
                }
            }
            if (cp == 0 || (cp >= 0xD800 && cp < 0xE000)) {
                json_fail(r, "\\u escape that is no character");
                return NULL;
            }
            json_put_utf8(&sb, cp);
            break;
        }
        default:
            json_fail(r, "bad escape");
            return NULL;
        }
    }
}

static Json *json_number(JsonReader *r)
{
    size_t start = r->pos;
    if (r->s[r->pos] == '-')
        r->pos++;
    if (!(r->s[r->pos] >= '0' && r->s[r->pos] <= '9')) {
        json_fail(r, "unexpected character");
        return NULL;
    }
    while (strchr("0123456789.eE+-", r->s[r->pos]) && r->s[r->pos])
        r->pos++;
    Json *v = json_new(r, JSON_NUMBER);
    v->str = arena_strndup(r->arena, r->s + start, r->pos - start);
    return v;
}

static bool json_word(JsonReader *r, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(r->s + r->pos, w, n) != 0)
        return false;
    r->pos += n;
    return true;
}

/* An array or object: items (and keys) collected, then copied into place. */
static Json *json_compound(JsonReader *r, int depth, bool object)
{
    Json *v = json_new(r, object ? JSON_OBJECT : JSON_ARRAY);
    PtrVec items = {0}, keys = {0};
    char close = object ? '}' : ']';
    r->pos++;
    json_skip_ws(r);
    if (r->s[r->pos] == close) {
        r->pos++;
        return v;
    }
    for (;;) {
        json_skip_ws(r);
        if (object) {
            if (r->s[r->pos] != '"') {
                json_fail(r, "expected a key");
                return NULL;
            }
            const char *k = json_string(r);
            if (!k)
                return NULL;
            vec_push(r->arena, &keys, (void *)k);
            json_skip_ws(r);
            if (r->s[r->pos] != ':') {
                json_fail(r, "expected ':'");
                return NULL;
            }
            r->pos++;
        }
        Json *item = json_value(r, depth + 1);
        if (!item)
            return NULL;
        vec_push(r->arena, &items, item);
        json_skip_ws(r);
        if (r->s[r->pos] == ',') {
            r->pos++;
            continue;
        }
        if (r->s[r->pos] == close) {
            r->pos++;
            break;
        }
        json_fail(r, object ? "expected ',' or '}'" : "expected ',' or ']'");
        return NULL;
    }
    v->n = items.n;
    v->items = (Json **)items.items;
    v->keys = (const char **)keys.items;
    return v;
}

static Json *json_value(JsonReader *r, int depth)
{
    if (depth > JSON_MAX_DEPTH) {
        json_fail(r, "nesting too deep");
        return NULL;
    }
    json_skip_ws(r);
    switch (r->s[r->pos]) {
    case '{': return json_compound(r, depth, true);
    case '[': return json_compound(r, depth, false);
    case '"': {
        const char *s = json_string(r);
        if (!s)
            return NULL;
        Json *v = json_new(r, JSON_STRING);
        v->str = s;
        return v;
    }
    case 't':
    case 'f':
    case 'n': {
        Json *v = NULL;
        if (json_word(r, "true")) {
            v = json_new(r, JSON_BOOL);
            v->b = true;
        } else if (json_word(r, "false")) {
            v = json_new(r, JSON_BOOL);
        } else if (json_word(r, "null")) {
            v = json_new(r, JSON_NULL);
        } else {
            json_fail(r, "unexpected word");
        }
        return v;
    }
    default:
        return json_number(r);
    }
}

Json *json_parse(Arena *a, const char *text, const char **err)
{
    JsonReader r = {a, text, 0, NULL};
    Json *v = json_value(&r, 0);
    if (v) {
        json_skip_ws(&r);
        if (r.s[r.pos]) {
            json_fail(&r, "text after the value");
            v = NULL;
        }
    }
    if (!v)
        *err = r.err;
    return v;
}

const Json *json_get(const Json *v, const char *key)
{
    if (!v || v->kind != JSON_OBJECT)
        return NULL;
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0)
            return v->items[i];
    return NULL;
}

const char *json_get_str(const Json *v, const char *key)
{
    const Json *s = json_get(v, key);
    return s && s->kind == JSON_STRING ? s->str : NULL;
}
