/*
 * cmd.h — the four SQL commands as a bit set, shared by the AST and the IR.
 */
#ifndef RLSC_CMD_H
#define RLSC_CMD_H

#include <stdbool.h>

/* Commands as a bit set; CMD_ALL is all four. */
enum {
    CMD_SELECT = 1,
    CMD_INSERT = 2,
    CMD_UPDATE = 4,
    CMD_DELETE = 8,
    CMD_ALL = 15,
};
typedef unsigned CmdSet;

/* "select", ..., "all" */
const char *cmd_name(CmdSet one);

#endif
