/*
 * util.c — the arena, string buffers, pointer vectors and the string map.
 *
 * Everything a compilation allocates comes from one Arena and is released
 * by arena_free; nothing is freed piecemeal, so leaks are impossible by
 * construction and the error paths need no cleanup code.
 */
#include "rlsc.h"

#include <stdlib.h>
#include <string.h>

typedef struct Chunk {
    struct Chunk *next;
    size_t size, used;
    max_align_t data[]; /* keeps every allocation max-aligned */
} Chunk;

struct Arena {
    Chunk *head;
    size_t total;
};

enum { CHUNK_MIN = 64 * 1024 };

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fputs("rlsc: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

Arena *arena_new(void)
{
    Arena *a = xmalloc(sizeof *a);
    a->head = NULL;
    a->total = 0;
    return a;
}

void arena_free(Arena *a)
{
    if (!a)
        return;
    for (Chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

void *arena_alloc(Arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    Chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        size_t cap = size > CHUNK_MIN ? size : CHUNK_MIN;
        c = xmalloc(sizeof(Chunk) + cap);
        c->size = cap;
        c->used = 0;
        /* A large one-off allocation goes behind the current chunk so the
         * rest of the current chunk is not wasted. */
        if (a->head && cap == size) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    a->total += size;
    memset(p, 0, size);
    return p;
}

size_t arena_used(const Arena *a) { return a->total; }

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(Arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

static char *arena_vprintf(Arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

/* ---- StrBuf */

void sb_init(StrBuf *sb, Arena *a)
{
    sb->arena = a;
    sb->cap = 64;
    sb->len = 0;
    sb->data = arena_alloc(a, sb->cap);
}

static void sb_reserve(StrBuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return;
    size_t cap = sb->cap * 2;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    char *p = arena_alloc(sb->arena, cap);
    memcpy(p, sb->data, sb->len);
    sb->data = p;
    sb->cap = cap;
}

void sb_putn(StrBuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void sb_puts(StrBuf *sb, const char *s) { sb_putn(sb, s, strlen(s)); }

void sb_putc(StrBuf *sb, char c) { sb_putn(sb, &c, 1); }

void sb_printf(StrBuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    sb_reserve(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

const char *sb_str(StrBuf *sb) { return sb->data; }

/* ---- PtrVec */

void vec_push(Arena *a, PtrVec *v, void *item)
{
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 8;
        void **items = arena_alloc(a, sizeof(void *) * (size_t)cap);
        if (v->n)
            memcpy(items, v->items, sizeof(void *) * (size_t)v->n);
        v->items = items;
        v->cap = cap;
    }
    v->items[v->n++] = item;
}

/* ---- Map */

typedef struct MapSlot {
    const char *key;
    void *val;
} MapSlot;

struct Map {
    Arena *arena;
    MapSlot *slots;
    size_t cap, n; /* cap is a power of two */
};

uint32_t util_hash32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

Map *map_new(Arena *a)
{
    Map *m = arena_alloc(a, sizeof *m);
    m->arena = a;
    m->cap = 16;
    m->slots = arena_alloc(a, sizeof(MapSlot) * m->cap);
    return m;
}

static MapSlot *map_slot(MapSlot *slots, size_t cap, const char *key)
{
    size_t i = util_hash32(key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

void *map_get(const Map *m, const char *key)
{
    MapSlot *s = map_slot(m->slots, m->cap, key);
    return s->key ? s->val : NULL;
}

void *map_put(Map *m, const char *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap * 2;
        MapSlot *slots = arena_alloc(m->arena, sizeof(MapSlot) * cap);
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key)
                *map_slot(slots, cap, m->slots[i].key) = m->slots[i];
        m->slots = slots;
        m->cap = cap;
    }
    MapSlot *s = map_slot(m->slots, m->cap, key);
    if (s->key)
        return s->val;
    s->key = key;
    s->val = val;
    m->n++;
    return val;
}
