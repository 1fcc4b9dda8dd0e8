/*
 * ir.c — the policy IR's canonical order and lookups.
 *
 * Sorted order makes output independent of the order of files, blocks and
 * rules, so emitted SQL and recorded migration state are stable.
 */
#include "rlsc.h"

#include <stdlib.h>
#include <string.h>

static int ir_cmp_table(const void *a, const void *b)
{
    const IrTable *x = *(IrTable *const *)a, *y = *(IrTable *const *)b;
    int c = strcmp(x->schema ? x->schema : "", y->schema ? y->schema : "");
    return c ? c : strcmp(x->name, y->name);
}

static int ir_cmp_policy(const void *a, const void *b)
{
    return strcmp((*(IrPolicy *const *)a)->name, (*(IrPolicy *const *)b)->name);
}

static int ir_cmp_role(const void *a, const void *b)
{
    return strcmp((*(IrRole *const *)a)->name, (*(IrRole *const *)b)->name);
}

static void ir_qsort(PtrVec *v, int (*cmp)(const void *, const void *))
{
    if (v->n > 1)
        qsort(v->items, (size_t)v->n, sizeof(void *), cmp);
}

void ir_sort(Ir *ir)
{
    ir_qsort(&ir->tables, ir_cmp_table);
    for (int i = 0; i < ir->tables.n; i++)
        ir_qsort(&((IrTable *)ir->tables.items[i])->policies, ir_cmp_policy);
    ir_qsort(&ir->roles, ir_cmp_role);
}

IrTable *ir_find_table(const Ir *ir, const char *schema, const char *name)
{
    IrTable key = {.schema = schema, .name = name};
    IrTable *kp = &key;
    IrTable **hit = bsearch(&kp, ir->tables.items, (size_t)ir->tables.n,
                            sizeof(void *), ir_cmp_table);
    return hit ? *hit : NULL;
}
