"""`manage.py makemigrations`, which also writes policy migrations.

After Django's own migrations, every installed app with .rls files gets its
policy migration from `rlsc django`, checked against the catalog of the
models (no database needed).  `--check` fails on model or policy drift;
`--dry-run` prints instead of writing.
"""
import importlib
import os
import shutil
import subprocess
import sys
import tempfile

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.commands.makemigrations import Command as DjangoCommand
from django.db.migrations.loader import MigrationLoader

from ...rlsfiles import app_rls_files


def rlsc_binary():
    path = (getattr(settings, 'RLSC_BINARY', None) or os.environ.get('RLSC')
            or shutil.which('rlsc'))
    if not path:
        raise CommandError('rlsc: the rlsc compiler was not found; install it or set '
                           'RLSC_BINARY in settings (or RLSC in the environment)')
    return path


def migrations_dir(app_config):
    module, _ = MigrationLoader.migrations_module(app_config.label)
    try:
        return importlib.import_module(module).__path__[0]
    except ImportError:
        return os.path.join(app_config.path, 'migrations')


class Command(DjangoCommand):
    help = DjangoCommand.help + ' Also writes row-level-security policy migrations ' \
        'for apps with .rls files.'

    def handle(self, *app_labels, **options):
        model_drift = False
        try:
            super().handle(*app_labels, **options)
        except SystemExit as exit:
            if not exit.code:
                raise
            model_drift = True  # --check found model changes; report policies too
        policy_drift = self.write_policy_migrations(app_labels, options)
        if options.get('check_changes') and (model_drift or policy_drift):
            sys.exit(1)

    def write_policy_migrations(self, app_labels, options):
        configs = [apps.get_app_config(label) for label in app_labels] if app_labels \
            else list(apps.get_app_configs())
        targets = [(c, app_rls_files(c)) for c in configs]
        targets = [(c, files) for c, files in targets if files]
        if not targets:
            return False
        rlsc = rlsc_binary()
        drift = False
        with tempfile.TemporaryDirectory(prefix='rlsc-') as tmp:
            catalog = os.path.join(tmp, 'catalog.rls')
            call_command('rlsc_catalog', output=catalog)
            for app_config, files in targets:
                cmd = [rlsc, 'django', '--catalog', catalog,
                       '--migrations', migrations_dir(app_config)]
                if options.get('check_changes'):
                    cmd.append('--check')
                if options.get('dry_run'):
                    cmd.append('--dry-run')
                if options.get('name'):
                    cmd += ['--name', options['name'] + '_policies']
                proc = subprocess.run(cmd + files, capture_output=True, text=True)
                if proc.stdout and options.get('verbosity', 1) >= 1:
                    self.stdout.write(proc.stdout, ending='')
                if proc.returncode == 1 and options.get('check_changes') \
                        and not proc.stderr.count(': error: '):
                    drift = True
                elif proc.returncode != 0:
                    raise CommandError(f'rlsc failed for app {app_config.label}:\n'
                                       + proc.stderr)
                elif proc.stderr and options.get('verbosity', 1) >= 1:
                    self.stderr.write(proc.stderr, ending='')  # warnings
        return drift
