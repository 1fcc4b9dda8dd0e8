/*
 * pgconn.h — a live database read through libpq in one read-only
 * snapshot: what `rlsc catalog --db`, `--db` catalogs and `rlsc import`
 * share.
 */
#ifndef RLSC_PGCONN_H
#define RLSC_PGCONN_H

#include <libpq-fe.h>

#include "diag.h"

/* A connection inside BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY, or
 * NULL after "cannot connect to the database: ..." in d. */
PGconn *pgconn_open(Arena *a, Diag *d, const char *conninfo);
/* Ends the snapshot and the connection. */
void pgconn_close(PGconn *conn);
/* libpq's message without its final line break, which diag_fail adds. */
const char *pgconn_error(Arena *a, PGconn *conn);

#endif
