/*
 * pgconn.c — connecting to a live database for reading its catalogs
 * (pgconn.h).
 */
#include "pgconn.h"

#include <string.h>

const char *pgconn_error(Arena *a, PGconn *conn)
{
    const char *m = PQerrorMessage(conn);
    size_t n = strlen(m);
    return arena_strndup(a, m, n && m[n - 1] == '\n' ? n - 1 : n);
}

PGconn *pgconn_open(Arena *a, Diag *d, const char *conninfo)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        diag_fail(d, "cannot connect to the database: %s", pgconn_error(a, conn));
        PQfinish(conn);
        return NULL;
    }
    /* everything read in one snapshot */
    PQclear(PQexec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    return conn;
}

void pgconn_close(PGconn *conn)
{
    PQclear(PQexec(conn, "ROLLBACK"));
    PQfinish(conn);
}
