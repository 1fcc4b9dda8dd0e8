/*
 * emit_django.c — `rlsc django`: the next Django migration of an app.
 *
 * Each migration records the compiled policy state (RLSC_STATE, the IR as
 * text), so the next run diffs the new IR against the newest recorded one
 * and emits only the difference, with the exact reverse for migrating
 * back.  Comparing IRs, not source text, is what makes reformatting,
 * comments and reordering produce no migration.
 *
 * What Django's own migrations did to the tables since the state was
 * recorded comes from the caller, which reads Django's migration graph
 * (manage.py makemigrations, stdlib/django): tables renamed (their
 * policies moved along, so the recorded state is renamed before the diff
 * and nothing is re-created), the migration's place in the graph (its
 * dependencies and run_before), and tables a Django migration is about to
 * delete (a migration of their policies alone, placed before it).
 */
#define RLSC_CODEGEN /* ast.h refuses to be included here */
#include "codegen.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct MigFile {
    int number;
    const char *name; /* without .py */
} MigFile;

/* NNNN_name.py: four or more digits (Django counts past 9999). */
static bool dj_is_migration(const char *f)
{
    size_t n = strlen(f), d = 0;
    while (f[d] >= '0' && f[d] <= '9')
        d++;
    if (d < 4 || n < d + 5 || strcmp(f + n - 3, ".py") != 0 || f[d] != '_')
        return false;
    for (size_t i = d + 1; i < n - 3; i++)
        if (!(f[i] == '_' || (f[i] >= '0' && f[i] <= '9') || (f[i] >= 'a' && f[i] <= 'z')
              || (f[i] >= 'A' && f[i] <= 'Z')))
            return false;
    return true;
}

static int dj_cmp(const void *a, const void *b)
{
    const MigFile *x = *(MigFile *const *)a, *y = *(MigFile *const *)b;
    return x->number != y->number ? (x->number > y->number) - (x->number < y->number)
                                  : strcmp(x->name, y->name);
}

static const char *dj_read(Arena *a, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    StrBuf sb;
    sb_init(&sb, a);
    int err = util_read_all(f, &sb);
    fclose(f);
    return err ? NULL : sb_str(&sb);
}

/* A Python "..." literal per line: only \\ \" \n \t \xNN escapes, so the
 * reader below can undo them. */
static void dj_pystring(StrBuf *out, const char *text, const char *indent)
{
    const char *p = text;
    if (!*p) {
        sb_printf(out, "%s\"\"\n", indent);
        return;
    }
    while (*p) {
        sb_printf(out, "%s\"", indent);
        for (; *p && *p != '\n'; p++) {
            unsigned char c = (unsigned char)*p;
            if (c == '\\' || c == '"')
                sb_printf(out, "\\%c", c);
            else if (c == '\t')
                sb_puts(out, "\\t");
            else if (c < 0x20 || c == 0x7f)
                sb_printf(out, "\\x%02x", c);
            else
                sb_putc(out, (char)c);
        }
        if (*p == '\n') {
            sb_puts(out, "\\n");
            p++;
        }
        sb_puts(out, "\"\n");
    }
}

/* A Python list item per statement: RunSQL runs each one as it is,
 * where a single string would be re-split by sqlparse (emit_statements). */
static void dj_pystatements(Arena *a, StrBuf *out, const char *sql)
{
    PtrVec stmts = {0};
    emit_statements(a, sql, &stmts);
    for (int i = 0; i < stmts.n; i++) {
        dj_pystring(out, stmts.items[i], "    ");
        out->data[out->len - 1] = ',';
        sb_putc(out, '\n');
    }
}

/* Text for a Python comment: a line break would end the comment and make
 * the rest code, and bytes that are not UTF-8 make the file unreadable to
 * Python, so both become '?'. */
static void dj_comment_text(StrBuf *out, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t ok = util_utf8_invalid(s + i, n - i);
        for (size_t k = i; k < i + ok; k++) {
            unsigned char c = (unsigned char)s[k];
            sb_putc(out, c < 0x20 || c == 0x7f ? '?' : (char)c);
        }
        i += ok;
        if (i < n) {
            sb_putc(out, '?');
            i++;
        }
    }
}

