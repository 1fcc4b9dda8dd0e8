/*
 * cmd_django.c — `rlsc django`: the next Django migration of the app with
 * the policy changes since the state its latest rlsc migration recorded
 * (codegen/emit_django.c writes it).  The options --app, --after,
 * --run-before, --renamed and --deleted carry what Django's migration graph
 * says, as `manage.py makemigrations` passes it.
 */
#include "cli.h"

#include <string.h>

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

/* The tables of --renamed OLD=NEW and --deleted TABLE into dj; returns
 * RLSC_OK or the exit status of a usage error. */
static int table_options(Arena *a, const Options *o, DjangoOpts *dj)
{
    IrTableName *from = arena_alloc(a, sizeof *from * (size_t)(o->nrenamed + 1));
    IrTableName *to = arena_alloc(a, sizeof *to * (size_t)(o->nrenamed + 1));
    IrTableName *gone = arena_alloc(a, sizeof *gone * (size_t)(o->ndeleted + 1));
    for (int i = 0; i < o->nrenamed; i++) {
        const char *eq = parse_table_name(a, o->renamed[i], '=', &from[i]);
        if (!eq || *eq != '=' || !parse_table_name(a, eq + 1, '\0', &to[i]))
            return cli_usage_error("--renamed '%s': write OLD=NEW, each a table NAME or "
                                   "SCHEMA.NAME (a part in double quotes may hold '.', '=' "
                                   "or '\"')", o->renamed[i]);
    }
    for (int i = 0; i < o->ndeleted; i++)
        if (!parse_table_name(a, o->deleted[i], '\0', &gone[i]))
            return cli_usage_error("--deleted '%s': a table is NAME or SCHEMA.NAME (a part in "
                                   "double quotes may hold '.', '=' or '\"')", o->deleted[i]);
    dj->renamed_from = from;
    dj->renamed_to = to;
    dj->nrenamed = o->nrenamed;
    dj->deleted = gone;
    dj->ndeleted = o->ndeleted;
    return RLSC_OK;
}

static int run_django(const Command *self, int argc, char **argv)
{
    Cli cli;
    int rc = cli_begin(&cli, self, argc, argv);
    if (rc != RLSC_OK)
        return cli_end(&cli, rc);
    const Options *o = &cli.opt;
    Diag *d = &cli.diag;
    DjangoOpts dj = {o->migrations, o->name, o->check, o->dry_run, o->files, o->nfiles,
                     o->after, o->nafter, o->run_before, o->nrun_before, NULL, NULL, 0, NULL, 0};
    rc = table_options(cli.arena, o, &dj);
    Ir *ir = NULL;
    if (rc == RLSC_OK && o->nfiles == 0) {
        /* --app without files: the app keeps no policies (with --deleted,
         * emit_django computes what remains itself) */
        if (!o->ndeleted)
            ir = arena_alloc(cli.arena, sizeof *ir);
    } else if (rc == RLSC_OK) {
        rc = cli_compile(&cli, &ir);
    }
    if (rc == RLSC_OK) {
        const char *app = o->app ? o->app : ir->app;
        if (ir && ir->app && o->app && strcmp(ir->app, o->app) != 0) {
            diag_fail(d, "django: the files are for app '%s', not '%s' (--app)", ir->app,
                      o->app);
            rc = RLSC_ERR_INPUT;
        } else if (!app || !util_is_identifier(app)) {
            diag_fail(d, "django: the files must name one Django app label "
                         "(`app LABEL;`, a Python identifier)");
            rc = RLSC_ERR_INPUT;
        } else {
            rc = emit_django(cli.arena, d, ir, app, &dj);
        }
    }
    return cli_end(&cli, rc);
}

const Command cmd_django = {
    "django",
    "  django  --migrations DIR [--check] [--dry-run] [--name NAME] [catalog opts] FILE.rls...\n"
    "          [--app LABEL] [--after MIGRATION]... [--renamed OLD=NEW]...\n"
    "          [--deleted TABLE... --run-before MIGRATION] [--target T]  (rlsc help django)\n",
    "usage: rlsc django --migrations DIR [--check] [--dry-run] [--name NAME]\n"
    "                   [--catalog FILE | --db CONNINFO] [--app LABEL]\n"
    "                   [--after MIGRATION]... [--run-before MIGRATION]...\n"
    "                   [--renamed OLD=NEW]... [--target postgres|citus] FILE.rls...\n"
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
    "holds '.', '=' or '\"'.\n"
    "--target citus: policies without subqueries (as `rlsc sql --target citus`).\n",
    OPT_FILES | OPT_CATALOG | OPT_DB | OPT_DJANGO | OPT_TARGET,
    run_django,
    NULL, /* no --format */
};
