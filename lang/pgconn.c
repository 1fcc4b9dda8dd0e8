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

const char *pgconn_result_error(Arena *a, PGconn *conn, const PGresult *res)
{
    const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char *s = arena_strdup(a, m ? m : PQerrorMessage(conn));
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return s;
}

const char *pgconn_try(Arena *a, PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    const char *err = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK
                          ? NULL : pgconn_result_error(a, conn, res);
    PQclear(res);
    return err;
}

PGconn *pgconn_connect(Arena *a, Diag *d, const char *conninfo)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        diag_fail(d, "cannot connect to the database: %s", pgconn_error(a, conn));
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

PGconn *pgconn_open(Arena *a, Diag *d, const char *conninfo)
{
    PGconn *conn = pgconn_connect(a, d, conninfo);
    if (!conn)
        return NULL;
    /* everything read in one snapshot */
    PQclear(PQexec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    return conn;
}

void pgconn_close(PGconn *conn)
{
    PQclear(PQexec(conn, "ROLLBACK"));
    PQfinish(conn);
}
