/*
 * cli.c — what the commands share: parsing the options a command accepts
 * (its row's OPT_ bits), and one run: an arena, a Diag on stderr, the
 * catalog and the compilation, output written only after success (the
 * SQL streamed as it is produced, once compiling has succeeded), and the
 * count of errors at the end.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cli_usage_error(const char *fmt, const char *arg)
{
    fputs("rlsc: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'rlsc --help'.\n", stderr);
    return RLSC_ERR_USAGE;
}

/* A migration as --after and --run-before name it: NAME (of this app)
 * or APP.NAME, of letters, digits and _. */
static bool migration_ref_ok(const char *s)
{
    int parts = 0;
    for (;;) {
        size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        if (n == 0 || ++parts > 2)
            return false;
        s += n;
        if (!*s)
            return true;
        if (*s++ != '.')
            return false;
    }
}

/* --target NAME into *out; false for a target rlsc does not know. */
static bool target_named(const char *name, LowerTarget *out)
{
    if (strcmp(name, "postgres") == 0)
        *out = LOWER_POSTGRES;
    else if (strcmp(name, "citus") == 0)
        *out = LOWER_CITUS;
    else
        return false;
    return true;
}

/* a is the option name, alone or as name=VALUE. */
static bool option_is(const char *a, const char *name)
{
    size_t n = strlen(name);
    return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

static bool format_known(const char *const *formats, const char *name)
{
    for (; formats && *formats; formats++)
        if (strcmp(*formats, name) == 0)
            return true;
    return false;
}

/* "--format 'value': give text, markdown or html" (the command's formats)
 * into buf. */
static void format_refusal(char *buf, size_t size, const char *const *formats, const char *value)
{
    size_t len = (size_t)snprintf(buf, size, "--format '%s': give", value);
    for (int i = 0; formats[i] && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                i == 0 ? " " : formats[i + 1] ? ", " : " or ", formats[i]);
}

/* The options of c in argv into o; returns RLSC_OK or the exit status of
 * a usage error.  A command that takes no files calls every argument it
 * cannot use unexpected, a value missing after --db included. */
static int parse_options(const Command *c, int argc, char **argv, Options *o)
{
    memset(o, 0, sizeof *o);
    o->files = calloc((size_t)argc + 1, sizeof(char *));
    o->after = calloc((size_t)argc + 1, sizeof(char *));
    o->run_before = calloc((size_t)argc + 1, sizeof(char *));
    o->renamed = calloc((size_t)argc + 1, sizeof(char *));
    o->deleted = calloc((size_t)argc + 1, sizeof(char *));
    if (!o->files || !o->after || !o->run_before || !o->renamed || !o->deleted)
        return RLSC_ERR_USAGE;
    bool files = c->options & (OPT_FILES | OPT_TABLES), django = c->options & OPT_DJANGO;
    const char *unknown = files ? "unknown option '%s'" : "unexpected argument '%s'";
    const char *no_value = files ? "%s needs a value" : unknown;
    bool only_files = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (files && (only_files || a[0] != '-' || strcmp(a, "-") == 0)) {
            o->files[o->nfiles++] = a;
        } else if (files && strcmp(a, "--") == 0) {
            only_files = true;
        } else if (((c->options & OPT_FORMAT) && option_is(a, "--format"))
                   || ((c->options & OPT_AGAINST) && option_is(a, "--against"))) {
            size_t n = strcspn(a, "=");
            const char *v = a[n] == '=' ? a + n + 1 : i + 1 < argc ? argv[++i] : NULL;
            if (!v)
                return cli_usage_error(no_value, a);
            const char **into = a[2] == 'f' ? &o->format : &o->against;
            if (*into)
                return cli_usage_error("%s is given twice", a[2] == 'f' ? "--format" : "--against");
            *into = v;
        } else if ((c->options & OPT_DOWN) && strcmp(a, "--down") == 0) {
            o->down = true;
        } else if (django && strcmp(a, "--check") == 0) {
            o->check = true;
        } else if (django && strcmp(a, "--dry-run") == 0) {
            o->dry_run = true;
        } else if (django
                   && (strcmp(a, "--migrations") == 0 || strcmp(a, "--name") == 0
                       || strcmp(a, "--app") == 0)) {
            if (i + 1 >= argc)
                return cli_usage_error(no_value, a);
            *(a[2] == 'm' ? &o->migrations : a[2] == 'n' ? &o->name : &o->app) = argv[++i];
        } else if (django && (strcmp(a, "--after") == 0 || strcmp(a, "--run-before") == 0)) {
            if (i + 1 >= argc)
                return cli_usage_error(no_value, a);
            const char *v = argv[++i];
            if (!migration_ref_ok(v))
                return cli_usage_error(a[2] == 'a' ? "--after '%s': a migration is NAME or "
                                                     "APP.NAME (letters, digits and _)"
                                                   : "--run-before '%s': a migration is NAME "
                                                     "or APP.NAME (letters, digits and _)", v);
            if (a[2] == 'a')
                o->after[o->nafter++] = v;
            else
                o->run_before[o->nrun_before++] = v;
        } else if (django && (strcmp(a, "--renamed") == 0 || strcmp(a, "--deleted") == 0)) {
            if (i + 1 >= argc)
                return cli_usage_error(no_value, a);
            if (a[2] == 'r')
                o->renamed[o->nrenamed++] = argv[++i];
            else
                o->deleted[o->ndeleted++] = argv[++i];
        } else if (((c->options & OPT_CATALOG) && strcmp(a, "--catalog") == 0)
                   || ((c->options & OPT_DB) && strcmp(a, "--db") == 0)) {
            if (i + 1 >= argc)
                return cli_usage_error(no_value, a);
            *(a[2] == 'c' ? &o->catalog : &o->db) = argv[++i];
        } else if ((c->options & OPT_TARGET)
                   && (strcmp(a, "--target") == 0 || strncmp(a, "--target=", 9) == 0)) {
            if (!a[8] && i + 1 >= argc)
                return cli_usage_error(no_value, a);
            const char *v = a[8] ? a + 9 : argv[++i];
            if (!target_named(v, &o->target))
                return cli_usage_error("--target '%s': the targets are postgres (the default) "
                                       "and citus", v);
        } else if ((c->options & OPT_CATALOG) && strncmp(a, "--catalog=", 10) == 0) {
            o->catalog = a + 10;
        } else if ((c->options & OPT_DB) && strncmp(a, "--db=", 5) == 0) {
            o->db = a + 5;
        } else {
            return cli_usage_error(unknown, a);
        }
    }
    if (o->format && !format_known(c->formats, o->format)) {
        char refusal[256];
        format_refusal(refusal, sizeof refusal, c->formats, o->format);
        return cli_usage_error("%s", refusal);
    }
    o->sarif = o->format && strcmp(o->format, "sarif") == 0;
    if (o->against && !*o->against)
        return cli_usage_error("%s", "--against needs a file");
    /* check and test take both: the catalog from the file (a Django
     * project's models name their tables, which a database cannot say),
     * the database to compare with or run in */
    if (o->catalog && o->db && !(c->options & OPT_RUN_DB))
        return cli_usage_error("%s", "give --catalog or --db, not both");
    if ((c->options & OPT_FILES) && o->nfiles == 0 && !(django && o->app))
        return cli_usage_error("%s", django ? "no input files (an app without .rls files: "
                                              "give --app LABEL)" : "no input files");
    if (django) {
        if (!o->migrations)
            return cli_usage_error("%s", "django needs --migrations DIR");
        if (o->name && !util_is_identifier(o->name))
            return cli_usage_error("--name '%s': use letters, digits and _", o->name);
        if (o->app && !util_is_identifier(o->app))
            return cli_usage_error("--app '%s': an app label is a Python identifier", o->app);
        if (o->ndeleted && o->nfiles)
            return cli_usage_error("%s", "--deleted removes the policies of tables Django "
                                         "deletes and compiles nothing: give no FILE.rls");
    }
    return RLSC_OK;
}

