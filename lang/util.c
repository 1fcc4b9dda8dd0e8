/*
 * util.c — the arena, string buffers, pointer vectors and the string map.
 *
 * Everything a compilation allocates comes from one Arena and is released
 * by arena_free; nothing is freed piecemeal, so leaks are impossible by
 * construction and the error paths need no cleanup code.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef struct Chunk {
    struct Chunk *next;
    size_t size, used;
    size_t mapped; /* bytes mmap'd for it, or 0: from calloc */
    max_align_t data[];
} Chunk;

/* A large block kept outside the chunks (a big StrBuf, a big map's
 * slots), so it can grow with realloc or be replaced without leaving the
 * old copy behind; freed with the arena like everything else. */
typedef struct Big {
    struct Big *next;
    void *ptr;
    size_t mapped; /* ptr was mmap'd with this size (big_take), or 0 */
} Big;

struct Arena {
    Chunk *head;
    Big *bigs;
    size_t next_size; /* of the next chunk: doubles up to CHUNK_MAX */
};

/* Chunks double so that a large compilation needs few of them, up to
 * 4 MiB, which arena_chunk maps in huge pages. */
enum { CHUNK_MIN = 64 * 1024, CHUNK_MAX = 4 * 1024 * 1024 };

static void oom(void)
{
    fputs("rlsc: out of memory\n", stderr);
    exit(2);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        oom();
    return p;
}

Arena *arena_new(void)
{
    Arena *a = xmalloc(sizeof *a);
    a->head = NULL;
    a->bigs = NULL;
    a->next_size = CHUNK_MIN;
    return a;
}

void arena_free(Arena *a)
{
    if (!a)
        return;
    for (Chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        if (c->mapped)
            munmap(c, c->mapped);
        else
            free(c);
    }
    for (Big *b = a->bigs, *next; b; b = next) {
        next = b->next;
        if (b->mapped)
            munmap(b->ptr, b->mapped);
        else
            free(b->ptr);
        free(b);
    }
    free(a);
}

static Big *arena_big(Arena *a)
{
    Big *b = xmalloc(sizeof *b);
    b->ptr = NULL;
    b->mapped = 0;
    b->next = a->bigs;
    a->bigs = b;
    return b;
}

enum { HUGE_PAGE = 2 * 1024 * 1024 };

/* n zeroed bytes straight from the system, or NULL. */
static void *util_map(size_t n)
{
#ifdef MAP_ANONYMOUS
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
#else
    (void)n;
    return NULL;
#endif
}

/* n zeroed bytes for a Big block that is replaced as it grows (a map's
 * slots): mapped apart, so the old block goes back to the system when it
 * is replaced, where freed into malloc's heap it stayed resident. */
static void *big_take(size_t n)
{
#ifdef MAP_ANONYMOUS
    void *p = util_map(n);
#else
    void *p = calloc(1, n);
#endif
    if (!p)
        oom();
    return p;
}

/* b's block becomes p, of n bytes from big_take; the old one is freed. */
static void big_replace(Big *b, void *p, size_t n)
{
    if (b->ptr) {
#ifdef MAP_ANONYMOUS
        munmap(b->ptr, b->mapped);
#else
        free(b->ptr);
#endif
    }
    b->ptr = p;
#ifdef MAP_ANONYMOUS
    b->mapped = n;
#else
    (void)n;
#endif
}

/* A zeroed chunk of cap bytes.  A chunk of whole 2 MiB pages is mapped
 * on a 2 MiB boundary and offered transparent huge pages: touching a
 * large compilation's memory page by page cost a quarter of its run time
 * in page faults. */
