/*
 * cascade.c — the warning about deletes that cascade into protected rows.
 *
 * Django carries out on_delete=CASCADE itself: its Collector deletes the
 * child rows first, then the parent, each DELETE under the policies.  When
 * the policies let a user see a parent row but not delete it (a `grant
 * delete`, a `deny delete`, or no delete rule at all), the children go,
 * the parent silently stays (0 rows), and Django reports it deleted.  The
 * catalog says which foreign keys cascade (`on delete cascade`: the Django
 * catalog for on_delete=CASCADE, a live database for ON DELETE CASCADE);
 * the IR says what deleting is allowed.  There is no way to decide
 * conditions equal, so the test is by policy text: deleting is at least as
 * wide as reading when every permissive policy that applies to select
 * applies to delete too, and every restrictive one that applies to delete
 * applies to select.
 */
#include "compile.h"

#include <string.h>

/* A policy as far as the rows it admits go: kind, roles, USING. */
static const char *cascade_sig(Arena *a, const IrPolicy *p)
{
    StrBuf sb;
    sb_init(&sb, a);
    sb_puts(&sb, p->restrictive ? "R" : "P");
    for (int i = 0; i < p->roles.n; i++)
        sb_printf(&sb, "\x1f%s", (const char *)p->roles.items[i]);
    sb_printf(&sb, "\x1e%s", p->using_ ? p->using_ : "");
    return sb_str(&sb);
}

/* Are the policies of `cmd` among those of `other` (restrictive or
 * permissive ones only)? */
static bool cascade_subset(Arena *a, const IrTable *t, CmdSet cmd, CmdSet other,
                           bool restrictive)
{
    Map *have = map_new(a);
    for (int i = 0; i < t->policies.n; i++) {
        const IrPolicy *p = t->policies.items[i];
        if ((p->cmd & other) && p->restrictive == restrictive)
            map_put(have, cascade_sig(a, p), (void *)p);
    }
    for (int i = 0; i < t->policies.n; i++) {
        const IrPolicy *p = t->policies.items[i];
        if ((p->cmd & cmd) && p->restrictive == restrictive && !map_get(have, cascade_sig(a, p)))
            return false;
    }
    return true;
}

static bool cascade_delete_narrower(Arena *a, const IrTable *t)
{
    return !cascade_subset(a, t, CMD_SELECT, CMD_DELETE, false)
           || !cascade_subset(a, t, CMD_DELETE, CMD_SELECT, true);
}

void cascade_check(Arena *a, Diag *d, const Catalog *cat, const Ir *ir)
{
    /* The cascading foreign keys by the table they reference (child and
     * column, in catalog order): one pass over the catalog, where a pass
     * per table of the IR made the check quadratic in tables. */
    Map *refs = map_new(a);
    bool any = false;
    for (int j = 0; j < cat->table_list.n; j++) {
        const CatTable *child = cat->table_list.items[j];
        for (int k = 0; k < child->columns.n; k++) {
            const CatColumn *c = child->columns.items[k];
            if (!c->ref_cascade)
                continue;
            const char *key = ir_table_key(a, ir_schema(c->ref_schema), c->ref_table);
            PtrVec *v = map_get(refs, key);
            if (!v) {
                v = arena_alloc(a, sizeof *v);
                map_put(refs, key, v);
            }
            vec_push(a, v, (void *)child);
            vec_push(a, v, (void *)c);
            any = true;
        }
    }
    for (int i = 0; i < ir->tables.n && any; i++) {
        const IrTable *t = ir->tables.items[i];
        const PtrVec *v = map_get(refs, ir_table_key(a, t->schema, t->name));
        if (!v)
            continue;
        StrBuf children;
        sb_init(&children, a);
        for (int k = 0; k + 1 < v->n; k += 2)
            sb_printf(&children, "%s%s.%s", children.len ? ", " : "",
                      ((const CatTable *)v->items[k])->name,
                      ((const CatColumn *)v->items[k + 1])->name);
        /* after `deny delete` only the first advice fits */
        bool denied = (t->denied & CMD_DELETE) != 0;
        if (cascade_delete_narrower(a, t))
            diag_lint(d, "RLS011", t->loc,
                         "Django deletes the rows that cascade from a '%s' row first (%s), "
                         "but these policies %s a '%s' row its user sees: then the children "
                         "are gone, the row stays, and Django reports it deleted; check "
                         "before deleting in the application%s",
                         t->name, sb_str(&children), denied ? "refuse to delete" : "can refuse to delete",
                         t->name, denied ? "" : ", or allow the delete wherever the row is visible");
    }
}
