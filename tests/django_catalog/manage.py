#!/usr/bin/env python3
"""manage.py of the rlsc Django test project (tests/django_catalog).

The database comes from the usual libpq variables: PGHOST, PGPORT, PGUSER,
PGPASSWORD, PGDATABASE.  The rlsc app is imported from stdlib/django of
this source tree.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    sys.path[:0] = [HERE, os.path.join(HERE, '..', '..', 'stdlib', 'django')]
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'testproject.settings')
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)


if __name__ == '__main__':
    main()
