/*
 * main.c — the rlsc command line (DESIGN section 5).
 *
 * Exit status: 0 success; 1 errors in the input; 2 bad usage or an
 * unreadable file.  Output is assembled in memory and written only when
 * the compilation succeeded, so an error never leaves half an output.
 */
#include "rlsc.h"

#include <stdlib.h>
#include <string.h>

enum { EXIT_INPUT = 1, EXIT_USAGE = 2 };

typedef struct Options {
    bool down;
    const char *catalog;
    const char *db;
    const char **files;
    int nfiles;
    /* django */
    const char *migrations, *name, *app;
    bool check, dry_run;
    const char **after, **run_before, **renamed, **deleted; /* as given */
    int nafter, nrun_before, nrenamed, ndeleted;
} Options;

static const char usage_text[] =
    "usage: rlsc COMMAND [OPTIONS] FILE.rls...\n"
    "\n"
    "commands:\n"
    "  check   [--catalog FILE | --db CONNINFO] FILE.rls...   diagnostics only\n"
    "  sql     [--down] [--catalog FILE | --db CONNINFO] FILE.rls...   SQL to stdout\n"
    "  django  --migrations DIR [--check] [--dry-run] [--name NAME] [catalog opts] FILE.rls...\n"
    "          [--app LABEL] [--after MIGRATION]... [--renamed OLD=NEW]...\n"
    "          [--deleted TABLE... --run-before MIGRATION]  (see rlsc help django)\n"
    "  explain FILE.rls...              effective access per table x command x role\n"
    "  catalog --db CONNINFO            catalog .rls from a live database\n"
    "  import  --db CONNINFO [TABLE...] .rls from the policies in a live database\n"
    "  test    --db CONNINFO FILE.rls... run the policy tests in the files\n"
    "  help COMMAND                     help on one command\n"
    "\n"
    "options: --help, --version\n"
    "exit status: 0 success; 1 errors in the input, or drift under django --check;\n"
    "2 bad usage, unreadable files, no database\n";

static const struct {
    const char *name;
    const char *help;
} command_help[] = {
    {"check", "usage: rlsc check [--catalog FILE | --db CONNINFO] FILE.rls...\n"
              "Parses and checks the files; prints diagnostics only.\n"},
    {"sql", "usage: rlsc sql [--down] [--catalog FILE | --db CONNINFO] FILE.rls...\n"
            "Writes the SQL script that applies the policies (with --down: that\n"
            "removes them again) to standard output, as one transaction.\n"},
    {"django", "usage: rlsc django --migrations DIR [--check] [--dry-run] [--name NAME]\n"
               "                   [--catalog FILE | --db CONNINFO] [--app LABEL]\n"
               "                   [--after MIGRATION]... [--run-before MIGRATION]...\n"
               "                   [--renamed OLD=NEW]... FILE.rls...\n"
               "       rlsc django --migrations DIR --app LABEL [options] --deleted TABLE...\n"
               "Writes the next Django migration of the app with the policy changes since\n"
               "the state its latest rlsc migration recorded.  --check: list them and exit 1\n"
               "(0 when there are none); --dry-run: print the migration.\n"
               "What Django's migrations did, as `manage.py makemigrations` passes it:\n"
               "  --app LABEL          the app; without FILE.rls its policies are removed\n"
               "  --after MIGRATION    depend on it (NAME or APP.NAME) instead of the newest file\n"
               "  --run-before MIGRATION  that migration runs after this one\n"
               "  --renamed OLD=NEW    Django renamed the table OLD of the recorded state to NEW:\n"
               "                       its policies moved with it\n"
               "  --deleted TABLE      only remove the policies of TABLE (no FILE.rls), before\n"
               "                       the --run-before migration that deletes it\n"
               "A TABLE is NAME or SCHEMA.NAME as Django names it; double-quote a part that\n"
               "holds '.', '=' or '\"'.\n"},
    {"explain", "usage: rlsc explain FILE.rls...\n"
                "Prints the effective access per table, command and role.\n"},
    {"catalog", "usage: rlsc catalog [--db CONNINFO]\n"
                "Writes a catalog .rls file describing the tables and functions of a live\n"
                "database (without --db, the PG* environment variables say which).\n"},
    {"import", "usage: rlsc import --db CONNINFO [TABLE...]\n"
               "Writes .rls policy statements for the policies of a live database.\n"},
    {"test", "usage: rlsc test --db CONNINFO FILE.rls...\n"
             "Runs the policy tests in the files against a live database.\n"},
};

