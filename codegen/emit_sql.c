/*
 * emit_sql.c — policy IR -> PostgreSQL SQL, as the difference of two IRs.
 *
 * One walk serves everything: `rlsc sql` is the difference from nothing to
 * the IR (up) and back (down), and a migration is the difference from the
 * state its predecessor recorded.  In order: stdlib helpers newly needed,
 * new roles (NOLOGIN), then per table ENABLE/FORCE, DROP POLICY, ALTER
 * POLICY (where only roles, USING or WITH CHECK change and no clause is
 * removed) and CREATE POLICY; a table that loses all rules gets RLS turned
 * off again unless other policies remain on it; then roles no longer named
 * (dropped only if rlsc created them and nothing else uses them), and
 * helpers no longer needed (kept while another app's policies call them).
 *
 * DO blocks are dollar-quoted with a tag chosen so it cannot occur in the
 * body, whatever the names contain.
 */
#define RLSC_CODEGEN /* ast.h refuses to be included here */
#include "codegen.h"

#include <string.h>

#define RLSC_ROLE_MARK "created by rlsc"

/*
 * `DO $tag$ block $tag$;` with a tag absent from the block.  The block is
 * written straight into out between emit_do_begin and emit_do_end, which
 * looks for the tag in it and only in the rare case that it is there
 * writes the block again under another tag: building every block apart
 * and copying it left most of a large script's memory behind as garbage.
 */
static size_t emit_do_begin(StrBuf *out)
{
    sb_puts(out, "DO $rlsc$\n");
    return out->len;
}

static void emit_do_end(StrBuf *out, size_t body)
{
    if (!strstr(out->data + body, "$rlsc$")) {
        sb_puts(out, "\n$rlsc$;\n");
        return;
    }
    const char *block = arena_strdup(out->arena, out->data + body);
    const char *tag = "$rlsc$";
    for (int i = 1; strstr(block, tag); i++)
        tag = arena_printf(out->arena, "$rlsc%d$", i);
    out->len = body - strlen("DO $rlsc$\n");
    sb_puts(out, "DO ");
    sb_puts(out, tag);
    sb_putc(out, '\n');
    sb_puts(out, block);
    sb_putc(out, '\n');
    sb_puts(out, tag);
    sb_puts(out, ";\n");
}


const char *emit_cmd(CmdSet c)
{
    switch (c) {
    case CMD_SELECT: return "SELECT";
    case CMD_INSERT: return "INSERT";
    case CMD_UPDATE: return "UPDATE";
    case CMD_DELETE: return "DELETE";
    default: return "ALL";
    }
}

typedef struct Emit {
    StrBuf *out;     /* SQL */
    StrBuf *summary; /* one line per change, or NULL */
    Arena *arena;
    StrBuf name;     /* the current table's quoted name, reused */
} Emit;

/* A name with its control characters as '?', for comments: in the SQL
 * (`--`) and in the migration's summary (Python `#`), a CR or LF would end
 * the comment and turn the rest of the name into code. */
