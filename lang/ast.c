/*
 * ast.c — AST constructors and names.  The node types are in rlsc.h.
 */
#include "rlsc.h"

Expr *ast_expr(Arena *a, ExprKind kind, Span loc)
{
    Expr *e = arena_alloc(a, sizeof *e);
    e->kind = kind;
    e->loc = loc;
    e->level = -1;
    return e;
}

const char *ast_cmd_name(CmdSet one)
{
    switch (one) {
    case CMD_SELECT: return "select";
    case CMD_INSERT: return "insert";
    case CMD_UPDATE: return "update";
    case CMD_DELETE: return "delete";
    case CMD_ALL: return "all";
    default: return "?";
    }
}