static int usage_error(const char *fmt, const char *arg)
{
    fputs("rlsc: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'rlsc --help'.\n", stderr);
    return EXIT_USAGE;
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

/* A table of --renamed and --deleted: NAME or SCHEMA.NAME, each part as
 * Django's db_table writes it (case kept) or double-quoted ("" for a
 * quote) to hold '.', '=' or '"'.  Parses s up to stop or its end;
 * returns where it stopped, or NULL when it is not a table name. */
static const char *parse_table_name(Arena *a, const char *s, char stop, IrTableName *out)
{
    const char *parts[2];
    int np = 0;
    for (;;) {
        StrBuf sb;
        sb_init(&sb, a);
        if (*s == '"') {
            for (s++;; s++) {
                if (!*s)
                    return NULL;
                if (*s == '"' && s[1] == '"')
                    sb_putc(&sb, *s++);
                else if (*s == '"')
                    break;
                else
                    sb_putc(&sb, *s);
            }
            s++;
        } else {
            for (; *s && *s != '.' && *s != stop && *s != '"'; s++)
                sb_putc(&sb, *s);
        }
        if (sb.len == 0 || sb.len > 63 || util_utf8_invalid(sb_str(&sb), sb.len) != sb.len)
            return NULL;
        parts[np++] = sb_str(&sb);
        if (*s != '.')
            break;
        if (np == 2)
            return NULL;
        s++;
    }
    if (*s && *s != stop)
        return NULL;
    out->schema = np == 2 ? parts[0] : NULL;
    out->name = parts[np - 1];
    return s;
}

/* Parses the options a compiling command takes; returns 0 or an exit code. */
static int parse_options(int argc, char **argv, const char *cmd, Options *o)
{
    memset(o, 0, sizeof *o);
    o->files = calloc((size_t)argc + 1, sizeof(char *));
    o->after = calloc((size_t)argc + 1, sizeof(char *));
    o->run_before = calloc((size_t)argc + 1, sizeof(char *));
    o->renamed = calloc((size_t)argc + 1, sizeof(char *));
    o->deleted = calloc((size_t)argc + 1, sizeof(char *));
    if (!o->files || !o->after || !o->run_before || !o->renamed || !o->deleted)
        return EXIT_USAGE;
    bool django = strcmp(cmd, "django") == 0;
    bool only_files = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_files || a[0] != '-' || strcmp(a, "-") == 0) {
            o->files[o->nfiles++] = a;
        } else if (strcmp(a, "--") == 0) {
            only_files = true;
        } else if (strcmp(cmd, "sql") == 0 && strcmp(a, "--down") == 0) {
            o->down = true;
        } else if (strcmp(cmd, "django") == 0 && strcmp(a, "--check") == 0) {
            o->check = true;
        } else if (strcmp(cmd, "django") == 0 && strcmp(a, "--dry-run") == 0) {
            o->dry_run = true;
        } else if (django
                   && (strcmp(a, "--migrations") == 0 || strcmp(a, "--name") == 0
                       || strcmp(a, "--app") == 0)) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            *(a[2] == 'm' ? &o->migrations : a[2] == 'n' ? &o->name : &o->app) = argv[++i];
        } else if (django && (strcmp(a, "--after") == 0 || strcmp(a, "--run-before") == 0)) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (!migration_ref_ok(v))
                return usage_error(a[2] == 'a' ? "--after '%s': a migration is NAME or "
                                                 "APP.NAME (letters, digits and _)"
                                               : "--run-before '%s': a migration is NAME or "
                                                 "APP.NAME (letters, digits and _)", v);
            if (a[2] == 'a')
                o->after[o->nafter++] = v;
            else
                o->run_before[o->nrun_before++] = v;
        } else if (django && (strcmp(a, "--renamed") == 0 || strcmp(a, "--deleted") == 0)) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            if (a[2] == 'r')
                o->renamed[o->nrenamed++] = argv[++i];
            else
                o->deleted[o->ndeleted++] = argv[++i];
        } else if (strcmp(a, "--catalog") == 0 || strcmp(a, "--db") == 0) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            *(a[2] == 'c' ? &o->catalog : &o->db) = argv[++i];
        } else if (strncmp(a, "--catalog=", 10) == 0) {
            o->catalog = a + 10;
        } else if (strncmp(a, "--db=", 5) == 0) {
            o->db = a + 5;
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    if (o->catalog && o->db)
        return usage_error("%s", "give --catalog or --db, not both");
    if (o->nfiles == 0 && !(django && o->app))
        return usage_error("%s", django ? "no input files (an app without .rls files: "
                                          "give --app LABEL)" : "no input files");
    if (django) {
        if (!o->migrations)
            return usage_error("%s", "django needs --migrations DIR");
        if (o->name && !util_is_identifier(o->name))
            return usage_error("--name '%s': use letters, digits and _", o->name);
        if (o->app && !util_is_identifier(o->app))
            return usage_error("--app '%s': an app label is a Python identifier", o->app);
        if (o->ndeleted && o->nfiles)
            return usage_error("%s", "--deleted removes the policies of tables Django deletes "
                                     "and compiles nothing: give no FILE.rls");
    }
    return 0;
}

