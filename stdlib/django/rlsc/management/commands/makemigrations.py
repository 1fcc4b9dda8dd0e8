"""`manage.py makemigrations`, which also writes policy migrations.

After Django's own migrations, every installed app with .rls files gets its
policy migration from `rlsc django`, checked against the catalog of the
models (no database needed).  `--check` fails on model or policy drift;
`--dry-run` prints instead of writing.

What Django's migrations did to the tables of the app's recorded policy
state comes from the migration graph (`_graph.py`) and is passed on: tables
renamed since (`--renamed`, their policies moved along), tables a migration
deletes (a policy migration of their own runs before it: `--deleted`,
`--run-before`), and the app's latest migrations (`--after`).  An app whose
migrations record policies but that has no .rls file any more gets the
migration that removes them (`--app` without files).  `RLSC_TARGET =
'citus'` in the settings compiles for Citus (`rlsc django --target citus`).
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
from django.db.migrations import Migration
from django.db.migrations.loader import MigrationLoader

from ...binary import find_rlsc
from ...rlsfiles import app_rls_files
from . import _graph


def rlsc_binary():
    path = find_rlsc()
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


def applied_migrations():
    """(app, name) applied on the default database; empty without one."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.recorder import MigrationRecorder
    try:
        return set(MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations())
    except Exception:  # noqa: BLE001 (no database: nothing is applied)
        return set()


def _release_name(app_label, node):
    """rlsc_before_NNNN: the migration it runs before."""
    app, name = node
    number = name.split('_', 1)[0]
    part = number if number.isdigit() else name
    return 'rlsc_before_%s' % (part if app == app_label else '%s_%s' % (app, part))