static int dj_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The text of `NAME = ( "..." "..." )` in a migration, or NULL; *line is
 * the file's line of its first string (each line of the text is one). */
static const char *dj_find_literal(Arena *a, const char *src, const char *name, int *line)
{
    const char *at = strstr(src, name);
    while (at && at != src && at[-1] != '\n')
        at = strstr(at + 1, name);
    if (!at)
        return NULL;
    *line = 2;
    for (const char *q = src; q < at; q++)
        *line += *q == '\n';
    const char *p = strchr(at, '(');
    if (!p)
        return NULL;
    p++;
    StrBuf sb;
    sb_init(&sb, a);
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
            p++;
        if (*p == ')')
            return sb_str(&sb);
        if (*p != '"')
            return NULL;
        for (p++; *p && *p != '"'; p++) {
            if (*p != '\\') {
                sb_putc(&sb, *p);
                continue;
            }
            p++;
            /* only the escapes dj_pystring writes; \x00 would cut the text */
            if (*p == 'n')
                sb_putc(&sb, '\n');
            else if (*p == 't')
                sb_putc(&sb, '\t');
            else if (*p == 'x' && dj_hex(p[1]) >= 0 && dj_hex(p[2]) >= 0
                     && dj_hex(p[1]) * 16 + dj_hex(p[2]) != 0) {
                sb_putc(&sb, (char)(dj_hex(p[1]) * 16 + dj_hex(p[2])));
                p += 2;
            } else if (*p == '\\' || *p == '"')
                sb_putc(&sb, *p);
            else
                return NULL;
        }
        if (*p != '"')
            return NULL;
        p++;
    }
}

/* Writes path atomically: a temporary file beside it, then rename. */
static int dj_write_atomic(Arena *a, const char *dir, const char *file, const StrBuf *text)
{
    const char *path = arena_printf(a, "%s/%s", dir, file);
    const char *tmp = arena_printf(a, "%s/.%s.%ld.tmp", dir, file, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "rlsc: cannot write %s: %s\n", tmp, strerror(errno));
        return 2;
    }
    bool ok = fwrite(text->data, 1, text->len, f) == text->len;
    ok &= fflush(f) == 0;
    ok &= fsync(fileno(f)) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "rlsc: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return 2;
    }
    return 0;
}

/* Django's own style: "    - change" per line. */
static void dj_print_indented(const char *lines)
{
    for (const char *p = lines; *p;) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        printf("    - %.*s\n", n, p);
        p += n + (nl != NULL);
    }
}

/* schema.name, or name for the default schema, fit for a comment. */
static const char *dj_table_label(Arena *a, const char *schema, const char *name)
{
    StrBuf sb;
    sb_init(&sb, a);
    schema = ir_schema(schema);
    dj_comment_text(&sb, schema ? arena_printf(a, "%s.%s", schema, name) : name);
    return sb_str(&sb);
}

/* ('app', 'name') of "NAME" (this app) or "APP.NAME". */
static void dj_migration_ref(StrBuf *out, const char *app, const char *ref)
{
    const char *dot = strchr(ref, '.');
    if (dot)
        sb_printf(out, "('%.*s', '%s')", (int)(dot - ref), ref, dot + 1);
    else
        sb_printf(out, "('%s', '%s')", app, ref);
}

/* The app's migrations (sorted by number, then name), or NULL after a
 * message. */
static PtrVec *dj_migrations(Arena *a, const char *dir, const char *app)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "rlsc: cannot read the migrations directory %s: %s\n", dir,
                strerror(errno));
        return NULL;
    }
    PtrVec *migs = arena_alloc(a, sizeof *migs);
    for (struct dirent *de; (de = readdir(d));) {
        struct stat st;
        if (!dj_is_migration(de->d_name)
            || stat(arena_printf(a, "%s/%s", dir, de->d_name), &st) != 0
            || !S_ISREG(st.st_mode))
            continue;
        MigFile *m = arena_alloc(a, sizeof *m);
        m->number = atoi(de->d_name);
        m->name = arena_strndup(a, de->d_name, strlen(de->d_name) - 3);
        vec_push(a, migs, m);
    }
    closedir(d);
    if (migs->n == 0) {
        fprintf(stderr,
                "rlsc: %s has no migrations: create the app's tables first "
                "(manage.py makemigrations %s)\n",
                dir, app);
        return NULL;
    }
    qsort(migs->items, (size_t)migs->n, sizeof(void *), dj_cmp);
    return migs;
}

