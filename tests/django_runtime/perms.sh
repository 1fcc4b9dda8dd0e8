#!/bin/sh
# tests/django_runtime/perms.sh — `grant` decides exactly as Django's
# user.has_perm() on both paths (TAP): the decisions the runtime hands to
# the database (every authentication backend, a custom one included) and
# the database's own rlsc.has_perm (ModelBackend); users active, inactive,
# superuser, with direct, group and custom permissions, anonymous;
# revocation in the next request; decisions bound to their user.
# Details: tests/django_runtime/README.md and py/rt_perms.py.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/django_runtime/lib.sh"
rt_setup
DJANGO_SETTINGS_MODULE=rtsite.perms
export DJANGO_SETTINGS_MODULE
rt_run_py rt_perms.py
tap_plan