/* The catalog the files are checked against: the prelude, plus --catalog
 * or --db.  Returns 0, 1 (errors in the catalog file) or 2. */
static int load_catalog(Arena *a, Diag *d, const Options *o, Catalog **out)
{
    Catalog *cat = cat_new(a);
    cat_add_prelude(cat, d);
    *out = cat;
    if (o->catalog) {
        AstFile *f = parse_file(a, d, o->catalog);
        if (!f)
            return EXIT_USAGE;
        cat_add_file(cat, d, f, true);
        return d->errors ? EXIT_INPUT : 0;
    }
    if (o->db)
        return cat_load_pg(cat, o->db);
    return 0;
}

/* Writes all of s to stdout; a failed write is an error, not silence. */
static int write_stdout(const char *s, size_t n)
{
    if (fwrite(s, 1, n, stdout) != n || fflush(stdout) != 0) {
        perror("rlsc: cannot write output");
        return EXIT_USAGE;
    }
    return 0;
}

static void free_options(Options *o)
{
    free(o->files);
    free(o->after);
    free(o->run_before);
    free(o->renamed);
    free(o->deleted);
}

/* The tables of --renamed OLD=NEW and --deleted TABLE into dj; returns 0
 * or the exit status of a usage error. */
static int table_options(Arena *a, const Options *o, DjangoOpts *dj)
{
    IrTableName *from = arena_alloc(a, sizeof *from * (size_t)(o->nrenamed + 1));
    IrTableName *to = arena_alloc(a, sizeof *to * (size_t)(o->nrenamed + 1));
    IrTableName *gone = arena_alloc(a, sizeof *gone * (size_t)(o->ndeleted + 1));
    for (int i = 0; i < o->nrenamed; i++) {
        const char *eq = parse_table_name(a, o->renamed[i], '=', &from[i]);
        if (!eq || *eq != '=' || !parse_table_name(a, eq + 1, '\0', &to[i]))
            return usage_error("--renamed '%s': write OLD=NEW, each a table NAME or "
                               "SCHEMA.NAME (a part in double quotes may hold '.', '=' "
                               "or '\"')", o->renamed[i]);
    }
    for (int i = 0; i < o->ndeleted; i++)
        if (!parse_table_name(a, o->deleted[i], '\0', &gone[i]))
            return usage_error("--deleted '%s': a table is NAME or SCHEMA.NAME (a part in "
                               "double quotes may hold '.', '=' or '\"')", o->deleted[i]);
    dj->renamed_from = from;
    dj->renamed_to = to;
    dj->nrenamed = o->nrenamed;
    dj->deleted = gone;
    dj->ndeleted = o->ndeleted;
    return 0;
}

