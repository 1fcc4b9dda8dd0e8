/*
 * unit.c — the CUnit runner and the fixture behind unit.h.
 *
 * Runs every suite with the basic interface in verbose mode, prints CUnit's
 * summary, and exits 1 when an assertion or test failed or the registry
 * reported an error, so `make check` sees failures.
 */
#include "unit.h"

#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the fixture: one per test, created by set-up, freed by tear-down */

static struct {
    Arena *arena;
    Diag diag;
    FILE *out;        /* the Diag's memstream */
    char *buf;        /* its buffer, owned by the stream until fclose */
    size_t len;
} fx;

static void fx_close_stream(void)
{
    if (fx.out)
        fclose(fx.out);
    free(fx.buf);
    fx.out = NULL;
    fx.buf = NULL;
    fx.len = 0;
}

/* A fresh Diag for the next compilation; earlier results stay in the arena. */
static Diag *fx_new_diag(void)
{
    fx_close_stream();
    fx.out = open_memstream(&fx.buf, &fx.len);
    if (!fx.out) {
        perror("unit: open_memstream");
        abort();
    }
    diag_init(&fx.diag, fx.arena, fx.out);
    return &fx.diag;
}

static void fx_setup(void)
{
    fx.arena = arena_new();
    fx_new_diag();
}

static void fx_teardown(void)
{
    fx_close_stream();
    arena_free(fx.arena);
    fx.arena = NULL;
}

/* CU_get_error() only keeps the last call's status, so failures to
 * register are remembered here for main. */
static bool registry_failed;

void unit_add_suite(const char *name, CU_TestInfo *tests)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown(name, NULL, NULL,
                                                       fx_setup, fx_teardown);
    if (!s) {
        fprintf(stderr, "unit: cannot add suite %s: %s\n", name, CU_get_error_msg());
        registry_failed = true;
        return;
    }
    for (CU_TestInfo *t = tests; t->pName; t++)
        if (!CU_add_test(s, t->pName, t->pTestFunc)) {
            fprintf(stderr, "unit: cannot add test %s: %s\n", t->pName, CU_get_error_msg());
            registry_failed = true;
        }
}

Arena *u_arena(void) { return fx.arena; }

static AstFile *fx_parse(Diag *d, const char *path, const char *src)
{
    return parse_source(fx.arena, d, path, src, (int)strlen(src));
}

AstFile *u_parse(const char *src)
{
    return fx_parse(fx_new_diag(), "test.rls", src);
}

/* As rlsc's compile does, from strings: the built-in prelude and the
 * catalog file (if any) first, then parse every file, resolve (even after
 * syntax errors, so one run shows all), type, and lower only when nothing
 * failed. */
static Ir *fx_compile(const char *catalog, const char *const *srcs, int n)
{
    Diag *d = fx_new_diag();
    Catalog *cat = cat_new(fx.arena);
    cat_add_prelude(cat, d);
    if (catalog)
        cat_add_file(cat, d, fx_parse(d, "catalog.rls", catalog), true);
    AstFile **files = arena_alloc(fx.arena, sizeof(AstFile *) * (size_t)n);
    for (int i = 0; i < n; i++)
        files[i] = fx_parse(d, n == 1 ? "test.rls" : arena_printf(fx.arena, "test%d.rls", i + 1),
                            srcs[i]);
    resolve_files(fx.arena, d, files, n, cat);
    for (int i = 0; i < n; i++)
        cat_add_file(cat, d, files[i], false);
    typecheck_files(fx.arena, d, files, n, cat);
    if (d->errors)
        return NULL;
    Ir *ir = lower_files(fx.arena, d, files, n);
    return d->errors ? NULL : ir;
}

Ir *u_compile(const char *src) { return fx_compile(NULL, &src, 1); }

Ir *u_compile_files(const char *const *srcs, int n) { return fx_compile(NULL, srcs, n); }