/* The newest recorded state into *out (an empty IR when there is none);
 * returns 0 or 2 after a message. */
static int dj_newest_state(Arena *a, const char *dir, const PtrVec *migs, Ir **out)
{
    for (int i = migs->n - 1; i >= 0; i--) {
        const MigFile *m = migs->items[i];
        const char *src = dj_read(a, arena_printf(a, "%s/%s.py", dir, m->name));
        int first = 0, bad = 0;
        const char *state = src ? dj_find_literal(a, src, "RLSC_STATE = ", &first) : NULL;
        if (!state) {
            if (src && strstr(src, "\nRLSC_STATE = ")) {
                /* ignoring it would re-create everything: say so instead */
                fprintf(stderr, "rlsc: %s/%s.py: RLSC_STATE is not a sequence of \"...\" "
                                "strings with the escapes rlsc writes\n", dir, m->name);
                return 2;
            }
            continue;
        }
        const char *why = ir_read_state(a, state, out, &bad);
        if (why && bad) {
            fprintf(stderr, "rlsc: %s/%s.py:%d: RLSC_STATE is damaged (its line %d): %s\n",
                    dir, m->name, first + bad - 1, bad, why);
            return 2;
        }
        if (why) {
            fprintf(stderr, "rlsc: %s/%s.py: RLSC_STATE is damaged: %s\n", dir, m->name, why);
            return 2;
        }
        return 0;
    }
    *out = arena_alloc(a, sizeof **out); /* none: the app had no policies */
    return 0;
}

