"""`manage.py rlsc_catalog`: the rlsc catalog of the installed models.

Writes what `rlsc catalog --db` would print for the tables `migrate` creates
(see rlsc/catalog.py), without connecting to the database: use it in CI and
on machines without the production database, and give the file to
`rlsc check|sql|django --catalog FILE`.
"""
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ...catalog import catalog_permissions, catalog_tables, render, write_atomically


class Command(BaseCommand):
    help = ('Writes the rlsc catalog (.rls table declarations) of the installed '
            "apps' models, from the models alone: no database connection is made.")

    def add_arguments(self, parser):
        parser.add_argument(
            '--output', '-o', metavar='FILE',
            help='Write the catalog to FILE (atomically: a temporary file and a '
                 'rename) instead of standard output.')
        parser.add_argument(
            '--database', default=DEFAULT_DB_ALIAS, metavar='ALIAS',
            help='The database alias whose tables are described (its routers '
                 'decide which models it has; it must be PostgreSQL). Default: '
                 '"default".')

    def handle(self, *args, **options):
        alias = options['database']
        if alias not in connections:
            raise CommandError("rlsc_catalog: no database alias '%s' in DATABASES" % alias)
        connection = connections[alias]      # creating it does not connect
        if connection.vendor != 'postgresql':
            raise CommandError(
                "rlsc_catalog: database '%s' uses the %s backend; rlsc describes "
                'PostgreSQL tables' % (alias, connection.vendor))
        tables, history_error = catalog_tables(connection, alias)
        if history_error is not None:
            self.stderr.write(
                'rlsc_catalog: warning: cannot read the migration files (%s); '
                'columns are listed in model order' % history_error)
        text = render(tables, catalog_permissions())
        output = options.get('output')
        if output and output != '-':
            try:
                write_atomically(output, text)
            except OSError as e:
                raise CommandError('rlsc_catalog: cannot write %s: %s' % (output, e))
        else:
            self.stdout.write(text, ending='')
            self.stdout.flush()
