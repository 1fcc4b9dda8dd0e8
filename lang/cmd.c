/*
 * cmd.c — names of the SQL commands a policy is for.
 */
#include "cmd.h"

const char *cmd_name(CmdSet one)
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