static Chunk *arena_chunk(size_t cap)
{
    size_t total = sizeof(Chunk) + cap;
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
    if (total % HUGE_PAGE == 0) {
        char *p = util_map(total + HUGE_PAGE);
        if (p) {
            size_t lead = (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
            if (lead)
                munmap(p, lead);
            munmap(p + lead + total, HUGE_PAGE - lead);
            Chunk *c = (Chunk *)(p + lead);
            madvise(c, total, MADV_HUGEPAGE);
            c->mapped = total;
            return c;
        }
    }
#endif
    Chunk *c = calloc(1, total);
    if (!c)
        oom();
    return c;
}

/*
 * size bytes at the given alignment (a power of two), zeroed.  Chunks come
 * zeroed (arena_chunk) and the arena keeps every byte past `used` zero
 * (see arena_resize_last), so nothing is zeroed here: zeroing each
 * allocation again cost a sixth of the run time.  Strings take alignment
 * 1, so short names are not padded.
 */
static void *arena_take(Arena *a, size_t size, size_t align)
{
    if (size == 0)
        size = 1;
    Chunk *c = a->head;
    size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
    if (!c || at > c->size || c->size - at < size) {
        /* A large allocation gets a chunk of its own behind the current
         * one, so the rest of the current chunk is not wasted. */
        size_t room = a->next_size - sizeof(Chunk); /* chunks of whole pages */
        bool alone = c && size > room / 4;
        size_t cap = alone || size > room ? size : room;
        Chunk *n = arena_chunk(cap);
        n->size = cap;
        n->used = 0;
        if (alone) {
            n->next = c->next;
            c->next = n;
            n->used = size;
            return n->data;
        }
        if (a->next_size < CHUNK_MAX)
            a->next_size *= 2;
        n->next = c;
        a->head = c = n;
        at = 0;
    }
    c->used = at + size;
    return (char *)c->data + at;
}

/* The strictest alignment of what arena_alloc holds (util.h). */
typedef union ArenaAlign {
    void *p;
    double d;
    long long ll;
    size_t z;
} ArenaAlign;

void *arena_alloc(Arena *a, size_t size)
{
    return arena_take(a, size, _Alignof(ArenaAlign));
}

/* Resizes p, the arena's newest allocation of old bytes, to size bytes
 * where it is; false when p is not the newest or its chunk has no room.
 * Shrinking zeroes what it gives back, which keeps arena_take's promise. */
static bool arena_resize_last(Arena *a, void *p, size_t old, size_t size)
{
    Chunk *c = a->head;
    if (!c || (char *)p + old != (char *)c->data + c->used)
        return false;
    size_t at = (size_t)((char *)p - (char *)c->data);
    if (size > c->size - at)
        return false;
    if (size < old)
        memset((char *)p + size, 0, old - size);
    c->used = at + size;
    return true;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = arena_take(a, n + 1, 1);
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
    char *p = arena_take(a, (size_t)n + 1, 1);
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

char *util_lower(Arena *a, const char *s, size_t n)
{
    char *t = arena_strndup(a, s, n);
    for (char *p = t; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return t;
}

bool util_is_identifier(const char *s)
{
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'
              || (p != s && *p >= '0' && *p <= '9')))
            return false;
    return *s != '\0';
}

/* ---- StrBuf */

size_t util_utf8_invalid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* lengths and the range of the second byte, which excludes
         * overlong forms, surrogates and code points past U+10FFFF */
        size_t len;
        unsigned lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf)
            len = 2;
        else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            lo = c == 0xe0 ? 0xa0 : 0x80;
            hi = c == 0xed ? 0x9f : 0xbf;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf;
        } else
            return i;
        if (i + len > n || u[i + 1] < lo || u[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; k++)
            if (u[i + k] < 0x80 || u[i + k] > 0xbf)
                return i;
        i += len;
    }
    return n;
}

void sb_init(StrBuf *sb, Arena *a)
{
    sb->arena = a;
    sb->big = NULL;
    sb->sink = NULL;
    sb->flushed = 0;
    sb->err = 0;
    sb->cap = 32;
    sb->len = 0;
    sb->data = arena_take(a, sb->cap, 1);
}

enum { SB_FLUSH = 64 * 1024 };

void sb_init_sink(StrBuf *sb, Arena *a, FILE *f)
{
    sb_init(sb, a);
    sb->sink = f;
}

void sb_flush(StrBuf *sb, bool all)
{
    if (!sb->sink || (!all && sb->len < SB_FLUSH))
        return;
    if (!sb->err && sb->len) {
        errno = 0;
        size_t n = fwrite(sb->data, 1, sb->len, sb->sink);
        sb->flushed += n;
        if (n != sb->len)
            sb->err = errno ? errno : EIO;
    }
    if (all && !sb->err) {
        errno = 0;
        if (fflush(sb->sink) != 0)
            sb->err = errno ? errno : EIO;
    }
    sb->len = 0;
    sb->data[0] = '\0';
}

enum { SB_BIG = 1 << 20 };