static const char *emit_safe(Arena *arena, const char *s)
{
    char *t = arena_strdup(arena, s);
    for (char *p = t; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return t;
}

static void emit_note(Emit *e, const char *fmt, const char *a, const char *b)
{
    if (e->summary)
        sb_printf(e->summary, fmt, emit_safe(e->arena, a), emit_safe(e->arena, b));
}

/* s with its control characters as '?' (emit_safe), into out, a run of
 * other bytes at a time. */
static void emit_put_safe(StrBuf *out, const char *s)
{
    while (*s) {
        const char *p = s;
        while (*p && (unsigned char)*p >= 0x20 && *p != 0x7f)
            p++;
        sb_putn(out, s, (size_t)(p - s));
        if (!*p)
            break;
        sb_putc(out, '?');
        s = p + 1;
    }
}

static void emit_roles_list(StrBuf *out, const IrPolicy *p)
{
    if (!p->roles.n)
        sb_puts(out, "PUBLIC");
    for (int i = 0; i < p->roles.n; i++) {
        if (i)
            sb_puts(out, ", ");
        const char *r = p->roles.items[i];
        if (strcmp(r, "public") == 0)
            sb_puts(out, "PUBLIC");
        else
            sqlfmt_ident(out, r);
    }
}

void emit_create_policy(StrBuf *out, const char *table, const IrPolicy *p)
{
    sb_puts(out, "CREATE POLICY ");
    sqlfmt_ident(out, p->name);
    sb_puts(out, " ON ");
    sb_puts(out, table);
    sb_puts(out, p->restrictive ? "\n    AS RESTRICTIVE FOR " : "\n    AS PERMISSIVE FOR ");
    sb_puts(out, emit_cmd(p->cmd));
    sb_puts(out, "\n    TO ");
    emit_roles_list(out, p);
    if (p->using_) {
        sb_puts(out, "\n    USING (");
        sb_puts(out, p->using_);
        sb_putc(out, ')');
    }
    if (p->check) {
        sb_puts(out, "\n    WITH CHECK (");
        sb_puts(out, p->check);
        sb_putc(out, ')');
    }
    sb_puts(out, ";\n");
}

static void emit_drop_policy(StrBuf *out, const char *table, const IrPolicy *p)
{
    sb_puts(out, "DROP POLICY IF EXISTS ");
    sqlfmt_ident(out, p->name);
    sb_puts(out, " ON ");
    sb_puts(out, table);
    sb_puts(out, ";\n");
}

static bool emit_streq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool emit_same_roles(const IrPolicy *a, const IrPolicy *b)
{
    if (a->roles.n != b->roles.n)
        return false;
    for (int i = 0; i < a->roles.n; i++)
        if (strcmp(a->roles.items[i], b->roles.items[i]) != 0)
            return false;
    return true;
}

/* ALTER POLICY changes roles, USING and WITH CHECK, but cannot change the
 * command or the kind, nor remove a clause. */
static bool emit_alterable(const IrPolicy *from, const IrPolicy *to)
{
    return from->cmd == to->cmd && from->restrictive == to->restrictive
           && (!from->using_ || to->using_) && (!from->check || to->check);
}

/* Policies that ALTER can turn into each other share a bucket. */
static int emit_bucket(const IrPolicy *p)
{
    int c = p->cmd == CMD_ALL ? 4 : p->cmd == CMD_SELECT ? 0 : p->cmd == CMD_INSERT ? 1
          : p->cmd == CMD_UPDATE ? 2 : 3;
    return c * 2 + p->restrictive;
}

static void emit_alter_policy(StrBuf *out, const char *table, const IrPolicy *from,
                              const IrPolicy *to)
{
    sb_puts(out, "ALTER POLICY ");
    sqlfmt_ident(out, to->name);
    sb_puts(out, " ON ");
    sb_puts(out, table);
    if (!emit_same_roles(from, to)) {
        sb_puts(out, "\n    TO ");
        emit_roles_list(out, to);
    }
    if (!emit_streq(from->using_, to->using_)) {
        sb_puts(out, "\n    USING (");
        sb_puts(out, to->using_);
        sb_putc(out, ')');
    }
    if (!emit_streq(from->check, to->check)) {
        sb_puts(out, "\n    WITH CHECK (");
        sb_puts(out, to->check);
        sb_putc(out, ')');
    }
    sb_puts(out, ";\n");
}

static void emit_role_create(Emit *e, const IrRole *r)
{
    StrBuf *out = e->out;
    size_t body = emit_do_begin(out);
    sb_puts(out, "BEGIN\n    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ");
    sqlfmt_literal(out, r->name);
    sb_puts(out, ") THEN\n        CREATE ROLE ");
    sqlfmt_ident(out, r->name);
    sb_puts(out, " NOLOGIN;\n        COMMENT ON ROLE ");
    sqlfmt_ident(out, r->name);
    sb_puts(out, " IS '" RLSC_ROLE_MARK "';\n    END IF;\nEND");
    emit_do_end(out, body);
    emit_note(e, "role %s: create if missing%s\n", r->name, "");
}

static void emit_role_drop(Emit *e, const IrRole *r)
{
    StrBuf *out = e->out;
    size_t body = emit_do_begin(out);
    sb_puts(out, "BEGIN\n"
                 "    IF EXISTS (SELECT FROM pg_catalog.pg_roles r\n"
                 "               JOIN pg_catalog.pg_shdescription d\n"
                 "                 ON d.objoid = r.oid\n"
                 "                AND d.classoid = 'pg_catalog.pg_authid'::pg_catalog.regclass\n"
                 "               WHERE r.rolname = ");
    sqlfmt_literal(out, r->name);
    sb_puts(out, " AND d.description = '" RLSC_ROLE_MARK "') THEN\n"
                 "        BEGIN\n"
                 "            DROP ROLE ");
    sqlfmt_ident(out, r->name);
    sb_puts(out, ";\n"
                 "        EXCEPTION WHEN dependent_objects_still_exist THEN\n"
                 "            NULL; -- still used by other policies or grants\n"
                 "        END;\n"
                 "    END IF;\n"
                 "END");
    emit_do_end(out, body);
    emit_note(e, "role %s: drop if rlsc created it and nothing uses it%s\n", r->name, "");
}

/*
 * Exact restore of a table's RLS flags.  `up` cannot know, when the script
 * is written, whether the table already had RLS on or forced; so the
 * script reads the flags as it runs and keeps them in the comment of every
 * policy it creates ("rlsc: before: rls=on force=off").  `down` reads that
 * comment back and puts the flags back as they were.  Without a comment
 * (older scripts), RLS goes off when no policy of anyone else is left.
 * Several apps may protect one table: the first to come records the flags,
 * the others copy its record, and only the last to leave restores them
 * (while another app's rlsc policies remain, RLS stays on for them).
 */
#define PRIOR_MARK "rlsc: before: "

/* ARRAY['a', 'b'] of policy names, for the DO blocks */
static void emit_name_array(StrBuf *out, const IrPolicy *const *ps, int n)
{
    sb_puts(out, "ARRAY[");
    for (int i = 0; i < n; i++) {
        if (i)
            sb_puts(out, ", ");
        sqlfmt_literal(out, ps[i]->name);
    }
    sb_puts(out, "]::pg_catalog.text[]");
}

/* The start of a query for a flag record: the comments of the policies
 * on the table `name`. */
static void emit_prior_select(StrBuf *out, const char *name)
{
    sb_puts(out, "    SELECT d.description INTO prior\n"
                 "    FROM pg_catalog.pg_policy p\n"
                 "    JOIN pg_catalog.pg_description d ON d.objoid = p.oid\n"
                 "     AND d.classoid = 'pg_catalog.pg_policy'::pg_catalog.regclass\n"
                 "    WHERE p.polrelid = ");
    sqlfmt_literal(out, name);
    sb_puts(out, "::pg_catalog.regclass\n");
}

/* The flags recorded on our own policies (another app's policies on the
 * same table carry their own record, of a different moment). */
static void emit_prior_query(StrBuf *out, const char *name, const IrPolicy *const *ours,
                             int nours)
{
    emit_prior_select(out, name);
    sb_puts(out, "      AND p.polname = ANY (");
    emit_name_array(out, ours, nours);
    sb_puts(out, ")\n"
                 "      AND d.description LIKE '" PRIOR_MARK "%'\n"
                 "    LIMIT 1;\n");
}

/* Before a table's policies change, keep our record in a transaction-local
 * setting: a policy re-created under the same name loses its comment. */
static void emit_capture_prior(Emit *e, const char *name, const IrTable *from)
{
    StrBuf *out = e->out;
    size_t body = emit_do_begin(out);
    sb_puts(out, "DECLARE\n    prior pg_catalog.text;\nBEGIN\n");
    emit_prior_query(out, name, (const IrPolicy *const *)from->policies.items,
                     from->policies.n);
    sb_puts(out, "    PERFORM pg_catalog.set_config('rlsc.prior', COALESCE(prior, ''), true);\nEND");
    emit_do_end(out, body);
}

/* Comments each new policy with the flags (read from pg_class when the
 * table enters, copied from an older policy of ours otherwise); turns RLS
 * on and forces it when the table enters. */
static void emit_record_prior(Emit *e, const IrTable *t, const char *name, bool enters,
                              const IrPolicy *const *created, int ncreated)
{
    StrBuf *out = e->out;
    size_t body = emit_do_begin(out);
    sb_puts(out, "DECLARE\n    prior pg_catalog.text;\nBEGIN\n");
    if (enters) {
        /* another app's rlsc policies on the table hold the flags from
         * before any rlsc app came: keep that record, not today's flags,
         * so whichever app leaves last restores them */
        emit_prior_select(out, name);
        sb_puts(out, "      AND d.description LIKE '" PRIOR_MARK "%'\n"
                     "    ORDER BY p.oid LIMIT 1;\n"
                     "    IF prior IS NULL THEN\n"
                     "        SELECT '" PRIOR_MARK "rls=' || CASE WHEN c.relrowsecurity THEN 'on' ELSE 'off' END\n"
                     "               || ' force=' || CASE WHEN c.relforcerowsecurity THEN 'on' ELSE 'off' END\n"
                     "        INTO prior FROM pg_catalog.pg_class c WHERE c.oid = ");
        sqlfmt_literal(out, name);
        sb_puts(out, "::pg_catalog.regclass;\n"
                     "    END IF;\n");
    } else {
        sb_puts(out, "    prior := NULLIF(pg_catalog.current_setting('rlsc.prior', true), '');\n");
    }
    for (int i = 0; i < ncreated; i++) {
        sb_puts(out, "    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON %s IS %L', ");
        sqlfmt_literal(out, created[i]->name);
        sb_puts(out, ", ");
        sqlfmt_literal(out, name);
        sb_puts(out, ", prior);\n");
    }
    if (enters) {
        sb_puts(out, "    ALTER TABLE ");
        sb_puts(out, name);
        sb_puts(out, " ENABLE ROW LEVEL SECURITY;\n");
        if (t->force) {
            sb_puts(out, "    ALTER TABLE ");
            sb_puts(out, name);
            sb_puts(out, " FORCE ROW LEVEL SECURITY;\n");
        }
    }
    sb_puts(out, "END");
    emit_do_end(out, body);
}

/* `    ALTER TABLE name WHAT;\n` at the given indent */
static void emit_alter_table(StrBuf *out, const char *indent, const char *name, const char *what)
{
    sb_puts(out, indent);
    sb_puts(out, "ALTER TABLE ");
    sb_puts(out, name);
    sb_putc(out, ' ');
    sb_puts(out, what);
    sb_puts(out, ";\n");
}

/* Puts the flags back from the recorded comment, before our policies go. */
static void emit_restore_prior(Emit *e, const char *name, const IrPolicy *const *dropped,
                               int ndropped)
{
    StrBuf *out = e->out;
    size_t body = emit_do_begin(out);
    sb_puts(out, "DECLARE\n    prior pg_catalog.text;\nBEGIN\n"
                 "    -- a model deleted by an earlier migration took its policies along\n"
                 "    IF pg_catalog.to_regclass(");
    sqlfmt_literal(out, name);
    sb_puts(out, ") IS NULL THEN\n        RETURN;\n    END IF;\n");
    emit_prior_query(out, name, dropped, ndropped);
    sb_puts(out, "    IF EXISTS (SELECT FROM pg_catalog.pg_policy p\n"
                 "               JOIN pg_catalog.pg_description d ON d.objoid = p.oid\n"
                 "                AND d.classoid = 'pg_catalog.pg_policy'::pg_catalog.regclass\n"
                 "               WHERE p.polrelid = ");
    sqlfmt_literal(out, name);
    sb_puts(out, "::pg_catalog.regclass\n"
                 "                 AND p.polname <> ALL (");
    emit_name_array(out, dropped, ndropped);
    sb_puts(out, ")\n"
                 "                 AND d.description LIKE '" PRIOR_MARK "%') THEN\n"
                 "        NULL; -- another app's rlsc policies stay: RLS stays as it is for them\n"
                 "    ELSIF prior IS NOT NULL THEN\n"
                 "        IF prior LIKE '%force=off%' THEN\n");
    emit_alter_table(out, "            ", name, "NO FORCE ROW LEVEL SECURITY");
    sb_puts(out, "        ELSE\n");
    emit_alter_table(out, "            ", name, "FORCE ROW LEVEL SECURITY");
    sb_puts(out, "        END IF;\n"
                 "        IF prior LIKE '%rls=off%' THEN\n");
    emit_alter_table(out, "            ", name, "DISABLE ROW LEVEL SECURITY");
    sb_puts(out, "        ELSE\n");
    emit_alter_table(out, "            ", name, "ENABLE ROW LEVEL SECURITY");
    sb_puts(out, "        END IF;\n"
                 "    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_policy\n"
                 "                      WHERE polrelid = ");
    sqlfmt_literal(out, name);
    sb_puts(out, "::pg_catalog.regclass\n"
                 "                        AND polname <> ALL (");
    emit_name_array(out, dropped, ndropped);
    sb_puts(out, ")) THEN\n");
    emit_alter_table(out, "        ", name, "NO FORCE ROW LEVEL SECURITY");
    emit_alter_table(out, "        ", name, "DISABLE ROW LEVEL SECURITY");
    sb_puts(out, "    END IF;\n");
    for (int i = ndropped - 1; i >= 0; i--) {
        sb_puts(out, "    ");
        emit_drop_policy(out, name, dropped[i]);
    }
    sb_puts(out, "END");
    emit_do_end(out, body);
}


/* One table present in from, to, or both (the other NULL). */
static void emit_table(Emit *e, const IrTable *from, const IrTable *to)
{
    const IrTable *t = to ? to : from;
    e->name.len = 0;
    sqlfmt_qname(&e->name, t->schema, t->name);
    const char *name = sb_str(&e->name);
    /* The section header goes first and is taken back if nothing follows:
     * writing straight to the output keeps memory to one copy of it. */
    StrBuf *out = e->out;
    size_t mark = out->len;
    sb_puts(out, "\n-- ");
    if (t->schema) {
        emit_put_safe(out, t->schema);
        sb_putc(out, '.');
    }
    emit_put_safe(out, t->name);
    if (t->model) {
        sb_puts(out, ": model ");
        emit_put_safe(out, t->model);
    }
    sb_putc(out, '\n');
    size_t start = out->len;

    if (!from) {
        emit_note(e, "%s: enable row level security%s\n", t->name,
                  t->force ? " (forced)" : "");
    } else if (to && from->force != to->force) {
        emit_alter_table(out, "", name, to->force ? "FORCE ROW LEVEL SECURITY"
                                                  : "NO FORCE ROW LEVEL SECURITY");
        emit_note(e, "%s: %s\n", t->name, to->force ? "force row level security"
                                                    : "no longer force row level security");
    }

    /* Pair the policies by name (both lists are sorted), then emit drops
     * (in reverse order), alters, and creates. */
    int nf = from ? from->policies.n : 0, nt = to ? to->policies.n : 0;
    /* four lists of at most nf + nt policies: on the stack for a usual
     * table, so a large script leaves nothing behind per table */
    enum { SMALL = 32 };
    const IrPolicy *small[4 * SMALL];
    size_t room = (size_t)(nf + nt + 1);
    const IrPolicy **pf = room <= SMALL ? small : arena_alloc(e->arena, 4 * sizeof(void *) * room);
    if (room <= SMALL)
        room = SMALL;
    const IrPolicy **pt = pf + room, **renamed = pf + 2 * room, **created = pf + 3 * room;
    int np = 0;
    for (int i = 0, j = 0; i < nf || j < nt; np++) {
        const IrPolicy *p = i < nf ? from->policies.items[i] : NULL;
        const IrPolicy *q = j < nt ? to->policies.items[j] : NULL;
        int c = !p ? 1 : !q ? -1 : strcmp(p->name, q->name);
        pf[np] = c <= 0 ? p : NULL;
        pt[np] = c >= 0 ? q : NULL;
        i += c <= 0;
        j += c >= 0;
    }
    /* An edited rule usually gets a new name (names hash the conditions):
     * where one policy of a command and kind disappears and one appears,
     * it is the same rule, renamed and altered. */
    int lone_from[10] = {0}, lone_to[10] = {0}, at_from[10], at_to[10];
    for (int k = 0; k < np; k++) {
        const IrPolicy *p = pf[k] ? pf[k] : pt[k];
        int b = emit_bucket(p);
        if (pf[k] && !pt[k])
            lone_from[b]++, at_from[b] = k;
        if (pt[k] && !pf[k])
            lone_to[b]++, at_to[b] = k;
    }
    memset(renamed, 0, sizeof(void *) * (size_t)np);
    for (int b = 0; b < 10; b++)
        if (lone_from[b] == 1 && lone_to[b] == 1
            && emit_alterable(pf[at_from[b]], pt[at_to[b]])) {
            renamed[at_to[b]] = pf[at_from[b]]; /* the new one's old self */
            pf[at_from[b]] = NULL;               /* not dropped */
        }

    if (!to) {
        /* the table leaves: flags back and our policies dropped, in one
         * block that skips a table an earlier migration removed */
        emit_restore_prior(e, name, pf, np);
        for (int k = np - 1; k >= 0; k--)
            emit_note(e, "%s: drop policy %s\n", t->name, pf[k]->name);
        emit_note(e, "%s: row level security flags restored to before%s\n", t->name, "");
        goto done;
    }
    bool creates = false;
    for (int k = 0; k < np; k++)
        creates |= pt[k] && !renamed[k] && (!pf[k] || !emit_alterable(pf[k], pt[k]));
    if (from && creates)
        emit_capture_prior(e, name, from);
    /* Order: drops that free a name for its re-creation, creates (and
     * their flag comments), renames and alters, then the other drops. */
    for (int k = np - 1; k >= 0; k--)
        if (pf[k] && pt[k] && !emit_alterable(pf[k], pt[k])) {
            emit_drop_policy(out, name, pf[k]);
            emit_note(e, "%s: drop policy %s\n", t->name, pf[k]->name);
        }
    int ncreated = 0;
    for (int k = 0; k < np; k++)
        if (pt[k] && !renamed[k] && (!pf[k] || !emit_alterable(pf[k], pt[k]))) {
            emit_create_policy(out, name, pt[k]);
            emit_note(e, "%s: create policy %s\n", t->name, pt[k]->name);
            created[ncreated++] = pt[k];
        }
    if (to && (ncreated || !from))
        emit_record_prior(e, t, name, !from, created, ncreated);
    for (int k = 0; k < np; k++) {
        const IrPolicy *old = pf[k] ? pf[k] : renamed[k];
        if (!old || !pt[k] || !emit_alterable(old, pt[k]))
            continue;
        if (renamed[k]) {
            sb_puts(out, "ALTER POLICY ");
            sqlfmt_ident(out, old->name);
            sb_puts(out, " ON ");
            sb_puts(out, name);
            sb_puts(out, " RENAME TO ");
            sqlfmt_ident(out, pt[k]->name);
            sb_puts(out, ";\n");
            emit_note(e, "%s: rename policy %s", t->name, old->name);
            emit_note(e, " to %s%s\n", pt[k]->name, "");
        }
        if (!(emit_same_roles(old, pt[k]) && emit_streq(old->using_, pt[k]->using_)
              && emit_streq(old->check, pt[k]->check))) {
            emit_alter_policy(out, name, old, pt[k]);
            emit_note(e, "%s: alter policy %s\n", t->name, pt[k]->name);
        }
    }
    for (int k = np - 1; k >= 0; k--)
        if (pf[k] && !pt[k]) {
            emit_drop_policy(out, name, pf[k]);
            emit_note(e, "%s: drop policy %s\n", t->name, pf[k]->name);
        }
done:
    if (out->len == start) {
        out->len = mark;
        out->data[mark] = '\0';
    }
}

static bool emit_has_role(const Ir *ir, const char *name)
{
    for (int i = 0; i < ir->roles.n; i++)
        if (strcmp(((const IrRole *)ir->roles.items[i])->name, name) == 0)
            return true;
    return false;
}

/* The stdlib's down script for one entry point of the helper. */
static void emit_helper_down(StrBuf *out, IrHelper h)
{
    const char *args = h == IR_HELPER_V1 ? "bigint, text, text" : "text, text, text";
    const char *at = strstr(emit_stdlib_down_sql, "@ARGS@");
    sb_putn(out, emit_stdlib_down_sql, (size_t)(at - emit_stdlib_down_sql));
    sb_puts(out, args);
    sb_puts(out, at + 6);
}

/* The stdlib's up script with the user model's tables filled in: each
 * @NAME@ of rlsc_up.sql is a quoted name, a column of `u`, or the way
 * the $user setting is read. */
static void emit_helper_up(StrBuf *out, const IrAuth *au)
{
    static const struct {
        const char *name;
        int schema, field; /* schema -1: a bare name */
    } names[] = {
        {"USER", IR_AUTH_USER_SCHEMA, IR_AUTH_USER_TABLE},
        {"USER_PK", -1, IR_AUTH_USER_PK},
        {"GROUPS", IR_AUTH_GROUPS_SCHEMA, IR_AUTH_GROUPS_TABLE},
        {"GROUPS_USER", -1, IR_AUTH_GROUPS_USER},
        {"GROUPS_GROUP", -1, IR_AUTH_GROUPS_GROUP},
        {"PERMS", IR_AUTH_PERMS_SCHEMA, IR_AUTH_PERMS_TABLE},
        {"PERMS_USER", -1, IR_AUTH_PERMS_USER},
        {"PERMS_PERM", -1, IR_AUTH_PERMS_PERM},
        {"GROUP_PERMS_SCHEMA", -1, IR_AUTH_GROUP_PERMS_SCHEMA},
        {"PERMISSION_SCHEMA", -1, IR_AUTH_PERMISSION_SCHEMA},
        {"CTYPE_SCHEMA", -1, IR_AUTH_CTYPE_SCHEMA},
    };
    const char *id = au->f[IR_AUTH_ID_TYPE];
    for (const char *s = emit_stdlib_up_sql; *s;) {
        const char *at = strchr(s, '@');
        const char *end = at ? strchr(at + 1, '@') : NULL;
        if (!end) {
            sb_puts(out, s);
            break;
        }
        sb_putn(out, s, (size_t)(at - s));
        const char *key = arena_strndup(out->arena, at + 1, (size_t)(end - at - 1));
        s = end + 1;
        if (strcmp(key, "ID_TYPE") == 0) {
            sb_puts(out, id);
        } else if (strcmp(key, "ID_PATTERN") == 0) {
            sb_puts(out, strcmp(id, "int8") == 0 ? "'^[[:space:]]*[+-]?[0-9]{1,18}[[:space:]]*$'"
                         : strcmp(id, "uuid") == 0
                             ? "'^[0-9a-fA-F]{8}(-?[0-9a-fA-F]{4}){3}-?[0-9a-fA-F]{12}$'"
                             : "'.'");
        } else if (strcmp(key, "IS_ACTIVE") == 0) {
            /* AbstractBaseUser without the field: always active */
            sb_puts(out, strcmp(au->f[IR_AUTH_ACTIVE], "1") == 0 ? "u.is_active" : "true");
        } else if (strcmp(key, "IS_SUPERUSER") == 0) {
            sb_puts(out, strcmp(au->f[IR_AUTH_SUPERUSER], "1") == 0 ? "u.is_superuser" : "false");
        } else {
            size_t k = 0;
            while (k < sizeof names / sizeof names[0] && strcmp(names[k].name, key) != 0)
                k++;
            if (k == sizeof names / sizeof names[0]) { /* not ours: keep it */
                sb_printf(out, "@%s", key);
                s = end;
            } else if (names[k].schema >= 0) {
                sqlfmt_qname(out, au->f[names[k].schema], au->f[names[k].field]);
            } else {
                sqlfmt_ident(out, au->f[names[k].field]);
            }
        }
    }
}

static bool emit_same_helper(const Ir *from, const Ir *to)
{
    return from->perm_helper == to->perm_helper
           && (to->perm_helper != IR_HELPER_V2 || ir_auth_equal(&from->auth, &to->auth));
}

void emit_diff(StrBuf *out, StrBuf *summary, const Ir *from, const Ir *to)
{
    Emit e = {out, summary, out->arena, {0}};
    sb_init(&e.name, e.arena);
    if (to->perm_helper && !emit_same_helper(from, to)) {
        sb_puts(out, "\n");
        emit_helper_up(out, &to->auth);
        /* the legacy entry point: wanted again, or still there from
         * rlsc 0.1.0 (and hijackable) until the end of this script drops it */
        if (to->perm_helper == IR_HELPER_V1 || from->perm_helper == IR_HELPER_V1)
            sb_puts(out, emit_stdlib_legacy_up_sql);
        bool custom = to->perm_helper == IR_HELPER_V2
                      && !ir_auth_equal(&to->auth, &ir_auth_default);
        emit_note(&e, "helper rlsc.has_perm: create%s%s\n",
                  to->perm_helper == IR_HELPER_V1 ? " (legacy, for rlsc 0.1.0 policies)" : "",
                  custom ? arena_printf(e.arena, " for the user table %s",
                                        to->auth.f[IR_AUTH_USER_TABLE]) : "");
    }
    bool header = false;
    for (int i = 0; i < to->roles.n; i++) {
        const IrRole *r = to->roles.items[i];
        if (emit_has_role(from, r->name))
            continue;
        if (!header)
            sb_puts(out, "\n-- roles\n");
        header = true;
        emit_role_create(&e, r);
    }
    /* Tables: merge the two sorted lists. */
    int i = 0, j = 0;
    while (i < from->tables.n || j < to->tables.n) {
        const IrTable *f = i < from->tables.n ? from->tables.items[i] : NULL;
        const IrTable *t = j < to->tables.n ? to->tables.items[j] : NULL;
        int c = !f ? 1 : !t ? -1 : ir_table_order(f, t);
        emit_table(&e, c <= 0 ? f : NULL, c >= 0 ? t : NULL);
        sb_flush(out, false); /* a table's text is final: stream it */
        i += c <= 0;
        j += c >= 0;
    }
    header = false;
    for (int k = from->roles.n - 1; k >= 0; k--) {
        const IrRole *r = from->roles.items[k];
        if (emit_has_role(to, r->name))
            continue;
        if (!header)
            sb_puts(out, "\n-- roles\n");
        header = true;
        emit_role_drop(&e, r);
    }
    if (from->perm_helper && from->perm_helper != to->perm_helper) {
        sb_puts(out, "\n");
        emit_helper_down(out, from->perm_helper);
        emit_note(&e, "helper rlsc.has_perm: drop%s unless other apps use it%s\n",
                  from->perm_helper == IR_HELPER_V1 ? " the legacy one" : "", "");
    }
}

/*
 * Splitting a script into statements.  Django's RunSQL re-lexes a single
 * string with sqlparse, which misreads backslashes and `--` inside
 * literals; a list of statements reaches the server unchanged.  The lexer
 * knows what rlsc writes (and what PostgreSQL reads): '...' with '' inside,
 * E'...' with backslash escapes, "..." identifiers, $tag$ ... $tag$, --
 * comments and nested block comments.  A `;` outside all of them ends a
 * statement, which keeps the rest of its line.  Comments and blank lines
 * before a statement belong to it; what trails the last statement belongs
 * to the last, because an empty or comment-only query is an error.
 */
static bool emit_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* The end of a $tag$ opening at s[i], or 0 if none opens there. */
static size_t emit_dollar_tag(const char *s, size_t i, size_t n)
{
    size_t j = i + 1;
    if (j < n && ((s[j] >= '0' && s[j] <= '9')))
        return 0; /* $1: a parameter, not a quote */
    while (j < n && s[j] != '$' && emit_ident_char(s[j]))
        j++;
    return j < n && s[j] == '$' ? j + 1 : 0;
}

void emit_statements(Arena *a, const char *sql, PtrVec *out)
{
    size_t n = strlen(sql), start = 0, i = 0;
    bool seen = false; /* a token other than space or comment since start */
    while (i < n) {
        char c = sql[i];
        if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            while (i < n && sql[i] != '\n')
                i++;
            continue;
        }
        if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            int depth = 0;
            while (i < n) {
                if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*')
                    depth++, i += 2;
                else if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0)
                        break;
                } else
                    i++;
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            i++;
            continue;
        }
        seen = true;
        if (c == '\'' || c == '"') {
            bool esc = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e')
                       && (i < 2 || !emit_ident_char(sql[i - 2]));
            for (i++; i < n; i++) {
                if (esc && sql[i] == '\\' && i + 1 < n)
                    i++;
                else if (sql[i] == c) {
                    if (i + 1 < n && sql[i + 1] == c)
                        i++;
                    else
                        break;
                }
            }
            i++;
            continue;
        }
        if (c == '$' && (i == 0 || !emit_ident_char(sql[i - 1]))) {
            size_t end = emit_dollar_tag(sql, i, n);
            if (end) {
                size_t len = end - i;
                const char *close = NULL;
                for (size_t j = end; j + len <= n; j++)
                    if (memcmp(sql + j, sql + i, len) == 0) {
                        close = sql + j;
                        break;
                    }
                i = close ? (size_t)(close - sql) + len : n;
                continue;
            }
        }
        if (c == ';') {
            i++;
            while (i < n && (sql[i] == ' ' || sql[i] == '\t' || sql[i] == '\r'))
                i++;
            if (i < n && sql[i] == '\n')
                i++;
            vec_push(a, out, arena_strndup(a, sql + start, i - start));
            start = i;
            seen = false;
            continue;
        }
        i++;
    }
    if (start < n) {
        if (seen || out->n == 0)
            vec_push(a, out, arena_strndup(a, sql + start, n - start));
        else /* only comments and space: keep them with the last statement */
            out->items[out->n - 1] =
                arena_printf(a, "%s%s", (const char *)out->items[out->n - 1], sql + start);
    }
}

void emit_sql(StrBuf *out, const Ir *ir, bool down, bool txn)
{
    static const Ir empty;
    sb_printf(out, "-- Generated by rlsc (%s). Do not edit.\n", down ? "down" : "up");
    if (txn)
        sb_puts(out, "BEGIN;\n");
    if (down)
        emit_diff(out, NULL, ir, &empty);
    else
        emit_diff(out, NULL, &empty, ir);
    if (txn)
        sb_puts(out, "COMMIT;\n");
}