static int run_compile(const char *cmd, int argc, char **argv)
{
    bool is_sql = strcmp(cmd, "sql") == 0, django = strcmp(cmd, "django") == 0;
    Options o;
    int rc = parse_options(argc, argv, cmd, &o);
    if (rc) {
        free_options(&o);
        return rc;
    }
    Arena *a = arena_new();
    Diag d;
    diag_init(&d, a, stderr);
    DjangoOpts dj = {o.migrations, o.name, o.check, o.dry_run, o.files, o.nfiles,
                     o.after, o.nafter, o.run_before, o.nrun_before, NULL, NULL, 0, NULL, 0};
    if (django)
        rc = table_options(a, &o, &dj);
    Ir *ir = NULL;
    Catalog *cat;
    if (rc == 0 && o.nfiles == 0) {
        /* django --app without files: the app keeps no policies (with
         * --deleted, emit_django computes what remains itself) */
        if (!o.ndeleted)
            ir = arena_alloc(a, sizeof *ir);
    } else if (rc == 0) {
        rc = load_catalog(a, &d, &o, &cat);
        if (rc == 0)
            rc = compile_files(a, &d, o.files, o.nfiles, cat, &ir);
    }
    if (rc == 0 && is_sql) {
        StrBuf out;
        sb_init(&out, a);
        emit_sql(&out, ir, o.down, true);
        rc = write_stdout(out.data, out.len);
    }
    if (rc == 0 && django) {
        const char *app = o.app ? o.app : ir->app;
        if (ir && ir->app && o.app && strcmp(ir->app, o.app) != 0) {
            fprintf(stderr, "rlsc: django: the files are for app '%s', not '%s' (--app)\n",
                    ir->app, o.app);
            rc = EXIT_INPUT;
        } else if (!app || !util_is_identifier(app)) {
            fprintf(stderr, "rlsc: django: the files must name one Django app label "
                            "(`app LABEL;`, a Python identifier)\n");
            rc = EXIT_INPUT;
        } else {
            rc = emit_django(a, ir, app, &dj);
        }
    }
    if (d.errors)
        fprintf(stderr, "rlsc: %d error%s\n", d.errors, d.errors == 1 ? "" : "s");
    arena_free(a);
    free_options(&o);
    return rc;
}

/* rlsc catalog --db CONNINFO: the database's tables and functions as a
 * catalog file on stdout. */
static int run_catalog(int argc, char **argv)
{
    const char *db = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (strncmp(argv[i], "--db=", 5) == 0)
            db = argv[i] + 5;
        else
            return usage_error("unexpected argument '%s'", argv[i]);
    }
    Arena *a = arena_new();
    Catalog *cat = cat_new(a);
    int rc = cat_load_pg(cat, db ? db : "");
    if (rc == 0) {
        StrBuf out;
        sb_init(&out, a);
        cat_write(&out, cat);
        rc = write_stdout(out.data, out.len);
    }
    arena_free(a);
    return rc;
}

static int run_help(const char *topic)
{
    for (size_t i = 0; i < sizeof command_help / sizeof command_help[0]; i++)
        if (strcmp(topic, command_help[i].name) == 0) {
            fputs(command_help[i].help, stdout);
            return 0;
        }
    return usage_error("no help on '%s'", topic);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("rlsc %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0)
        return argc > 2 ? run_help(argv[2]) : (fputs(usage_text, stdout), 0);
    if (strcmp(cmd, "check") == 0 || strcmp(cmd, "sql") == 0 || strcmp(cmd, "django") == 0)
        return run_compile(cmd, argc - 2, argv + 2);
    if (strcmp(cmd, "catalog") == 0)
        return run_catalog(argc - 2, argv + 2);
    for (size_t i = 0; i < sizeof command_help / sizeof command_help[0]; i++)
        if (strcmp(cmd, command_help[i].name) == 0) {
            fprintf(stderr, "rlsc: '%s' is not available in this version yet\n", cmd);
            return EXIT_USAGE;
        }
    return usage_error("unknown command '%s'", cmd);
}
