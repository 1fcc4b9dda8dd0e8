/*
 * pgconn.h — a live database read through libpq in one read-only
 * snapshot: what `rlsc catalog --db`, `--db` catalogs and `rlsc import`
 * share.
 */
#ifndef RLSC_PGCONN_H
#define RLSC_PGCONN_H

#include <libpq-fe.h>

#include "diag.h"

/* A connection, or NULL after "cannot connect to the database: ..." in d. */
PGconn *pgconn_connect(Arena *a, Diag *d, const char *conninfo);
/* pgconn_connect, inside BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY. */
PGconn *pgconn_open(Arena *a, Diag *d, const char *conninfo);
/* Ends the snapshot and the connection. */
void pgconn_close(PGconn *conn);
/* libpq's message without its final line break, which diag_fail adds. */
const char *pgconn_error(Arena *a, PGconn *conn);
/* A failed result's primary message (res NULL, or without one: libpq's),
 * on one line. */
const char *pgconn_result_error(Arena *a, PGconn *conn, const PGresult *res);
/* Runs sql (one or more statements) for its success alone: NULL, or the
 * error as pgconn_result_error gives it. */
const char *pgconn_try(Arena *a, PGconn *conn, const char *sql);

#endif
