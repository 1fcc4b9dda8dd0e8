"""`manage.py rlsc_test`: runs the `test` blocks of the apps' .rls files.

The tests run against the test database, made as Django's test runner makes
it (`connection.creation.create_test_db`: `test_<NAME>` unless
DATABASES['TEST']['NAME'] says otherwise, migrated, so the policies of the
migrations are in place), with `rlsc test`: each test in its own
transaction with the compiled policies of the files applied, rolled back.
The files compile against the catalog of the models (`rlsc_catalog`), as
makemigrations compiles them.  `rlsc test` prints TAP, which is passed on;
the test database is destroyed afterwards (unless --keepdb), and the exit
status is rlsc's: 0 all passed, 1 a test failed or the files have errors,
2 no database.

The connection's password goes to rlsc in PGPASSWORD, never on its command
line, where any local user could read it.
"""
import os
import subprocess
import sys
import tempfile

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ...checks import conninfo
from ...rlsfiles import app_rls_files
from .makemigrations import rlsc_binary


def _libpq(connection):
    """(conninfo, environment) of a connection, as the drift check builds
    them: the password only in PGPASSWORD."""
    info, password = conninfo(connection.get_connection_params())
    env = dict(os.environ)
    if password:
        env['PGPASSWORD'] = password
    return info, env


class Command(BaseCommand):
    help = ("Runs the `test` blocks of the installed apps' .rls files (rlsc test) "
            'against the test database, created and migrated as the test runner '
            'does; TAP on standard output.')

    def add_arguments(self, parser):
        parser.add_argument(
            'app_labels', nargs='*', metavar='app_label',
            help='Only the tests of these apps (default: every installed app with .rls files).')
        parser.add_argument(
            '--database', default=DEFAULT_DB_ALIAS, metavar='ALIAS',
            help='The database alias whose test database is used. Default: "default".')
        parser.add_argument(
            '--keepdb', action='store_true',
            help='Keep the test database between runs (as `manage.py test --keepdb`).')
        parser.add_argument(
            '--noinput', '--no-input', action='store_false', dest='interactive',
            help='Destroy an old test database without asking.')

    def handle(self, *app_labels, **options):
        try:
            configs = [apps.get_app_config(label) for label in app_labels] if app_labels \
                else list(apps.get_app_configs())
        except LookupError as e:
            raise CommandError(f'rlsc_test: {e}')
        files = [path for config in configs for path in app_rls_files(config)]
        if not files:
            raise CommandError('rlsc_test: no .rls files in the apps')
        alias = options['database']
        if alias not in connections:
            raise CommandError(f"rlsc_test: no database alias '{alias}' in DATABASES")
        connection = connections[alias]
        if connection.vendor != 'postgresql':
            raise CommandError(f"rlsc_test: database '{alias}' is not PostgreSQL")
        rlsc = rlsc_binary()
        verbosity = options['verbosity']
        old_name = connection.settings_dict['NAME']
        with tempfile.TemporaryDirectory(prefix='rlsc-') as tmp:
            catalog = os.path.join(tmp, 'catalog.rls')
            call_command('rlsc_catalog', output=catalog, database=alias)
            # messages of its own go to stderr: stdout is the TAP stream
            connection.creation.create_test_db(
                verbosity=verbosity, autoclobber=not options['interactive'],
                serialize=False, keepdb=options['keepdb'])
            try:
                info, env = _libpq(connection)
                proc = subprocess.run([rlsc, 'test', '--db', info, '--catalog', catalog] + files,
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True)
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=verbosity,
                                                    keepdb=options['keepdb'])
        sys.stdout.write(proc.stdout)
        sys.stdout.flush()
        if proc.stderr:
            self.stderr.write(proc.stderr, ending='')
        if proc.returncode != 0:
            sys.exit(proc.returncode)