int emit_django(Arena *a, const Ir *ir, const char *app, const DjangoOpts *o)
{
    PtrVec *migs = dj_migrations(a, o->dir, app);
    if (!migs)
        return 2;
    const MigFile *latest = migs->items[migs->n - 1];
    for (int i = 0; i < o->nafter; i++) {
        const char *ref = o->after[i], *dot = strchr(ref, '.');
        bool ours = !dot || (strncmp(ref, app, (size_t)(dot - ref)) == 0 && !app[dot - ref]);
        const char *name = dot ? dot + 1 : ref;
        struct stat st;
        if (ours && strncmp(name, "__", 2) != 0
            && stat(arena_printf(a, "%s/%s.py", o->dir, name), &st) != 0) {
            fprintf(stderr, "rlsc: --after %s: %s has no migration %s.py\n", ref, o->dir, name);
            return 2;
        }
    }

    Ir *prev;
    int rc = dj_newest_state(a, o->dir, migs, &prev);
    if (rc)
        return rc;

    /* What Django's migrations did since: renamed tables carry their
     * policies, so the state is renamed before the diff. */
    StrBuf notes;
    sb_init(&notes, a);
    if (o->nrenamed) {
        const IrTable **moved = arena_alloc(a, sizeof(void *) * (size_t)o->nrenamed);
        const char *why = ir_rename_tables(a, prev, o->renamed_from, o->renamed_to, o->nrenamed,
                                           moved);
        if (why) {
            fprintf(stderr, "rlsc: --renamed: %s\n", why);
            return 2;
        }
        for (int i = 0; i < o->nrenamed; i++)
            if (moved[i])
                sb_printf(&notes, "%s: renamed from %s by Django's migrations "
                                  "(its policies moved with it)\n",
                          dj_table_label(a, o->renamed_to[i].schema, o->renamed_to[i].name),
                          dj_table_label(a, o->renamed_from[i].schema, o->renamed_from[i].name));
    }
    const Ir *target = ir;
    if (!target) {
        /* only the policies of the tables a Django migration deletes next */
        int removed = 0;
        target = ir_without_tables(a, prev, o->deleted, o->ndeleted, &removed);
    }

    StrBuf up, down, summary;
    sb_init(&up, a);
    sb_init(&down, a);
    sb_init(&summary, a);
    sb_puts(&summary, sb_str(&notes));
    emit_diff(&up, &summary, prev, target);
    if (summary.len == 0) {
        printf("No changes detected in app '%s'\n", app);
        return 0;
    }
    emit_diff(&down, NULL, target, prev);

    const char *name = o->name ? o->name : "rlsc_policies";
    const char *file = arena_printf(a, "%04d_%s.py", latest->number + 1, name);
    if (o->check) {
        printf("Policy changes for app '%s' (%s would be written):\n", app, file);
        dj_print_indented(sb_str(&summary));
        return 1;
    }

    StrBuf py, state;
    sb_init(&py, a);
    sb_init(&state, a);
    ir_write_state(&state, target);
    if (!ir) {
        sb_puts(&py, "# Generated by rlsc " PACKAGE_VERSION ": the policies of tables that the\n"
                     "# migrations in run_before delete go first, so that migrating back\n"
                     "# re-creates them after Django has re-created the tables.\n");
    } else if (o->nsources == 0) {
        sb_puts(&py, "# Generated by rlsc " PACKAGE_VERSION ": the app has no .rls files any more.\n");
    } else {
        sb_puts(&py, "# Generated by rlsc " PACKAGE_VERSION " from");
        for (int i = 0; i < o->nsources; i++) {
            const char *s = strrchr(o->sources[i], '/');
            sb_putc(&py, ' ');
            dj_comment_text(&py, s ? s + 1 : o->sources[i]);
        }
        sb_puts(&py, ".\n");
    }
    sb_puts(&py, "# Do not edit: change the .rls files and run `manage.py makemigrations`\n"
                 "# (or `rlsc django`) again.  RLSC_STATE records the compiled policies\n"
                 "# so the next migration holds only what changed.\n");
    sb_puts(&py, "from django.db import migrations\n\n");
    sb_puts(&py, "# What changes:\n");
    for (const char *p = sb_str(&summary); *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        sb_puts(&py, "#   ");
        sb_putn(&py, p, n);
        sb_putc(&py, '\n');
        p += n + (nl != NULL);
    }
    sb_puts(&py, "\nRLSC_STATE = (\n");
    dj_pystring(&py, sb_str(&state), "    ");
    sb_puts(&py, ")\n\nUP_SQL = [\n");
    dj_pystatements(a, &py, sb_str(&up));
    sb_puts(&py, "]\n\nDOWN_SQL = [\n");
    dj_pystatements(a, &py, sb_str(&down));
    sb_puts(&py, "]\n\n\nclass Migration(migrations.Migration):\n\n    dependencies = [\n");
    if (o->nafter == 0)
        sb_printf(&py, "        ('%s', '%s'),\n", app, latest->name);
    for (int i = 0; i < o->nafter; i++) {
        sb_puts(&py, "        ");
        dj_migration_ref(&py, app, o->after[i]);
        sb_puts(&py, ",\n");
    }
    /* the helper reads auth's tables, also when the reverse re-creates it */
    if (target->perm_helper || prev->perm_helper)
        sb_puts(&py, "        ('auth', '__first__'),\n        ('contenttypes', '__first__'),\n");
    sb_puts(&py, "    ]\n");
    if (o->nrun_before) {
        sb_puts(&py, "\n    run_before = [\n");
        for (int i = 0; i < o->nrun_before; i++) {
            sb_puts(&py, "        ");
            dj_migration_ref(&py, app, o->run_before[i]);
            sb_puts(&py, ",\n");
        }
        sb_puts(&py, "    ]\n");
    }
    sb_puts(&py, "\n    operations = [\n"
                 "        # lists: Django runs each statement as it is, unsplit\n"
                 "        migrations.RunSQL(sql=UP_SQL, reverse_sql=DOWN_SQL),\n"
                 "    ]\n");

    if (o->dry_run) {
        fwrite(py.data, 1, py.len, stdout);
        return 0;
    }
    rc = dj_write_atomic(a, o->dir, file, &py);
    if (rc == 0) {
        printf("Migrations for '%s':\n  %s/%s\n", app, o->dir, file);
        dj_print_indented(sb_str(&summary));
    }
    return rc;
}
