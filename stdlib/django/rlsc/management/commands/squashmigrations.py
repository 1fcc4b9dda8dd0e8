"""`manage.py squashmigrations`, which keeps the policy state.

Django copies the operations of the migrations it squashes, rlsc's RunSQL
lists included, but not their module-level RLSC_STATE: once the originals
are deleted, `makemigrations` would find no recorded state and create every
policy again.  So the squashed migration gets the RLSC_STATE of the newest
policy migration it replaces, copied as rlsc wrote it.

That state names the tables as they were when it was recorded.  A later
migration of the squash that renames or deletes one of them (a rename that
`makemigrations` has not followed with a policy migration yet) would make
it wrong at the squash's end, so such a squash is refused: end it at the
policy migration that follows.
"""
import os
import re

from django.apps import apps
from django.core.management.base import CommandError
from django.core.management.commands.squashmigrations import Command as DjangoCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from . import _graph
from .makemigrations import migrations_dir

_STATE = re.compile(r'^RLSC_STATE = \(\n.*?^\)$', re.M | re.S)


class Command(DjangoCommand):
    help = DjangoCommand.help + ' Keeps the row-level-security policy state (RLSC_STATE).'

    def handle(self, **options):
        app_label = options['app_label']
        try:
            config = apps.get_app_config(app_label)
        except LookupError as err:
            raise CommandError(str(err))
        newest = self.newest_policy_migration(app_label, options)
        directory = migrations_dir(config)
        before = set(os.listdir(directory)) if os.path.isdir(directory) else set()
        super().handle(**options)
        if newest is None or not os.path.isdir(directory):
            return
        for name in sorted(set(os.listdir(directory)) - before):
            if name.endswith('.py'):
                self.keep_state(os.path.join(directory, name), newest)

    def newest_policy_migration(self, app_label, options):
        """The last migration of the squash (in the order Django applies
        them) that records a policy state, or None; refuses a squash whose
        later migrations rename or delete that state's tables."""
        loader = MigrationLoader(connections[DEFAULT_DB_ALIAS])
        if app_label not in loader.migrated_apps:
            return None  # Django says why
        last = self.find_migration(loader, app_label, options['migration_name'])
        squashed = [key for key in loader.graph.forwards_plan((last.app_label, last.name))
                    if key[0] == app_label]
        if options.get('start_migration_name'):
            first = self.find_migration(loader, app_label, options['start_migration_name'])
            if (first.app_label, first.name) in squashed:
                squashed = squashed[squashed.index((first.app_label, first.name)):]
        stateful = [i for i, key in enumerate(squashed)
                    if _graph.state_of(loader.graph.nodes[key]) is not None]
        if not stateful:
            return None
        key = squashed[stateful[-1]]
        migration = loader.graph.nodes[key]
        life = _graph.Lifecycle(loader, app_label, key, _graph.state_of(migration),
                                plan=squashed[stateful[-1] + 1:])
        for node, kind, old, new in life.events:
            raise CommandError(
                'rlsc: %s.%s %s the table %s after %s recorded its policies, so the squashed '
                'migration would record a wrong state: squash up to the policy migration '
                'that `makemigrations` writes after %s.'
                % (node[0], node[1], 'renames' if kind == 'renamed' else 'deletes',
                   _graph.quote(old), key[1], node[1]))
        return migration

    def keep_state(self, path, migration):
        """Appends migration's RLSC_STATE, as rlsc wrote it, to path."""
        module = _graph.module_of(migration)
        with open(module.__file__, encoding='utf-8') as f:
            found = _STATE.search(f.read())
        if not found:
            raise CommandError('rlsc: %s records RLSC_STATE in a form rlsc did not write'
                               % module.__file__)
        with open(path, encoding='utf-8') as f:
            text = f.read()
        if '\nRLSC_STATE = ' in text:
            return
        text += ('\n\n# rlsc: the policy state that %s recorded (squashmigrations keeps\n'
                 '# it): the next makemigrations diffs the policies against it.\n%s\n'
                 % (migration.name, found.group(0)))
        tmp = path + '.rlsc.tmp'
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(text)
        os.replace(tmp, path)
        if self.verbosity > 0:
            self.stdout.write('  rlsc: kept the policy state of %s in %s'
                              % (migration.name, os.path.basename(path)))
