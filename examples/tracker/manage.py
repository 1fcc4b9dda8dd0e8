#!/usr/bin/env python3
"""manage.py of the rlsc tracker example.

The database comes from the usual libpq variables: PGHOST, PGPORT,
PGDATABASE, PGUSER, PGPASSWORD (tracker_site/settings.py).  Inside the rlsc
source tree the Django app `rlsc` is imported from ../../stdlib/django;
elsewhere put that directory on PYTHONPATH (or copy rlsc/ beside this file).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    sys.path.insert(0, HERE)
    stdlib = os.path.join(HERE, '..', '..', 'stdlib', 'django')
    if os.path.isdir(os.path.join(stdlib, 'rlsc')):
        sys.path.insert(1, stdlib)
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tracker_site.settings')
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)


if __name__ == '__main__':
    main()