Ir *u_compile_with_catalog(const char *catalog, const char *src)
{
    return fx_compile(catalog, &src, 1);
}

int u_compile_isolated(const char *src)
{
    /* The child reports 50 + errors, so that a sanitizer's exit status
     * (ASan exits 1) or a signal reads as a crash. */
    enum { BASE = 50, MAX = 50 };
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        u_compile(src);
        _exit(BASE + (u_errors() < MAX ? u_errors() : MAX)); /* no leak check here */
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)
        || WEXITSTATUS(status) < BASE || WEXITSTATUS(status) > BASE + MAX)
        return -1;
    return WEXITSTATUS(status) - BASE;
}

const char *u_sql(const char *src, bool down, bool txn)
{
    Ir *ir = u_compile(src);
    if (!ir)
        return NULL;
    StrBuf sb;
    sb_init(&sb, fx.arena);
    emit_sql(&sb, ir, down, txn);
    return sb_str(&sb);
}

const char *u_cond(const char *cond)
{
    const char *src = arena_printf(fx.arena, "policy p on t using (%s);", cond);
    AstFile *f = u_parse(src);
    if (fx.diag.errors || f->policies.n != 1)
        return NULL;
    const Rule *r = f->policies.items[0];
    StrBuf sb;
    sb_init(&sb, fx.arena);
    sqlfmt_expr(&sb, r->using_, NULL);
    return sb_str(&sb);
}

int u_errors(void) { return fx.diag.errors; }
int u_warnings(void) { return fx.diag.warnings; }

const char *u_messages(void)
{
    if (!fx.out)
        return "";
    fflush(fx.out);
    return arena_strndup(fx.arena, fx.buf ? fx.buf : "", fx.len);
}

IrTable *u_table(const Ir *ir, const char *name)
{
    for (int i = 0; ir && i < ir->tables.n; i++) {
        IrTable *t = ir->tables.items[i];
        if (strcmp(t->name, name) == 0)
            return t;
    }
    return NULL;
}

IrPolicy *u_policy(const IrTable *t, const char *name)
{
    for (int i = 0; t && i < t->policies.n; i++) {
        IrPolicy *p = t->policies.items[i];
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

const char *u_text(Span s)
{
    for (int i = 0; i < fx.diag.files.n; i++) {
        const SrcFile *f = fx.diag.files.items[i];
        if (s.start >= f->base && s.start <= s.end && s.end <= f->base + f->len)
            return arena_strndup(fx.arena, f->text + (s.start - f->base),
                                 (size_t)(s.end - s.start));
    }
    return "<bad span>";
}

bool u_file_is(FILE *f, const StrBuf *sb)
{
    StrBuf back;
    sb_init(&back, fx.arena);
    rewind(f);
    int err = util_read_all(f, &back);
    fclose(f);
    return !err && back.len == sb->len && memcmp(back.data, sb->data, sb->len) == 0;
}

int u_count(const char *hay, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = hay; hay && len && (p = strstr(p, needle)); p += len)
        n++;
    return n;
}

/* ---- assertions: CUnit copies the message, so an arena string will do */

static void u_report(bool ok, const char *msg, int line, const char *file)
{
    CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned)line, msg, file,
                            "", CU_FALSE);
}

void u_assert_str(const char *actual, const char *expected, const char *what,
                  int line, const char *file)
{
    bool ok = actual && expected && strcmp(actual, expected) == 0;
    u_report(ok,
             ok ? what
                : arena_printf(fx.arena, "%s\n        got:  %s%s%s\n        want: \"%s\"",
                               what, actual ? "\"" : "", actual ? actual : "NULL",
                               actual ? "\"" : "", expected),
             line, file);
}

void u_assert_int(long actual, long expected, const char *what, int line,
                  const char *file)
{
    bool ok = actual == expected;
    u_report(ok,
             ok ? what
                : arena_printf(fx.arena, "%s: got %ld, want %ld", what, actual,
                               expected),
             line, file);
}