class Command(DjangoCommand):
    help = DjangoCommand.help + ' Also writes row-level-security policy migrations ' \
        'for apps with .rls files.'

    def handle(self, *app_labels, **options):
        self._pending = {}
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

    def write_migration_files(self, changes):
        self._pending = changes  # with --dry-run, the graph lacks them
        super().write_migration_files(changes)

    def write_policy_migrations(self, app_labels, options):
        configs = [apps.get_app_config(label) for label in app_labels] if app_labels \
            else list(apps.get_app_configs())
        loader = _graph.load(self._pending if options.get('dry_run') else None)
        targets = []
        for config in configs:
            files = app_rls_files(config)
            found = _graph.newest_state(loader, config.label)
            # an app whose .rls files are gone still has policies to remove
            if files or (found and not _graph.is_empty_state(found[1])):
                targets.append((config, files, found))
        if not targets:
            return False
        self.rlsc = rlsc_binary()
        self.options = options
        self.simulate = bool(options.get('check_changes') or options.get('dry_run'))
        self.loader = loader
        self.applied = None
        drift = False
        with tempfile.TemporaryDirectory(prefix='rlsc-') as tmp:
            self.tmp = tmp
            self.catalog = os.path.join(tmp, 'catalog.rls')
            call_command('rlsc_catalog', output=self.catalog)
            for config, files, found in targets:
                drift |= self.app_policy_migrations(config, files, found)
        return drift

    def app_policy_migrations(self, config, files, found):
        """Writes (or with --check / --dry-run reports) the policy
        migrations of one app; True when --check finds drift."""
        label, graph = config.label, self.loader.graph
        directory = migrations_dir(config)
        if self.simulate and os.path.isdir(directory):
            # --check and --dry-run write nothing, yet each step reads the
            # state the one before would record: they work on a copy
            work = os.path.join(self.tmp, 'migrations-' + label)
            shutil.copytree(directory, work)
            for migration in self._pending.get(label, []) if self.options.get('dry_run') else []:
                path = os.path.join(work, migration.name + '.py')
                if not os.path.exists(path):
                    with open(path, 'w', encoding='utf-8') as f:
                        f.write('# %s, not written (--dry-run)\n' % migration.name)
        else:
            work = directory
        releases, renamed, last = [], [], None
        if found:
            life = _graph.Lifecycle(self.loader, label, (label, found[0]), found[1])
            if any(kind == 'deleted' for _, kind, _, _ in life.events):
                self.applied = applied_migrations() if self.applied is None else self.applied
                for node, kind, old, _ in life.events:
                    if kind == 'deleted' and node in self.applied:
                        self.stderr.write(
                            'rlsc: %s.%s deletes %s and is already applied, so no policy '
                            'migration can run before it: its policies are dropped with the '
                            'table, and migrating back past %s will not re-create them.\n'
                            % (node[0], node[1], _graph.quote(old), node[1]))
            releases, renamed = life.steps(self.applied or set())
            last = life.start
        drift = False
        for release in releases:
            name = self.free_name(label, work, _release_name(label, release.before))
            args = ['--app', label, '--name', name,
                    '--run-before', '%s.%s' % release.before]
            after = release.after(graph, last)
            for dep in after:
                args += ['--after', dep]
            for old, new in release.renamed:
                args += ['--renamed', _graph.quote(old) + '=' + _graph.quote(new)]
            for table in release.deleted:
                args += ['--deleted', _graph.quote(table)]
            written, found_drift = self.run_rlsc(label, work, args, more=True)
            drift |= found_drift
            if written:
                last = self.add_node(label, written, after, release.before)
        args = ['--catalog', self.catalog]
        for leaf in graph.leaf_nodes(label):
            args += ['--after', '%s.%s' % leaf]
        for old, new in renamed:
            args += ['--renamed', _graph.quote(old) + '=' + _graph.quote(new)]
        name = self.options['name'] + '_policies' if self.options.get('name') else 'rlsc_policies'
        if name != 'rlsc_policies' or self.free_name(label, work, name) != name:
            args += ['--name', self.free_name(label, work, name)]
        if not files:
            args += ['--app', label]
        _, found_drift = self.run_rlsc(label, work, args + files, more=False)
        return drift | found_drift

    def free_name(self, label, work, name):
        """name, or name_2, name_3, ...: the file rlsc writes, NNNN_name
        (one past the highest number, as rlsc counts), must not take the
        name of a migration that a squashed one replaces, or Django would
        take it for that one."""
        numbers = [int(m.group(1)) for m in map(_graph.MIGRATION.match,
                                                (n[:-3] for n in os.listdir(work)
                                                 if n.endswith('.py'))) if m] \
            if os.path.isdir(work) else []
        number = max(numbers, default=0) + 1
        replaced = {n for (app, _), m in self.loader.disk_migrations.items() if app == label
                    for a, n in (m.replaces or ()) if a == label}
        candidate, k = name, 1
        while '%04d_%s' % (number, candidate) in replaced:
            k += 1
            candidate = '%s_%d' % (name, k)
        return candidate

    def add_node(self, label, name, after, before):
        """Puts a release migration just written into the graph, so the
        next step depends on it and the app's leaves stay right."""
        graph, key = self.loader.graph, (label, name)
        migration = Migration(name, label)
        migration.dependencies = [tuple(dep.split('.', 1)) for dep in after]
        graph.add_node(key, migration)
        for dep in migration.dependencies:
            parent = self.loader.check_key(dep, label)
            if parent is not None:
                graph.add_dependency(migration, key, parent, skip_validation=True)
        graph.add_dependency(graph.nodes[before], before, key, skip_validation=True)
        return key

    def run_rlsc(self, label, work, args, more):
        """Runs one `rlsc django`; returns (the migration it wrote or would
        write, without .py, or None; whether --check found drift)."""
        base = [self.rlsc, 'django', '--migrations', work]
        if getattr(settings, 'RLSC_TARGET', None):   # 'citus': no subqueries in policies
            base += ['--target', settings.RLSC_TARGET]
        flags = []
        if self.options.get('check_changes'):
            flags.append('--check')
        if self.options.get('dry_run'):
            flags.append('--dry-run')
        before = set(os.listdir(work)) if os.path.isdir(work) else set()
        proc = subprocess.run(base + flags + args, capture_output=True, text=True)
        verbose = self.options.get('verbosity', 1) >= 1
        if proc.stdout and verbose:
            self.stdout.write(proc.stdout, ending='')
        drift = False
        if proc.returncode == 1 and self.options.get('check_changes') \
                and not proc.stderr.count(': error: '):
            drift = True
        elif proc.returncode != 0:
            raise CommandError(f'rlsc failed for app {label}:\n' + proc.stderr)
        elif proc.stderr and verbose:
            self.stderr.write(proc.stderr, ending='')  # warnings
        if self.simulate and more:
            # the next step reads the state this one records: write it to the copy
            proc = subprocess.run(base + args, capture_output=True, text=True)
            if proc.returncode != 0:
                raise CommandError(f'rlsc failed for app {label}:\n' + proc.stderr)
        added = sorted(n[:-3] for n in set(os.listdir(work)) - before if n.endswith('.py')) \
            if os.path.isdir(work) else []
        return (added[-1] if added else None), drift
