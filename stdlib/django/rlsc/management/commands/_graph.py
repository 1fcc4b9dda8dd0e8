"""What Django's migration graph says about the tables of a recorded policy
state (for `makemigrations` and `squashmigrations`; not a command).

Each policy migration records the tables it put policies on (RLSC_STATE).
Django's later migrations may rename those tables (RenameModel,
AlterModelTable, a renamed many-to-many field or a changed through
db_table): ALTER TABLE ... RENAME takes the policies along.  Or delete them
(DeleteModel, RemoveField of a many-to-many field): DROP TABLE drops the
policies too, and migrating back re-creates the table without them.  Only
the graph knows which happened, so `Lifecycle` replays the operations that
run after the state's migration and follows every table of the state by the
model (or many-to-many field) it belongs to, not by its name.

From that it plans the policy migrations to write, in order:

- before each migration that deletes tables of the state, one that removes
  their policies alone and runs before it (`run_before`), so that migrating
  back re-creates them after Django has re-created the tables;
- then the usual one, after the app's latest migrations, with the state's
  tables renamed as Django renamed them (nothing re-created).

Each step names tables as they are at its place in the graph, which is
what the state it records must say.
"""
import copy
import importlib
import re
import sys

from django.conf import settings
from django.db import connection
from django.db.models import Field
from django.db.backends.utils import strip_quotes, truncate_name
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader

from ...catalog import table_name

# rlsc's own test for a migration file name (emit_django.c dj_is_migration)
MIGRATION = re.compile(r'([0-9]{4,})_[A-Za-z0-9_]+\Z')


def load(pending=None):
    """The migration graph as on disk, plus the migrations Django has
    computed but not written (`--dry-run`): {app: [Migration]}."""
    importlib.invalidate_caches()  # files Django has just written
    loader = MigrationLoader(None, ignore_no_migrations=True)
    graph = loader.graph
    added = []
    for app_label, migrations in (pending or {}).items():
        for migration in migrations:
            key = (app_label, migration.name)
            migration = copy.copy(migration)
            migration.operations = [_unbound(op) for op in migration.operations]
            if key not in graph.nodes:
                graph.add_node(key, migration)
                added.append((key, migration))
    for key, migration in added:
        for dep in migration.dependencies:
            parent = loader.check_key(_swappable(tuple(dep)), key[0])
            if parent is not None:
                graph.add_dependency(migration, key, parent, skip_validation=True)
    return loader


def _swappable(dep):
    """A dependency as a migration file has it: the autodetector's
    ('__setting__', 'AUTH_USER_MODEL') is written swappable_dependency(...),
    the first migration of the user model's app."""
    if dep[0] == '__setting__':
        return (getattr(settings, dep[1]).split('.', 1)[0], '__first__')
    return dep


def _unbound(op):
    """op rebuilt with fresh fields: the autodetector's may be bound to
    the models it rendered, which a ProjectState refuses."""
    def fresh(value):
        if isinstance(value, Field):
            return value.clone()
        if isinstance(value, (list, tuple)):
            return type(value)(fresh(v) for v in value)
        return value
    _, args, kwargs = op.deconstruct()
    return type(op)(*[fresh(a) for a in args], **{k: fresh(v) for k, v in kwargs.items()})


def module_of(migration):
    return sys.modules.get(type(migration).__module__)


def state_of(migration):
    """The RLSC_STATE text a migration records, or None."""
    text = getattr(module_of(migration), 'RLSC_STATE', None)
    return text if isinstance(text, str) else None


def newest_state(loader, app_label):
    """(migration name, state text) of the state `rlsc django` diffs
    against: the migration file with the highest number (then name) that
    records one.  None when the app has none."""
    best = None
    for (app, name), migration in loader.disk_migrations.items():
        m = MIGRATION.match(name)
        text = state_of(migration) if app == app_label and m else None
        if text is not None and (best is None or (int(m.group(1)), name) > best[0]):
            best = ((int(m.group(1)), name), text)
    return (best[0][1], best[1]) if best else None


def _unescape(field):
    if field == '\\N':
        return None
    return re.sub(r'\\(.)', lambda m: {'t': '\t', 'n': '\n'}.get(m.group(1), m.group(1)),
                  field)


def state_tables(text):
    """The tables of a state as (schema, name), schema 'public' when the
    state leaves it unwritten.  Only the `table` lines are read; rlsc
    itself checks the rest."""
    tables = []
    for line in text.split('\n'):
        fields = line.split('\t')
        if fields[0] == 'table' and len(fields) == 4:
            schema, name = _unescape(fields[1]), _unescape(fields[2])
            tables.append((schema or 'public', name))
    return tables


def is_empty_state(text):
    """A state with nothing in it: the app's policies are all gone."""
    return [line for line in text.split('\n') if line] == ['rlsc-state\t1']


def graph_node(graph, key):
    """key, or the squashed migration that stands for it in the graph."""
    if key in graph.nodes:
        return key
    for node, migration in graph.nodes.items():
        if key in (getattr(migration, 'replaces', None) or ()):
            return node
    return None


def quote(table):
    """A table for rlsc's --renamed and --deleted: each part quoted."""
    return '.'.join('"%s"' % part.replace('"', '""') for part in table)


# ------------------------------------------------------------ following tables

def _max_name():
    return connection.ops.max_name_length()


