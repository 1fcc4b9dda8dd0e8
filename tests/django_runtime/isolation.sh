#!/bin/sh
# tests/django_runtime/isolation.sh — the billing example on real Django and
# PostgreSQL (TAP): makemigrations (the committed migrations come out
# again), migrate, then tenant isolation through the ORM and raw SQL
# (reads, creates, bulk creates, moves, cross-tenant updates and deletes,
# no context), the grant/allow/deny rules, bypass and auditor roles, the
# middleware (per request transaction, contexts from the resolvers, nothing
# left on the persistent connection after a request, an exception or a
# database error), nested rlsc.context, and the system checks.
# Details: tests/django_runtime/README.md and py/rt_isolation.py.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/django_runtime/lib.sh"
rt_setup
rt_run_py rt_isolation.py
tap_plan
