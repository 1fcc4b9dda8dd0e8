#!/bin/sh
# tests/django_runtime/concurrency.sh — tenant isolation under concurrency (TAP):
# at least 8 threads, each on its own persistent connection, switch tenants
# with rlsc.context on every iteration and query through the ORM and raw
# SQL (>= 20000 queries); two more threads send requests of users of
# different customers through the middleware.  Every returned row must be
# the current tenant's; the figure (queries/s) is printed as a comment.
# RT_WORKERS, RT_ITERATIONS, RT_HTTP_REQUESTS change the load.
# Details: tests/django_runtime/README.md, py/rt_concurrency.py.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/django_runtime/lib.sh"
rt_setup
rt_run_py rt_concurrency.py
tap_plan