int cli_begin(Cli *cli, const Command *c, int argc, char **argv)
{
    cli->arena = NULL;
    int rc = parse_options(c, argc, argv, &cli->opt);
    if (rc != RLSC_OK)
        return rc;
    cli->arena = arena_new();
    diag_init(&cli->diag, cli->arena, stderr);
    cli->lint = (c->options & OPT_LINT) != 0;
    if (cli->opt.sarif)
        diag_collect(&cli->diag);
    return RLSC_OK;
}

int cli_compile(Cli *cli, Ir **ir)
{
    Arena *a = cli->arena;
    Diag *d = &cli->diag;
    const Options *o = &cli->opt;
    *ir = NULL;
    Catalog *cat = cat_new(a);
    cat_add_prelude(cat, d);
    int rc = RLSC_OK;
    if (o->catalog) {
        AstFile *f = parse_file(a, d, o->catalog);
        if (!f)
            return RLSC_ERR_USAGE;
        cat_add_file(cat, d, f, true);
        rc = d->errors ? RLSC_ERR_INPUT : RLSC_OK;
    } else if (o->db) {
        rc = cat_load_pg(cat, d, o->db);
    }
    if (rc == RLSC_OK) {
        diag_hold(d, true); /* nothing but messages is written meanwhile */
        rc = cli->lint ? compile_lint(a, d, o->files, o->nfiles, cat, o->target, ir)
                       : compile_files_for(a, d, o->files, o->nfiles, cat, o->target, ir);
        diag_hold(d, false);
    }
    return rc;
}

int cli_write_stdout(Cli *cli, const char *s, size_t n)
{
    if (fwrite(s, 1, n, stdout) != n || fflush(stdout) != 0) {
        diag_fail(&cli->diag, "cannot write output: %s", strerror(errno));
        return RLSC_ERR_USAGE;
    }
    return RLSC_OK;
}

void cli_stdout_begin(Cli *cli, StrBuf *out)
{
    sb_init_sink(out, cli->arena, stdout);
}

int cli_stdout_end(Cli *cli, StrBuf *out)
{
    sb_flush(out, true);
    if (!out->err)
        return RLSC_OK;
    /* stdout is the user's to redirect: nothing can take back what went
     * out before, so say that it is incomplete (a script missing its
     * COMMIT, which psql rolls back) */
    if (out->flushed)
        diag_fail(&cli->diag, "cannot write output: %s; the output written before is incomplete",
                  strerror(out->err));
    else
        diag_fail(&cli->diag, "cannot write output: %s", strerror(out->err));
    return RLSC_ERR_USAGE;
}

int cli_end(Cli *cli, int rc)
{
    if (cli->arena) {
        int errors = cli->diag.errors;
        if (errors && !cli->diag.collect)
            fprintf(cli->diag.out, "rlsc: %d error%s\n", errors, errors == 1 ? "" : "s");
        arena_free(cli->arena);
    }
    free(cli->opt.files);
    free(cli->opt.after);
    free(cli->opt.run_before);
    free(cli->opt.renamed);
    free(cli->opt.deleted);
    return rc;
}
