/*
 * ast.c — AST constructors and names.  The node types are in ast.h.
 */
#include "ast.h"

#include <stdlib.h>
#include <string.h>

Expr *ast_expr(Arena *a, ExprKind kind, Span loc)
{
    Expr *e = arena_alloc(a, sizeof *e);
    e->kind = kind;
    e->loc = loc;
    e->level = -1;
    return e;
}

/* Depth of e's tree, stopping at limit + 1.  Iterative: it runs before the
 * recursive passes, which a 300,000-term OR chain would overflow. */
int ast_depth(const Expr *root, int limit)
{
    typedef struct { const Expr *e; int d; } Item;
    size_t cap = 64, n = 0;
    Item *stack = malloc(cap * sizeof *stack);
    int max = 0;
    if (!stack)
        return limit + 1;
    if (root)
        stack[n++] = (Item){root, 1};
    while (n && max <= limit) {
        Item it = stack[--n];
        if (it.d > max)
            max = it.d;
        const Expr *kids[3 + 2] = {it.e->a, it.e->b, it.e->c,
                                   it.e->sub ? it.e->sub->target : NULL,
                                   it.e->sub ? it.e->sub->where : NULL};
        size_t need = n + 5 + (size_t)it.e->args.n;
        if (need > cap) {
            while (cap < need)
                cap *= 2;
            Item *grown = realloc(stack, cap * sizeof *stack);
            if (!grown) {
                free(stack);
                return limit + 1;
            }
            stack = grown;
        }
        for (int i = 0; i < 5; i++)
            if (kids[i])
                stack[n++] = (Item){kids[i], it.d + 1};
        for (int i = 0; i < it.e->args.n; i++)
            stack[n++] = (Item){it.e->args.items[i], it.d + 1};
    }
    free(stack);
    return max;
}

void ast_grant_perm(Arena *a, const Perm *p, const char *file_app, const Block *b,
                    const char **app, const char **codename)
{
    if (p->custom) {
        const char *dot = strchr(p->name, '.');
        *app = dot ? arena_strndup(a, p->name, (size_t)(dot - p->name)) : NULL;
        *codename = dot ? dot + 1 : p->name;
        return;
    }
    const char *verb = p->cmd == CMD_SELECT   ? "view"
                       : p->cmd == CMD_INSERT ? "add"
                       : p->cmd == CMD_UPDATE ? "change"
                       : p->cmd == CMD_DELETE ? "delete"
                                              : "";
    *app = file_app;
    *codename = arena_printf(a, "%s_%s", verb, util_lower(a, b->name.name, strlen(b->name.name)));
}