static void sb_reserve(StrBuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return;
    size_t cap = sb->cap * 2;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    if (cap >= SB_BIG) {
        /* Past a megabyte, grow with realloc: doubling in the arena would
         * keep every old copy until the end. */
        Big *b = sb->big ? sb->big : arena_big(sb->arena);
        char *p = realloc(b->ptr, cap);
        if (!p)
            oom();
        if (!b->ptr)
            memcpy(p, sb->data, sb->len + 1);
        b->ptr = p;
        sb->big = b;
        sb->data = p;
        sb->cap = cap;
        return;
    }
    /* A buffer still being written is usually the newest allocation:
     * it grows where it is, without a copy or a discarded old one. */
    if (!arena_resize_last(sb->arena, sb->data, sb->cap, cap)) {
        char *p = arena_take(sb->arena, cap, 1);
        memcpy(p, sb->data, sb->len + 1);
        sb->data = p;
    }
    sb->cap = cap;
}

void sb_putn(StrBuf *sb, const char *s, size_t n)
{
    if (sb->len + n + 1 > sb->cap)
        sb_reserve(sb, n);
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void sb_putc(StrBuf *sb, char c)
{
    if (sb->len + 2 > sb->cap)
        sb_reserve(sb, 1);
    sb->data[sb->len++] = c;
    sb->data[sb->len] = '\0';
}

void sb_printf(StrBuf *sb, const char *fmt, ...)
{
    /* formatted once when the text fits in what the buffer has left */
    va_list ap;
    va_start(ap, fmt);
    size_t room = sb->cap - sb->len;
    int n = vsnprintf(sb->data + sb->len, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < room) {
        sb->len += (size_t)n;
        return;
    }
    sb->data[sb->len] = '\0';
    sb_reserve(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

const char *sb_str(StrBuf *sb)
{
    /* The text is usually complete when it is asked for: the arena takes
     * back the room it does not use (possible while it is the newest
     * allocation; a later append grows it again). */
    if (!sb->big && arena_resize_last(sb->arena, sb->data, sb->cap, sb->len + 1))
        sb->cap = sb->len + 1;
    return sb->data;
}

int util_read_all(FILE *f, StrBuf *sb)
{
    /* straight into the buffer's free room, 64 KiB at a time */
    enum { STEP = 65536 };
    size_t n;
    errno = 0;
    do {
        if (sb->len + STEP + 1 > sb->cap)
            sb_reserve(sb, STEP);
        n = fread(sb->data + sb->len, 1, STEP, f);
        sb->len += n;
        sb->data[sb->len] = '\0';
    } while (n > 0);
    return ferror(f) ? (errno ? errno : EIO) : 0;
}

/* ---- PtrVec */

/* v's array with room for cap items: grown where it is when it is the
 * arena's newest allocation, else copied. */
static void vec_grow(Arena *a, PtrVec *v, int cap)
{
    size_t old = sizeof(void *) * (size_t)v->cap, size = sizeof(void *) * (size_t)cap;
    if (!v->cap || !arena_resize_last(a, v->items, old, size)) {
        void **items = arena_take(a, size, _Alignof(void *));
        if (v->n)
            memcpy(items, v->items, sizeof(void *) * (size_t)v->n);
        v->items = items;
    }
    v->cap = cap;
}

void vec_push(Arena *a, PtrVec *v, void *item)
{
    /* from two: most vectors of a policy file hold one or two items (a
     * rule's roles, an IN list) */
    if (v->n == v->cap)
        vec_grow(a, v, v->cap ? v->cap * 2 : 2);
    v->items[v->n++] = item;
}

void vec_reserve(Arena *a, PtrVec *v, int n)
{
    if (n > v->cap)
        vec_grow(a, v, n);
}

static int vec_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void vec_sort_strings(PtrVec *v)
{
    if (v->n > 1) /* qsort of NULL, even for none, is undefined */
        qsort(v->items, (size_t)v->n, sizeof v->items[0], vec_cmp_str);
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
    Big *big;      /* holds slots once they outgrow MAP_SMALL */
};

/* Slot arrays larger than this live outside the chunks, so growing a big
 * map frees the old array instead of leaving it in the arena. */
enum { MAP_SMALL = 1024 };

uint32_t util_hash32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

/* The maps' own hash: eight bytes at a step, where util_hash32 (pinned:
 * policy names embed it) takes one.  Interning hashes every condition a
 * large input lowers; only this process sees these values. */
static size_t map_hash(const char *key)
{
    size_t n = strlen(key);
    uint64_t h = 0x9e3779b97f4a7c15u ^ n, w;
    for (; n >= 8; key += 8, n -= 8) {
        memcpy(&w, key, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9u;
        h ^= h >> 31;
    }
    w = 0;
    memcpy(&w, key, n);
    h = (h ^ w) * 0x94d049bb133111ebu;
    return (size_t)(h ^ (h >> 29));
}

Map *map_new(Arena *a)
{
    Map *m = arena_alloc(a, sizeof *m);
    m->arena = a;
    m->cap = 16;
    m->slots = arena_alloc(a, sizeof(MapSlot) * m->cap);
    return m;
}

/* The slot of key, or the empty one where it would go.  (Keeping each
 * key's hash in its slot saved no measurable time and cost a third more
 * memory: the load stays at most 1/2, so probes are short.) */
static MapSlot *map_slot(MapSlot *slots, size_t cap, const char *key, size_t h)
{
    size_t i = h & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

void *map_get(const Map *m, const char *key)
{
    MapSlot *s = map_slot(m->slots, m->cap, key, map_hash(key));
    return s->key ? s->val : NULL;
}

void *map_put(Map *m, const char *key, void *val)
{
    size_t h = map_hash(key);
    MapSlot *s = map_slot(m->slots, m->cap, key, h);
    if (s->key)
        return s->val;
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap * 2;
        MapSlot *slots;
        if (cap <= MAP_SMALL)
            slots = arena_alloc(m->arena, sizeof(MapSlot) * cap);
        else
            slots = big_take(sizeof(MapSlot) * cap);
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key) {
                MapSlot *to = &slots[map_hash(m->slots[i].key) & (cap - 1)];
                while (to->key)
                    to = to == &slots[cap - 1] ? slots : to + 1;
                *to = m->slots[i];
            }
        if (cap > MAP_SMALL) {
            if (!m->big)
                m->big = arena_big(m->arena);
            big_replace(m->big, slots, sizeof(MapSlot) * cap);
        }
        m->slots = slots;
        m->cap = cap;
        s = map_slot(slots, cap, key, h);
    }
    s->key = key;
    s->val = val;
    m->n++;
    return val;
}

void map_set(Map *m, const char *key, void *val)
{
    MapSlot *s = map_slot(m->slots, m->cap, key, map_hash(key));
    if (s->key)
        s->val = val;
}

/* ---- MD5 (RFC 1321), for Django's truncate_name(): a table name longer
 * than PostgreSQL's 63 bytes becomes name[:59] + md5(name)[:4]. */

static uint32_t md5_rotl(uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }

void util_md5_hex(const char *s, size_t n, char out[33])
{
    static const uint32_t K[64] = {
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
        0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
        0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
        0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
        0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
        0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
        0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
        0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
    static const int R[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    size_t total = ((n + 8) / 64 + 1) * 64;
    for (size_t off = 0; off < total; off += 64) {
        uint32_t w[16];
        for (int i = 0; i < 16; i++) {
            w[i] = 0;
            for (int b = 0; b < 4; b++) {
                size_t at = off + (size_t)i * 4 + (size_t)b;
                uint32_t byte = at < n ? (unsigned char)s[at] : at == n ? 0x80 : 0;
                if (at >= total - 8) /* the length in bits, little-endian */
                    byte = (uint32_t)(((uint64_t)n * 8) >> (8 * (at - (total - 8)))) & 0xff;
                w[i] |= byte << (8 * b);
            }
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
        for (int i = 0; i < 64; i++) {
            uint32_t f;
            int g;
            if (i < 16)
                f = (b & c) | (~b & d), g = i;
            else if (i < 32)
                f = (d & b) | (~d & c), g = (5 * i + 1) % 16;
            else if (i < 48)
                f = b ^ c ^ d, g = (3 * i + 5) % 16;
            else
                f = c ^ (b | ~d), g = (7 * i) % 16;
            uint32_t tmp = d;
            d = c;
            c = b;
            b = b + md5_rotl(a + f + K[i] + w[g], R[i]);
            a = tmp;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d;
    }
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", (h[i / 4] >> (8 * (i % 4))) & 0xff);
}
