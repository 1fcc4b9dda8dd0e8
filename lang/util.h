/*
 * util.h — exit statuses, arena, growable strings, vectors, maps, and SQL
 * quoting: what every stage uses.  Module prefixes arena_ sb_ vec_ map_ util_
 * sqlfmt_; the exit statuses are RLSC_.
 */
#ifndef RLSC_UTIL_H
#define RLSC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The exit status of rlsc (DESIGN section 5, fixed), and what every
 * function that decides one returns. */
enum RlscStatus {
    RLSC_OK = 0,        /* success; warnings do not change it */
    RLSC_ERR_INPUT = 1, /* errors in the input (policy or catalog files), a
                         * failed test, drift under `django --check` */
    RLSC_ERR_USAGE = 2, /* the command could not run: bad usage, an unreadable
                         * file or directory, no database, output that
                         * cannot be written */
};

typedef struct Arena Arena;

Arena *arena_new(void);
void arena_free(Arena *a);
/* Zeroed, aligned for any pointer, integer or double: nothing rlsc keeps
 * needs more (no long double), and 16-byte alignment padded the nodes a
 * large input has hundreds of thousands of. */
void *arena_alloc(Arena *a, size_t size);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A growable string kept in an arena; always NUL-terminated. */
typedef struct StrBuf {
    Arena *arena;
    char *data;
    size_t len, cap;
    struct Big *big; /* past 1 MiB the buffer grows in place (util.c) */
    FILE *sink;      /* NULL, or where sb_flush writes the text */
    size_t flushed;  /* bytes sb_flush handed to sink */
    int err;         /* errno of the first failed write to sink, or 0 */
} StrBuf;

void sb_init(StrBuf *sb, Arena *a);
/* A StrBuf whose text goes to f as it is produced: a large output (145 MB
 * of SQL for 50,000 tables) is streamed, not held whole in memory. */
void sb_init_sink(StrBuf *sb, Arena *a, FILE *f);
/* Says that the text so far is final.  With a sink, writes it out and
 * empties the buffer once 64 KiB are held, or always with all (which
 * also flushes f); without one, does nothing.  After a failed write the
 * rest of the text is dropped and err keeps the first error. */
void sb_flush(StrBuf *sb, bool all);
void sb_putc(StrBuf *sb, char c);
void sb_putn(StrBuf *sb, const char *s, size_t n);
/* Inline, so that a literal's length is known when compiling: the
 * emitters write most of a script as literals. */
static inline void sb_puts(StrBuf *sb, const char *s) { sb_putn(sb, s, strlen(s)); }
void sb_printf(StrBuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *sb_str(StrBuf *sb);

/* A growable array of pointers kept in an arena. */
typedef struct PtrVec {
    void **items;
    int n, cap;
} PtrVec;

void vec_push(Arena *a, PtrVec *v, void *item);
/* Room for n items in all, when the count is known or close to it. */
void vec_reserve(Arena *a, PtrVec *v, int n);
/* Sorts a vector of strings by strcmp (byte order). */
void vec_sort_strings(PtrVec *v);

/* String-keyed hash map (open addressing) kept in an arena. */
typedef struct Map Map;

Map *map_new(Arena *a);
void *map_get(const Map *m, const char *key);
/* Inserts key -> val unless key is present; returns the value now stored. */
void *map_put(Map *m, const char *key, void *val);
/* Gives key, which must be present, the value val. */
void map_set(Map *m, const char *key, void *val);

uint32_t util_hash32(const char *s); /* FNV-1a, stable across platforms */
void util_md5_hex(const char *s, size_t n, char out[33]);
/* s[0..n) with ASCII letters folded to lower case, as SQL folds names. */
char *util_lower(Arena *a, const char *s, size_t n);
/* An ASCII identifier: a Django app label or migration name. */
bool util_is_identifier(const char *s);
/* The offset of the first byte of s[0..n) that is not valid UTF-8 (as
 * PostgreSQL's UTF8 encoding accepts it), or n when all of it is. */
size_t util_utf8_invalid(const char *s, size_t n);
/* Reads all of f into sb; returns 0 or the errno of a read error. */
int util_read_all(FILE *f, StrBuf *sb);


/* SQL text (sqlfmt.c) */
/* Always double-quotes, doubling embedded quotes. */
void sqlfmt_ident(StrBuf *sb, const char *name);
/* schema.name, each part quoted; schema may be NULL. */
void sqlfmt_qname(StrBuf *sb, const char *schema, const char *name);
/* A string literal; E'' with doubled backslashes when the value has a
 * backslash, so the text means the same under any setting. */
void sqlfmt_literal(StrBuf *sb, const char *value);

#endif
