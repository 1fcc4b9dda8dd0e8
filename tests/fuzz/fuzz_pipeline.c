/*
 * fuzz_pipeline.c — a libFuzzer target over the whole pipeline.
 *
 * Every input is used several ways, so one corpus serves every front door:
 *
 *  1. As RLSC_STATE text (what a migration file records, and users can
 *     damage): ir_read_state on the raw bytes.  When it is accepted, the
 *     state is written back, read again and written again (the two texts
 *     must be identical), and the IR goes through emit_sql and emit_diff.
 *
 *  2. As a .rls file, through compile_files itself (the input is written
 *     to a private temporary directory, as the CLI reads its files), three
 *     times: untyped (the prelude only), and against each of the catalogs
 *     tests/golden/catalog/shop.rls and examples/billing/catalog.rls
 *     (built in by build.sh), one at a time, as `rlsc --catalog` takes
 *     them.  Each IR goes through emit_sql up and down, emit_diff from and
 *     to nothing and to the other IRs, and the state round trip.
 *
 *  3. When it holds a vertical tab (whitespace to the scanner): the text
 *     before it as a catalog file of its own (`--catalog`), the text after
 *     it as the .rls file checked against it.  So the fuzzer also shapes
 *     catalogs: user models, foreign keys, cascades, permissions.
 *
 *  4. When its .rls part holds a form feed (whitespace too): the parts
 *     before and after it are compiled (against the catalog of 3, else
 *     the first built-in catalog the whole input passed, if any) on their
 *     own and as two files of one compilation, and diffed against each
 *     other as a migration would be.  When the before part reads as a
 *     state, the after part is diffed against it, as `rlsc django` does
 *     against the newest recorded state.
 *
 *  5. As SQL text: emit_statements splits it as `rlsc django` splits a
 *     script into the UP_SQL/DOWN_SQL lists.
 *
 * Invariants (abort() when broken, so libFuzzer keeps the input):
 *  - the text ir_write_state writes is read back by ir_read_state, and
 *    written again gives the same text;
 *  - the diff of an IR against itself, and against its state read back,
 *    is empty (otherwise `rlsc django` writes a migration for nothing);
 *  - the statements emit_statements splits a text into (the input, and
 *    every script emitted) concatenate to exactly that text, and none is
 *    empty (a migration's statement list loses or adds nothing);
 *  - what cat_write writes (`rlsc catalog`) of every catalog used loads
 *    back as a --catalog file without an error and writes the same text;
 *  - the built-in prelude and catalogs load without an error.
 * ASan and UBSan (build.sh) abort on memory errors and undefined
 * behaviour, LeakSanitizer on leaks, libFuzzer on timeouts.
 *
 * Diagnostics go to /dev/null, so their printing (caret lines) runs too.
 * The prelude and the built-in catalogs are parsed once per process, into
 * their own arena; everything else lives in one Arena per input, freed at
 * the end.
 */
#include "rlsc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const char fuzz_catalog_shop[];
extern const char fuzz_catalog_billing[];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

/* Arenas free nothing until the end, so a small quarantine loses little
 * use-after-free detection and saves most of the page faults. */
const char *__asan_default_options(void)
{
    return "quarantine_size_mb=16:detect_leaks=1";
}

static FILE *devnull;
static const Ir empty_ir;

/* The fixed files, the same for every input: parsed once, into an arena
 * and a Diag that live as long as the process.  Each input's Diag starts
 * as a copy of fixed_diag, so spans into these files still print.  The
 * prelude's functions are typed once too (prelude_cat): registering them
 * again for every compilation was most of the time spent per input. */
static Arena *fixed_arena;
static Diag fixed_diag;
static Catalog *prelude_cat;
static const AstFile *catalogs[2]; /* shop.rls, billing's catalog.rls */

/* Where compile_files reads the inputs from: a directory of this process
 * (libFuzzer's -fork and -jobs run several), removed at exit.  The files
 * go as soon as they are read, so a crash (abort skips atexit) leaves at
 * most the directory, and the input of a crash inside compile_files. */
static char tmpdir[4096];
static char tmppath[2][4200];

static void broken(const char *what, const char *first, const char *second)
{
    fprintf(stderr, "fuzz_pipeline: invariant broken: %s\n", what);
    if (first)
        fprintf(stderr, "---- first:\n%s\n", first);
    if (second)
        fprintf(stderr, "---- second:\n%s\n", second);
    abort();
}

static AstFile *parse_fixed(const char *path, const char *text)
{
    AstFile *f = parse_source(fixed_arena, &fixed_diag, path, text, (int)strlen(text));
    if (fixed_diag.errors)
        broken("a built-in file does not parse", path, NULL);
    return f;
}