void u_assert_has(const char *hay, const char *needle, bool want,
                  const char *what, int line, const char *file)
{
    bool ok = hay && (strstr(hay, needle) != NULL) == want;
    u_report(ok,
             ok ? what
                : arena_printf(fx.arena, "%s %s \"%s\"; it is:\n%s", what,
                               want ? "lacks" : "contains", needle,
                               hay ? hay : "NULL"),
             line, file);
}

/* ---- util: the arena, StrBuf, Map and diag_suggest everything rests on
 * (here rather than in a test_util.c, which Makefile.am does not list) */

static void test_map_holds_10k_keys_across_growth(void)
{
    Arena *a = u_arena();
    Map *m = map_new(a);
    enum { N = 10000 };
    int *vals = arena_alloc(a, sizeof(int) * N);
    for (int i = 0; i < N; i++) {
        vals[i] = i;
        map_put(m, arena_printf(a, "key%d", i), &vals[i]);
    }
    int found = 0;
    for (int i = 0; i < N; i++) {
        int *v = map_get(m, arena_printf(a, "key%d", i));
        found += v && *v == i;
    }
    ASSERT_INT(found, N);
    CU_ASSERT_PTR_NULL(map_get(m, "key10000"));
    CU_ASSERT_PTR_NULL(map_get(m, ""));
}

static void test_map_put_keeps_the_first_value(void)
{
    Map *m = map_new(u_arena());
    int one = 1, two = 2;
    CU_ASSERT_PTR_EQUAL(map_put(m, "k", &one), &one);
    /* the duplicate is refused: map_put returns the stored value */
    CU_ASSERT_PTR_EQUAL(map_put(m, "k", &two), &one);
    CU_ASSERT_PTR_EQUAL(map_get(m, "k"), &one);
}

static void test_strbuf_grows_and_stays_nul_terminated(void)
{
    StrBuf sb;
    sb_init(&sb, u_arena());
    for (int i = 0; i < 1000; i++)
        sb_printf(&sb, "%03d,", i);
    sb_putc(&sb, '!');
    sb_putn(&sb, "xyz", 2);
    ASSERT_INT(sb.len, 4000 + 1 + 2);
    ASSERT_INT(strlen(sb_str(&sb)), sb.len);
    CU_ASSERT(strncmp(sb_str(&sb), "000,001,", 8) == 0);
    ASSERT_STR(sb_str(&sb) + 3992, "998,999,!xy");
}

/* StrBufs and vectors grow in place while they are the arena's newest
 * allocation and are copied otherwise; sb_str gives the unused room back. */
static void test_buffers_built_side_by_side_keep_their_text(void)
{
    Arena *a = u_arena();
    StrBuf x, y;
    sb_init(&x, a);
    sb_init(&y, a);
    PtrVec v = {0};
    for (int i = 0; i < 300; i++) {
        sb_printf(&x, "x%d,", i);
        if (i % 7 == 0)
            sb_printf(&y, "y%d,", i);
        vec_push(a, &v, (void *)(intptr_t)i);
        if (i % 50 == 0)
            arena_alloc(a, 24); /* something in between */
    }
    const char *xs = sb_str(&x), *ys = sb_str(&y);
    CU_ASSERT(strncmp(xs, "x0,x1,x2,", 9) == 0);
    ASSERT_STR(xs + x.len - 10, "x298,x299,");
    ASSERT_STR(ys + y.len - 5, "y294,");
    int ok = 0;
    for (int i = 0; i < v.n; i++)
        ok += (intptr_t)v.items[i] == i;
    ASSERT_INT(ok, 300);
    /* appending after sb_str grows the trimmed buffer again */
    sb_puts(&y, "end");
    ASSERT_STR(sb_str(&y) + y.len - 8, "y294,end");
}

/* sb_str gives back room that was written to: what the arena hands out
 * there next must still be zeroed. */
