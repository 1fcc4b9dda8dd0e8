/*
 * emit_django.c — `rlsc django`: the next Django migration of an app.
 *
 * The migration holds the difference between the newest state an earlier
 * migration of the app recorded and the new IR, with the exact reverse for
 * migrating back, and records the new state (migrate.c reads and writes
 * the state, the Python literals and the file).  What is Django's is here:
 * the file's place in the graph, its text, and what Django's migrations did.
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

#include <string.h>
#include <sys/stat.h>

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
    mig_comment_text(&sb, schema ? arena_printf(a, "%s.%s", schema, name) : name);
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

/* The app's migrations, or NULL after a message. */
static PtrVec *dj_migrations(Arena *a, Diag *d, const char *dir, const char *app)
{
    PtrVec *migs = mig_files(a, d, dir, ".py");
    if (migs && migs->n == 0) {
        diag_fail(d, "%s has no migrations: create the app's tables first "
                     "(manage.py makemigrations %s)", dir, app);
        return NULL;
    }
    return migs;
}

int emit_django(Arena *a, Diag *d, const Ir *ir, const char *app, const DjangoOpts *o)
{
    PtrVec *migs = dj_migrations(a, d, o->dir, app);
    if (!migs)
        return RLSC_ERR_USAGE;
    const MigFile *latest = migs->items[migs->n - 1];
    for (int i = 0; i < o->nafter; i++) {
        const char *ref = o->after[i], *dot = strchr(ref, '.');
        bool ours = !dot || (strncmp(ref, app, (size_t)(dot - ref)) == 0 && !app[dot - ref]);
        const char *name = dot ? dot + 1 : ref;
        struct stat st;
        if (ours && strncmp(name, "__", 2) != 0
            && stat(arena_printf(a, "%s/%s.py", o->dir, name), &st) != 0) {
            diag_fail(d, "--after %s: %s has no migration %s.py", ref, o->dir, name);
            return RLSC_ERR_USAGE;
        }
    }

    Ir *prev;
    int rc = mig_newest_state(a, d, migs, &prev);
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
            diag_fail(d, "--renamed: %s", why);
            return RLSC_ERR_USAGE;
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
        return RLSC_OK;
    }
    emit_diff(&down, NULL, target, prev);

    const char *name = o->name ? o->name : "rlsc_policies";
    const char *file = arena_printf(a, "%04d_%s.py", latest->number + 1, name);
    if (o->check) {
        printf("Policy changes for app '%s' (%s would be written):\n", app, file);
        dj_print_indented(sb_str(&summary));
        return RLSC_ERR_INPUT;
    }

    StrBuf py;
    sb_init(&py, a);
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
            mig_comment_text(&py, s ? s + 1 : o->sources[i]);
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
    sb_putc(&py, '\n');
    mig_write_state(&py, target);
    sb_puts(&py, "\nUP_SQL = [\n");
    mig_pystatements(a, &py, sb_str(&up));
    sb_puts(&py, "]\n\nDOWN_SQL = [\n");
    mig_pystatements(a, &py, sb_str(&down));
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
        return RLSC_OK;
    }
    rc = mig_write_atomic(a, d, o->dir, file, &py);
    if (rc == RLSC_OK) {
        printf("Migrations for '%s':\n  %s/%s\n", app, o->dir, file);
        dj_print_indented(sb_str(&summary));
    }
    return rc;
}