static void remove_tmpdir(void)
{
    for (int i = 0; i < 2; i++)
        unlink(tmppath[i]);
    rmdir(tmpdir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    devnull = fopen("/dev/null", "w");
    if (!devnull) {
        perror("fuzz_pipeline: /dev/null");
        abort();
    }
    /* tmpfs when there is one: two small writes per compilation */
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/rlsc-fuzz.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("fuzz_pipeline: mkdtemp");
        abort();
    }
    for (int i = 0; i < 2; i++)
        snprintf(tmppath[i], sizeof tmppath[i], "%s/fuzz%d.rls", tmpdir, i);
    atexit(remove_tmpdir);

    fixed_arena = arena_new();
    diag_init(&fixed_diag, fixed_arena, devnull);
    prelude_cat = cat_new(fixed_arena);
    cat_add_prelude(prelude_cat, &fixed_diag);
    if (fixed_diag.errors || !prelude_cat->func_list.n)
        broken("the prelude does not parse", NULL, NULL);
    catalogs[0] = parse_fixed("shop.rls", fuzz_catalog_shop);
    catalogs[1] = parse_fixed("billing-catalog.rls", fuzz_catalog_billing);
    return 0;
}

/* A Diag for one input: fixed_diag's files, then the input's own. */
static void diag_start(Diag *d, Arena *a)
{
    *d = fixed_diag;
    d->arena = a;
    d->files.items = arena_alloc(a, sizeof(void *) * (size_t)(fixed_diag.files.n + 1));
    memcpy(d->files.items, fixed_diag.files.items, sizeof(void *) * (size_t)fixed_diag.files.n);
    d->files.cap = fixed_diag.files.n + 1;
    d->errors = d->warnings = 0;
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

/* What `rlsc catalog` writes is a catalog file: read back with --catalog
 * it loads without an error and is written again as the same text. */
static void catalog_round_trip(Arena *a, Diag *d, const Catalog *cat)
{
    StrBuf sb;
    sb_init(&sb, a);
    cat_write(&sb, cat);
    const char *text = sb_str(&sb);
    Catalog *back = cat_new(a);
    for (int i = 0; i < prelude_cat->func_list.n; i++)
        cat_register_func(back, prelude_cat->func_list.items[i]);
    int errors = d->errors;
    cat_add_file(back, d, parse_source(a, d, "written-catalog.rls", text, (int)sb.len), true);
    if (d->errors != errors)
        broken("what cat_write wrote does not load as a catalog", text, NULL);
    sb_init(&sb, a);
    cat_write(&sb, back);
    if (strcmp(text, sb_str(&sb)) != 0)
        broken("cat_write -> catalog -> cat_write changed the text", text, sb_str(&sb));
}

/* The catalog cli/main.c builds (the prelude's functions, as
 * cat_add_prelude registers them, then --catalog: a built-in one or the
 * text given), then compile_files over the texts.  NULL when rlsc would
 * exit 1. */
static Ir *compile(Arena *a, Diag *d, const char *const *texts, const size_t *lens, int n,
                   const AstFile *catalog, const char *cat_text, size_t cat_len)
{
    d->errors = d->warnings = 0;
    Catalog *cat = cat_new(a);
    for (int i = 0; i < prelude_cat->func_list.n; i++)
        cat_register_func(cat, prelude_cat->func_list.items[i]);
    if (catalog) {
        cat_add_file(cat, d, catalog, true);
        if (d->errors)
            broken("a built-in catalog does not load", catalog->src->path, NULL);
    }
    if (cat_text) {
        cat_add_file(cat, d, parse_source(a, d, "catalog.rls", cat_text, (int)cat_len), true);
        if (d->errors)
            return NULL;
    }
    const char *paths[2];
    for (int i = 0; i < n; i++) {
        write_file(tmppath[i], texts[i], lens[i]);
        paths[i] = tmppath[i];
    }
    Ir *ir;
    int rc = compile_files(a, d, paths, n, cat, &ir);
    for (int i = 0; i < n; i++)
        unlink(tmppath[i]);
    if (rc == 2)
        broken("compile_files cannot read the input back", tmppath[0], NULL);
    if (rc != 0)
        return NULL;
    if (catalog || cat_text)
        catalog_round_trip(a, d, cat);
    return ir;
}

static const char *state_of(Arena *a, const Ir *ir)
{
    StrBuf sb;
    sb_init(&sb, a);
    ir_write_state(&sb, ir);
    return sb_str(&sb);
}

/* The diff from -> to; returns its summary, and its SQL in *sql. */
static const char *diff(Arena *a, const Ir *from, const Ir *to, const char **sql)
{
    StrBuf out, summary;
    sb_init(&out, a);
    sb_init(&summary, a);
    emit_diff(&out, &summary, from, to);
    if (sql)
        *sql = sb_str(&out);
    return sb_str(&summary);
}

static void no_changes(Arena *a, const Ir *x, const Ir *y, const char *what)
{
    const char *sql, *s = diff(a, x, y, &sql);
    if (*s || *sql)
        broken(what, *s ? s : sql, state_of(a, x));
}

/* State round trip of ir; returns the IR read back. */
static Ir *round_trip(Arena *a, const Ir *ir)
{
    const char *s1 = state_of(a, ir);
    Ir *back;
    const char *why = ir_read_state(a, s1, &back, &(int){0});
    if (why)
        broken(arena_printf(a, "ir_read_state refuses what ir_write_state wrote: %s", why), s1,
               NULL);
    const char *s2 = state_of(a, back);
    if (strcmp(s1, s2) != 0)
        broken("state write -> read -> write changed the text", s1, s2);
    return back;
}

/* emit_statements over sql: the pieces, in order, are exactly sql. */
static void split(Arena *a, const char *sql)
{
    PtrVec stmts = {0};
    emit_statements(a, sql, &stmts);
    StrBuf sb;
    sb_init(&sb, a);
    for (int i = 0; i < stmts.n; i++) {
        const char *st = stmts.items[i];
        if (!*st)
            broken(arena_printf(a, "emit_statements: statement %d of %d is empty", i + 1,
                                stmts.n), sql, NULL);
        sb_puts(&sb, st);
    }
    if (strcmp(sb_str(&sb), sql) != 0)
        broken("emit_statements: the statements do not concatenate to the script", sql,
               sb_str(&sb));
}

/* Everything the emitters do with one IR. */
static Ir *exercise(Arena *a, const Ir *ir)
{
    StrBuf sb;
    sb_init(&sb, a);
    emit_sql(&sb, ir, false, true);
    split(a, sb_str(&sb));
    sb_init(&sb, a);
    emit_sql(&sb, ir, true, false);
    split(a, sb_str(&sb));
    diff(a, &empty_ir, ir, NULL);
    diff(a, ir, &empty_ir, NULL);
    Ir *back = round_trip(a, ir);
    no_changes(a, ir, ir, "the diff of an IR with itself is not empty");
    no_changes(a, back, ir, "the diff of an IR with its state read back is not empty");
    no_changes(a, ir, back, "the diff of a state read back with its IR is not empty");
    return back;
}

static void both_ways(Arena *a, const Ir *x, const Ir *y)
{
    if (x && y) {
        const char *sql;
        diff(a, x, y, &sql);
        split(a, sql);
        diff(a, y, x, &sql);
        split(a, sql);
    }
}

/* A NUL-terminated copy, as parse_file and the migration reader have it. */
static char *copy(Arena *a, const char *s, size_t n)
{
    char *t = arena_alloc(a, n + 1);
    memcpy(t, s, n);
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    Arena *a = arena_new();
    Diag d;
    diag_start(&d, a);
    char *text = copy(a, (const char *)data, size);

    /* 1. the raw bytes as a recorded state */
    Ir *state;
    if (!ir_read_state(a, text, &state, &(int){0}))
        exercise(a, state);

    /* 2. the bytes as a .rls file, without and with each built-in catalog */
    const char *whole[1] = {text};
    size_t whole_len[1] = {size};
    Ir *untyped = compile(a, &d, whole, whole_len, 1, NULL, NULL, 0);
    if (untyped)
        exercise(a, untyped);
    const AstFile *with_cat = NULL;
    for (int i = 0; i < 2; i++) {
        Ir *typed = compile(a, &d, whole, whole_len, 1, catalogs[i], NULL, 0);
        if (typed) {
            exercise(a, typed);
            both_ways(a, untyped, typed);
            if (!with_cat)
                with_cat = catalogs[i];
        }
    }

    /* 3. catalog \v policies */
    const char *rls = text, *cat_text = NULL;
    size_t rls_len = size, cat_len = 0;
    const char *vt = memchr(text, '\v', size);
    if (vt) {
        cat_len = (size_t)(vt - text);
        cat_text = copy(a, text, cat_len);
        rls = vt + 1;
        rls_len = size - cat_len - 1;
        with_cat = NULL;
        Ir *typed = compile(a, &d, &rls, &rls_len, 1, NULL, cat_text, cat_len);
        if (typed) {
            exercise(a, typed);
            both_ways(a, untyped, typed);
        }
    }

    /* 4. before and after a form feed: a migration from one to the other */
    const char *ff = memchr(rls, '\f', rls_len);
    if (ff) {
        size_t n1 = (size_t)(ff - rls);
        const char *parts[2] = {copy(a, rls, n1), ff + 1};
        size_t lens[2] = {n1, rls_len - n1 - 1};
        Ir *x = compile(a, &d, parts, lens, 1, with_cat, cat_text, cat_len);
        Ir *y = compile(a, &d, parts + 1, lens + 1, 1, with_cat, cat_text, cat_len);
        Ir *xy = compile(a, &d, parts, lens, 2, with_cat, cat_text, cat_len);
        if (x)
            exercise(a, x);
        if (y)
            exercise(a, y);
        if (xy)
            exercise(a, xy);
        both_ways(a, x, y);
        both_ways(a, x, xy);
        Ir *prev;
        if (y && !ir_read_state(a, parts[0], &prev, &(int){0})) {
            exercise(a, prev);
            both_ways(a, prev, y);
        }
    }

    /* 5. the bytes (up to a NUL) as a script to split into statements */
    split(a, text);
    arena_free(a);
    return 0;
}