def _table(state, key):
    """The table of an identity in a ProjectState: ('model', app, model) or
    ('m2m', app, model, field) for an auto-created many-to-many table;
    None when it has none (gone, proxy, unmanaged, explicit through)."""
    model_state = state.models.get((key[1], key[2]))
    if model_state is None:
        return None
    options = model_state.options
    if options.get('proxy') or options.get('managed') is False:
        return None
    db_table = options.get('db_table') or truncate_name('%s_%s' % (key[1], key[2]), _max_name())
    if key[0] == 'model':
        return table_name(db_table)
    field = model_state.fields.get(key[3])
    if field is None or not getattr(field, 'many_to_many', False) \
            or getattr(field.remote_field, 'through', None) is not None:
        return None
    m2m = field.db_table or truncate_name('%s_%s' % (strip_quotes(db_table), key[3]),
                                         _max_name())
    return table_name(m2m)


def _identities(state):
    for (app, model), model_state in state.models.items():
        yield ('model', app, model)
        for name, field in model_state.fields.items():
            if getattr(field, 'many_to_many', False):
                yield ('m2m', app, model, name)


def _renamed(op, app, key):
    """key as it is after op (RenameModel, RenameField)."""
    if isinstance(op, ops.SeparateDatabaseAndState):
        for sub in op.state_operations:
            key = _renamed(sub, app, key)
        return key
    if isinstance(op, ops.RenameModel) and key[1] == app and key[2] == op.old_name_lower:
        return key[:2] + (op.new_name_lower,) + key[3:]
    if isinstance(op, ops.RenameField) and key[0] == 'm2m' and key[1] == app \
            and key[2] == op.model_name_lower and key[3] == op.old_name:
        return key[:3] + (op.new_name,)
    return key


def _drops(op):
    """Does op drop tables in the database?"""
    if isinstance(op, ops.SeparateDatabaseAndState):
        return any(_drops(sub) for sub in op.database_operations)
    return isinstance(op, (ops.DeleteModel, ops.RemoveField))


class Release:
    """A policy migration that removes the policies of `deleted` (named as
    they are just before `before`, the migration that deletes them) and
    runs before it; `renamed` [(old, new)] brings the state to that point."""

    def __init__(self, before, nodes, renamed, deleted):
        self.before, self.renamed, self.deleted = before, renamed, deleted
        self._nodes = nodes  # migrations with renames since the last step

    def after(self, graph, last):
        """Its dependencies: those of the deleting migration, so that it
        runs just before it, and the last policy migration (`last`) and the
        renaming migrations when the deleting one does not follow them."""
        ancestors = set(graph.forwards_plan(self.before))
        keys = [_swappable(tuple(dep)) for dep in graph.nodes[self.before].dependencies]
        keys += [n for n in [last] + self._nodes if n and n not in ancestors and n not in keys]
        return ['%s.%s' % key for key in keys]


class Lifecycle:
    """The tables of the state recorded by `state_key` (app, name), followed
    through `plan`: by default the migrations that run after the state's
    and before the app's next one."""

    def __init__(self, loader, app_label, state_key, text, plan=None):
        self.loader, self.graph, self.app = loader, loader.graph, app_label
        self.start = graph_node(self.graph, state_key)
        self.tables = state_tables(text)
        self.nodes = plan if plan is not None else self._plan()
        self.events = []      # (node, 'renamed' | 'deleted', old, new)
        if self.start is not None:
            self._walk()

    def _plan(self):
        done = set(self.graph.forwards_plan(self.start)) if self.start else set()
        out = []
        for leaf in self.graph.leaf_nodes(self.app):
            for key in self.graph.forwards_plan(leaf):
                if key not in done:
                    done.add(key)
                    out.append(key)
        return out

    def _walk(self):
        state = self.loader.project_state(self.start, at_end=True)
        wanted = set(self.tables)
        tracked = {}
        for key in _identities(state):
            table = _table(state, key)
            if table in wanted:
                tracked[key] = table
        for node in self.nodes:
            migration = self.graph.nodes[node]
            for op in migration.operations:
                tracked = {_renamed(op, migration.app_label, k): v for k, v in tracked.items()}
                op.state_forwards(migration.app_label, state)
                drops = _drops(op)
                for key, old in list(tracked.items()):
                    new = _table(state, key)
                    if new == old:
                        continue
                    if new is None:
                        del tracked[key]
                        if drops:
                            self.events.append((node, 'deleted', old, None))
                    else:
                        tracked[key] = new
                        self.events.append((node, 'renamed', old, new))

    def steps(self, applied=frozenset()):
        """([Release...], renamed): the release migrations to write, and the
        renames [(old, new)] for the usual migration after them.  A
        deleting migration already applied (in `applied`) cannot get one
        placed before it: its tables are left to the usual migration, whose
        DROP skips a table that is gone (and whose reverse then fails)."""
        current = {t: t for t in self.tables}   # name at the last step -> now
        releases, since = [], []
        by_node = {}
        for node, kind, old, new in self.events:
            by_node.setdefault(node, []).append((kind, old, new))
        for node in self.nodes:
            events = by_node.get(node, [])
            gone = [old for kind, old, _ in events if kind == 'deleted']
            if gone and node not in applied:
                renamed = [(b, c) for b, c in current.items() if c is not None and b != c]
                releases.append(Release(node, since, renamed, gone))
                current = {c: c for c in current.values() if c is not None and c not in gone}
                since = []
            for kind, old, new in events:
                for base, now in current.items():
                    if now == old:
                        current[base] = new  # None when deleted
                if kind == 'renamed':
                    since.append(node)
        renamed = [(b, c) for b, c in current.items() if c is not None and b != c]
        return releases, renamed