static void test_room_given_back_comes_out_zeroed(void)
{
    Arena *a = u_arena();
    StrBuf sb;
    sb_init(&sb, a);
    for (int i = 0; i < 40; i++)
        sb_puts(&sb, "dirty bytes ");
    sb.len = 1;
    sb.data[1] = '\0';
    ASSERT_STR(sb_str(&sb), "d");
    unsigned char *p = arena_alloc(a, 256);
    int zero = 0;
    for (int i = 0; i < 256; i++)
        zero += p[i] == 0;
    ASSERT_INT(zero, 256);
}

/* A StrBuf with a sink writes its text out at sb_flush, and keeps the
 * first failed write with how much had gone out before it. */
static void test_sink_streams_and_keeps_the_first_failed_write(void)
{
    Arena *a = u_arena();
    FILE *f = tmpfile();
    CU_ASSERT_FATAL(f != NULL);
    StrBuf sb, all;
    sb_init_sink(&sb, a, f);
    sb_init(&all, a);
    for (int i = 0; i < 20000; i++) {
        sb_printf(&sb, "line %d\n", i);
        sb_printf(&all, "line %d\n", i);
        sb_flush(&sb, false);
        CU_ASSERT(sb.len < 64 * 1024 + 16);
    }
    sb_flush(&sb, true);
    ASSERT_INT(sb.err, 0);
    ASSERT_INT(sb.flushed, all.len);
    CU_ASSERT(u_file_is(f, &all));

    /* a sink that takes 100 KiB, unbuffered so a write fails at once */
    char *mem = arena_alloc(a, 100 * 1024);
    FILE *small = fmemopen(mem, 100 * 1024, "w");
    CU_ASSERT_FATAL(small != NULL);
    setvbuf(small, NULL, _IONBF, 0);
    sb_init_sink(&sb, a, small);
    for (int i = 0; i < 20000; i++) {
        sb_printf(&sb, "line %d\n", i);
        sb_flush(&sb, false);
    }
    sb_flush(&sb, true);
    fclose(small);
    CU_ASSERT(sb.err != 0);
    ASSERT_INT(sb.flushed, 100 * 1024);
}

static void test_arena_serves_large_and_aligned_blocks(void)
{
    Arena *a = u_arena();
    char *small = arena_alloc(a, 3);
    char *big = arena_alloc(a, 1 << 20); /* larger than a chunk */
    char *after = arena_alloc(a, 5);
    big[(1 << 20) - 1] = 'x'; /* ASan: the whole block is usable */
    CU_ASSERT((uintptr_t)small % _Alignof(void *) == 0);
    CU_ASSERT((uintptr_t)after % _Alignof(double) == 0);
    CU_ASSERT((uintptr_t)after % _Alignof(long long) == 0);
    CU_ASSERT(after[0] == 0 && after[4] == 0); /* zeroed */
    ASSERT_STR(arena_printf(a, "%s-%d", "a", 42), "a-42");
}

static void test_fnv1a_hash_is_pinned(void)
{
    /* Policy names embed this hash: it must never change. */
    ASSERT_INT(util_hash32(""), 2166136261u);
    ASSERT_INT(util_hash32("a"), 0xe40c292cu);
    ASSERT_INT(util_hash32("foobar"), 0xbf9cf968u);
}

/* diag_hold keeps messages back and writes them whole, in order: in
 * blocks while more than 64 KiB wait, the rest when it ends. */
static void test_held_messages_come_out_whole_and_in_order(void)
{
    Arena *a = u_arena();
    char *buf = NULL, *plain = NULL;
    size_t len = 0, plain_len = 0;
    FILE *held = open_memstream(&buf, &len), *direct = open_memstream(&plain, &plain_len);
    CU_ASSERT_FATAL(held && direct);
    Diag d, e;
    diag_init(&d, a, held);
    diag_init(&e, a, direct);
    const char *text = "table t {\n  allow select;\n}\n";
    diag_add_file(&d, "t.rls", text, (int)strlen(text));
    diag_add_file(&e, "t.rls", text, (int)strlen(text));
    diag_hold(&d, true);
    for (int i = 0; i < 3; i++)
        diag_warning(&d, (Span){6, 7}, "warning %d", i);
    fflush(held);
    ASSERT_INT(len, 0); /* held back */
    for (int i = 3; i < 3000; i++)
        diag_warning(&d, (Span){6, 7}, "warning %d", i);
    diag_error(&d, (Span){12, 17}, "an error");
    fflush(held);
    CU_ASSERT(len >= 64 * 1024); /* written in blocks meanwhile */
    diag_hold(&d, false);
    diag_warning(&d, (Span){6, 7}, "after");
    for (int i = 0; i < 3000; i++)
        diag_warning(&e, (Span){6, 7}, "warning %d", i);
    diag_error(&e, (Span){12, 17}, "an error");
    diag_warning(&e, (Span){6, 7}, "after");
    fclose(held);
    fclose(direct);
    CU_ASSERT_FATAL(buf && plain);
    ASSERT_INT(len, plain_len);
    CU_ASSERT(strcmp(buf, plain) == 0);
    ASSERT_INT(d.warnings, 3001);
    ASSERT_INT(d.errors, 1);
    free(buf);
    free(plain);
}

static void test_diag_suggest_picks_the_closest_candidate(void)
{
    const char *const names[] = {"tenant", "user", "org"};
    ASSERT_STR(diag_suggest("tenat", names, 3), "tenant");
    ASSERT_STR(diag_suggest("usr", names, 3), "user");
    ASSERT_STR(diag_suggest("tneant", names, 3), "tenant"); /* transposition */
    CU_ASSERT_PTR_NULL(diag_suggest("region", names, 3));  /* nothing close */
    CU_ASSERT_PTR_NULL(diag_suggest("tenant", names, 3));  /* itself is no hint */
    CU_ASSERT_PTR_NULL(diag_suggest("x", names, 0));
}

static CU_TestInfo util_tests[] = {
    {"Map holds 10k keys across growth", test_map_holds_10k_keys_across_growth},
    {"Map put keeps the first value", test_map_put_keeps_the_first_value},
    {"StrBuf grows and stays NUL-terminated", test_strbuf_grows_and_stays_nul_terminated},
    {"buffers built side by side keep their text", test_buffers_built_side_by_side_keep_their_text},
    {"room given back comes out zeroed", test_room_given_back_comes_out_zeroed},
    {"a sink streams and keeps the first failed write", test_sink_streams_and_keeps_the_first_failed_write},
    {"arena serves large and aligned blocks", test_arena_serves_large_and_aligned_blocks},
    {"FNV-1a hash is pinned", test_fnv1a_hash_is_pinned},
    {"held messages come out whole and in order", test_held_messages_come_out_whole_and_in_order},
    {"diag_suggest picks the closest candidate", test_diag_suggest_picks_the_closest_candidate},
    CU_TEST_INFO_NULL,
};

void add_util_suite(void) { unit_add_suite("util", util_tests); }

/* ---- main */

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "unit: %s\n", CU_get_error_msg());
        return 1;
    }
    add_util_suite();
    add_lexer_suite();
    add_parser_suite();
    add_types_suite();
    add_lower_suite();
    add_emit_suite();
    add_import_suite();
    if (registry_failed) {
        CU_cleanup_registry();
        return 1;
    }

    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_ErrorCode rc = CU_basic_run_tests(); /* prints the summary */
    bool failed = rc != CUE_SUCCESS || CU_get_number_of_failures() != 0
                  || CU_get_number_of_tests_failed() != 0
                  || CU_get_number_of_suites_failed() != 0;
    if (rc != CUE_SUCCESS)
        fprintf(stderr, "unit: %s\n", CU_get_error_msg());
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
