"""lifecycle.sh: Django's migrations change the tables that have policies.

The apps `forum` and `wiki` (settings `lcsite`) start without migrations;
the test writes their models.py and policies.rls for each step, runs
makemigrations as a user would, and migrates forward, back and forward:

- removed: wiki's .rls file is deleted: `makemigrations --check` reports
  it, `makemigrations` writes the migration that removes wiki's policies
  (the role editor too, the helper stays for forum);
- rename: RenameModel Comment -> Note moves the policies with the table
  (and with its many-to-many table): the policy migration creates nothing;
  a squash that would record a state older than the rename is refused;
- table: AlterModelTable (db_table 'forum_notes') likewise;
- replace: Note replaced by Post ("Create model Post / Delete model Note"):
  a policy migration removes Note's policies before Django's migration
  deletes the table, another creates Post's after it;
- handwritten: a hand-written DeleteModel migration gets the same;
- squash: squashmigrations of all of forum, originals deleted: the state is
  kept (`--check` clean, forum migrates to zero and back, the next edit is
  incremental).

After each step the database is compared (tests/django_runtime/py/rt_common.py
snapshot) before, after and after back-and-forth.  RT_LIFECYCLE_STEPS
(comma-separated names above; default all, in that order) runs some of them
alone, each from the start.
"""
import os
import re
import subprocess

from rt_common import PY, PROJECT, Tap, admin_connection, manage, read, snapshot, write

tap = Tap()
STEPS = [s for s in os.environ.get('RT_LIFECYCLE_STEPS', '').split(',') if s] or \
    ['removed', 'rename', 'table', 'replace', 'handwritten', 'squash']
FORUM = os.path.join('forum', 'migrations')
WIKI = os.path.join('wiki', 'migrations')

admin = admin_connection()
acur = admin.cursor()


def listing(directory=FORUM):
    return sorted(n for n in os.listdir(directory) if n.endswith('.py') and n != '__init__.py')


def makemigrations(*args, answer=None):
    """manage.py makemigrations; answer: what the user types at Django's
    questions (a rename)."""
    proc = subprocess.run([PY, os.path.join(PROJECT, 'manage.py'), 'makemigrations', *args],
                          cwd=PROJECT, capture_output=True, text=True, input=answer,
                          env=os.environ)
    proc.output = proc.stdout + proc.stderr
    return proc


def migrate(*args, desc=None):
    proc = manage('migrate', '--no-input', *args)
    tap.ok(proc.returncode == 0, desc or 'migrate ' + ' '.join(args), proc.output)
    return proc.returncode == 0


def check_clean(desc):
    proc = makemigrations('--check', '--dry-run')
    tap.ok(proc.returncode == 0 and 'would be written' not in proc.stdout, desc, proc.output)


def state():
    return snapshot(acur)


def policies():
    """{table: [policy, ...]} of the apps' tables."""
    acur.execute("SELECT tablename, policyname FROM pg_policies "
                 "WHERE tablename ~ '^(forum|wiki)_' ORDER BY 1, 2")
    out = {}
    for table, name in acur.fetchall():
        out.setdefault(table, []).append(name)
    return out


def flags(table):
    acur.execute('SELECT relrowsecurity, relforcerowsecurity FROM pg_class '
                 'WHERE oid = to_regclass(%s)', [table])
    return acur.fetchone()


def module(path):
    """Names defined by a migration file (without importing Django's
    migration machinery twice): its RLSC_STATE, UP_SQL, DOWN_SQL, and the
    Migration's dependencies and run_before."""
    import importlib.util
    spec = importlib.util.spec_from_file_location('m_' + os.path.basename(path)[:-3], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def summary(path):
    text = read(path)
    block = text.split('# What changes:\n', 1)[1].split('\n\n', 1)[0]
    return [line[len('#   '):] for line in block.splitlines()]


def sql_of(path):
    mod = module(path)
    return ''.join(mod.UP_SQL), ''.join(mod.DOWN_SQL)


# ------------------------------------------------------------ the apps' sources

class Forum:
    """What forum's models.py and policies.rls say at each step."""

    def __init__(self):
        self.note = 'Comment'       # the model with the many-to-many table; None: gone
        self.db_table = None        # its Meta.db_table
        self.tag = self.flag = True
        self.post = False
        self.board_update = False   # an edit after the squash

    def table(self):
        return self.db_table or 'forum_' + self.note.lower()

    def models(self):
        out = ['"""lifecycle.sh\'s forum: rt_lifecycle.py writes this file for each step."""',
               'from django.conf import settings', 'from django.db import models', '', '',
               'class Board(models.Model):', '    name = models.CharField(max_length=50)', '']
        if self.tag:
            out += ['', 'class Tag(models.Model):',
                    "    board = models.ForeignKey(Board, on_delete=models.CASCADE, "
                    "related_name='+')",
                    '    label = models.CharField(max_length=30)', '']
        if self.flag:
            out += ['', 'class Flag(models.Model):',
                    "    board = models.ForeignKey(Board, on_delete=models.CASCADE, "
                    "related_name='+')",
                    '    reason = models.CharField(max_length=30)', '']
        if self.note:
            out += ['', 'class %s(models.Model):' % self.note,
                    "    board = models.ForeignKey(Board, on_delete=models.CASCADE, "
                    "related_name='+')",
                    '    author = models.ForeignKey(settings.AUTH_USER_MODEL, '
                    "on_delete=models.CASCADE, related_name='+')",
                    '    body = models.TextField()',
                    '    tags = models.ManyToManyField(Tag, blank=True)']
            if self.db_table:
                out += ['', '    class Meta:', "        db_table = '%s'" % self.db_table]
            out += ['']
        if self.post:
            out += ['', 'class Post(models.Model):',
                    "    board = models.ForeignKey(Board, on_delete=models.CASCADE, "
                    "related_name='+')",
                    '    author = models.ForeignKey(settings.AUTH_USER_MODEL, '
                    "on_delete=models.CASCADE, related_name='+')",
                    '    title = models.CharField(max_length=100)', '']
        return '\n'.join(out)

    def policies(self):
        out = ["-- lifecycle.sh's forum: rt_lifecycle.py writes this file for each step.",
               'app forum;', "context tenant bigint  = 'app.tenant_id';",
               "context user   integer = 'app.user_id';", 'role moderator bypass;',
               'model Board { tenant id; allow select;%s }'
               % (" allow update using (name <> '');" if self.board_update else '')]
        if self.tag:
            out += ['model Tag { tenant board_id; allow select, insert; }']
        if self.flag:
            out += ['model Flag { tenant board_id; allow select, insert; }']
        if self.note:
            out += ['model %s {' % self.note, '    tenant board_id;', '    allow select, insert;',
                    '    allow update, delete using (author_id = $user);', '    grant view;', '}',
                    'table %s_tags { allow select, insert, delete; }' % self.table()]
        if self.post:
            out += ['model Post {', '    tenant board_id;', '    allow select, insert;',
                    '    grant view;', '}']
        return '\n'.join(out) + '\n'

    def write(self):
        write(os.path.join('forum', 'models.py'), self.models())
        write(os.path.join('forum', 'policies.rls'), self.policies())


forum = Forum()
forum.write()

# ------------------------------------------------------------ the start

proc = makemigrations()
tap.ok(proc.returncode == 0 and listing() == ['0001_initial.py', '0002_rlsc_policies.py']
       and listing(WIKI) == ['0001_initial.py', '0002_rlsc_policies.py'],
       'makemigrations: forum and wiki get 0001_initial and 0002_rlsc_policies', proc.output)
for app in ('contenttypes', 'auth', 'sessions'):
    manage('migrate', '--no-input', app, check=True)
EMPTY = state()
migrate(desc='migrate: forum and wiki with their policies')
check_clean('makemigrations --check is clean')

acur.execute("INSERT INTO auth_user (username, password, is_superuser, first_name, last_name, "
             "email, is_staff, is_active, date_joined) VALUES ('ann', '', false, '', '', '', "
             "false, true, now()) RETURNING id")
ANN = acur.fetchone()[0]
acur.execute("INSERT INTO forum_board (name) VALUES ('a'), ('b') RETURNING id")
A, B = [r[0] for r in acur.fetchall()]


def visible(table, tenant):
    """Rows of table that billing_owner (the owner, RLS forced) sees with
    $tenant set."""
    import psycopg2
    conn = psycopg2.connect(host=os.environ['PGHOST'], port=os.environ['PGPORT'],
                            user='billing_owner', dbname='billing')
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant)])
            cur.execute('SELECT count(*) FROM %s' % table)
            return cur.fetchone()[0]
    finally:
        conn.close()


def isolated(table, column='body'):
    """One row of each board in table; each tenant sees its own only."""
    acur.execute('DELETE FROM %s' % table)
    acur.execute('INSERT INTO %s (board_id, author_id, %s) VALUES (%%s, %%s, %%s), '
                 '(%%s, %%s, %%s)' % (table, column), [A, ANN, 'x', B, ANN, 'y'])
    return (visible(table, A), visible(table, B), visible(table, '')) == (1, 1, 0)


tap.ok(isolated(forum.table()), 'forum_comment is isolated by board')
START = state()
tap.ok('forum_comment' in START and 'wiki_page' in START, 'the policies are on', START)


def back_and_forth(app, target, before, desc):
    """migrate back to target (the database exactly `before`) and forward
    again (exactly as it was)."""
    after = state()
    if migrate(app, target, desc=f'{desc}: migrate {app} {target}'):
        tap.same_text(state(), before, f'{desc}: back at {target}, the database is exactly '
                      'as before')
    if migrate(app, desc=f'{desc}: migrate {app} forward again'):
        tap.same_text(state(), after, f'{desc}: forward again, the same database')


def new_files(before, directory=FORUM):
    return sorted(set(listing(directory)) - set(before))


# ------------------------------------------------------------ wiki's .rls file removed

def step_removed():
    before, S = listing(WIKI), state()
    os.remove(os.path.join('wiki', 'policies.rls'))
    proc = makemigrations('--check')
    tap.ok(proc.returncode == 1 and "Policy changes for app 'wiki'" in proc.stdout
           and 'wiki_page: drop policy tenant' in proc.stdout,
           'removed: makemigrations --check exits 1 and reports that wiki\'s policies go',
           proc.output)
    tap.eq(listing(WIKI), before, 'removed: ... writing nothing')
    proc = makemigrations()
    added = new_files(before, WIKI)
    tap.ok(proc.returncode == 0 and added == ['0003_rlsc_policies.py'],
           'removed: makemigrations writes wiki/0003_rlsc_policies.py', proc.output, added)
    if added != ['0003_rlsc_policies.py']:
        return
    path = os.path.join(WIKI, added[0])
    got = summary(path)
    tap.ok('wiki_page: drop policy tenant' in got and 'role editor: drop if rlsc created it '
           'and nothing uses it' in got
           and 'helper rlsc.has_perm: drop unless other apps use it' in got
           and not any(line.startswith('forum') for line in got),
           'removed: it drops wiki\'s policies, its role and its use of the helper', *got)
    tap.ok('no .rls files any more' in read(path), 'removed: its header says why')
    check_clean('removed: makemigrations --check is clean afterwards')
    migrate('wiki', desc='removed: migrate wiki')
    acur.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'editor'")
    editor = acur.fetchone()[0]
    acur.execute("SELECT count(*) FROM pg_proc WHERE proname = 'has_perm'")
    helper = acur.fetchone()[0]
    tap.eq((policies().get('wiki_page'), flags('wiki_page'), editor, helper > 0),
           (None, (False, False), 0, True),
           'removed: wiki_page has no policy and RLS off, the role editor is gone, '
           'rlsc.has_perm stays for forum')
    tap.ok(isolated(forum.table()), 'removed: forum is still isolated')
    back_and_forth('wiki', '0002_rlsc_policies', S, 'removed')


# ------------------------------------------------------------ RenameModel

def step_rename():
    before, S = listing(), state()
    old_table, old_policies = forum.table(), policies()
    forum.note = 'Note'
    forum.write()
    proc = makemigrations('--check', '--dry-run', answer='y\n')
    tap.ok(proc.returncode == 1 and 'forum_note: renamed from forum_comment' in proc.stdout
           and 'create policy' not in proc.stdout and listing() == before,
           'rename: makemigrations --check --dry-run reports the move (Django\'s migration '
           'not written yet), writing nothing', proc.output)
    proc = makemigrations(answer='y\n')
    added = new_files(before)
    tap.ok(proc.returncode == 0 and len(added) == 2 and added[0].endswith('_rename_comment_note.py')
           and added[1].endswith('_rlsc_policies.py'),
           'rename: Django writes RenameModel (answering its question), rlsc a policy migration',
           proc.output, added)
    if len(added) != 2:
        return
    django_name, path = added[0][:-3], os.path.join(FORUM, added[1])
    got = summary(path)
    tap.ok('forum_note: renamed from forum_comment by Django\'s migrations (its policies moved '
           'with it)' in got and 'forum_note_tags: renamed from forum_comment_tags by Django\'s '
           'migrations (its policies moved with it)' in got,
           'rename: the policy migration records that both tables moved', *got)
    up, down = sql_of(path)
    tap.ok('CREATE POLICY' not in up + down and 'DROP POLICY' not in up + down
           and 'ENABLE ROW LEVEL SECURITY' not in up + down,
           'rename: it creates and drops no policy either way (only the grant, named after '
           'the model, is renamed and altered)', up, down)
    tap.eq(module(path).Migration.dependencies[0], ('forum', django_name),
           'rename: it depends on the RenameModel migration')
    check_clean('rename: makemigrations --check is clean')
    # a squash whose state is older than a rename it contains is refused
    proc = manage('squashmigrations', '--no-input', 'forum', django_name)
    tap.ok(proc.returncode != 0 and 'renames the table' in proc.output
           and listing() == sorted(before + added),
           'rename: squashmigrations up to the RenameModel (before the policy migration '
           'that follows it) is refused, writing nothing', proc.output, listing())
    for name in set(listing()) - set(before + added):
        os.remove(os.path.join(FORUM, name))
    if not migrate('forum', desc='rename: migrate forum (RenameModel, then the policies)'):
        return
    now = policies()
    want = {k.replace(old_table, 'forum_note'): [p.replace('comment', 'note') for p in v]
            for k, v in old_policies.items() if k.startswith('forum')}
    tap.eq({k: v for k, v in now.items() if k.startswith('forum')}, want,
           'rename: forum_note and forum_note_tags have the policies forum_comment had')
    tap.ok(isolated('forum_note'), 'rename: forum_note is isolated by board')
    back_and_forth('forum', before[-1][:-3], S, 'rename')


# ------------------------------------------------------------ AlterModelTable

def step_table():
    before, S = listing(), state()
    old_table = forum.table()
    forum.db_table = 'forum_notes'
    forum.write()
    proc = makemigrations('--noinput')
    added = new_files(before)
    tap.ok(proc.returncode == 0 and len(added) == 2 and '_alter_' in added[0]
           and added[1].endswith('_rlsc_policies.py'),
           'table: Django writes AlterModelTable, rlsc a policy migration', proc.output, added)
    if len(added) != 2:
        return
    path = os.path.join(FORUM, added[1])
    got = summary(path)
    tap.eq(sorted(got), sorted([
        f"forum_notes: renamed from {old_table} by Django's migrations (its policies moved "
        "with it)",
        f"forum_notes_tags: renamed from {old_table}_tags by Django's migrations (its "
        "policies moved with it)"]),
        'table: the policy migration records the two tables moved, nothing else')
    tap.eq(sql_of(path), ('', ''), 'table: it runs no SQL either way')
    check_clean('table: makemigrations --check is clean')
    if not migrate('forum', desc='table: migrate forum'):
        return
    now = policies()
    tap.ok('forum_notes' in now and 'forum_notes_tags' in now and old_table not in now,
           'table: the policies are on forum_notes and forum_notes_tags', now)
    tap.ok(isolated('forum_notes'), 'table: forum_notes is isolated by board')
    back_and_forth('forum', before[-1][:-3], S, 'table')


# ------------------------------------------------------------ a model replaced

def replace_files(before, added, old_table):
    """The layout of the three migrations of a model replaced."""
    django_name = added[0][:-3]
    release, after = os.path.join(FORUM, added[1]), os.path.join(FORUM, added[2])
    m = module(release).Migration
    tap.ok(m.run_before == [('forum', django_name)]
           and ('forum', before[-1][:-3]) in m.dependencies,
           'replace: the first runs before Django\'s migration, after the one before it',
           m.run_before, m.dependencies)
    got = summary(release)
    tap.ok(got and all(re.match(rf'{old_table}(_tags)?: ', line) for line in got)
           and f'{old_table}: drop policy tenant' in got,
           f'replace: it only drops the policies of {old_table} and its many-to-many table',
           *got)
    up, down = sql_of(release)
    tap.ok('CREATE POLICY' not in up and 'CREATE POLICY' in down,
           'replace: ... and its reverse re-creates them', up)
    tap.eq(module(after).Migration.dependencies[0], ('forum', django_name),
           'replace: the second depends on Django\'s migration')
    got = summary(after)
    tap.ok(got and all(line.startswith('forum_post: ') for line in got),
           'replace: it only creates the policies of forum_post', *got)


def step_replace():
    before, S = listing(), state()
    old_table = forum.table()
    forum.note, forum.db_table, forum.post = None, None, True
    forum.write()
    proc = makemigrations('--check', '--dry-run', '--noinput')
    reports = re.findall(r'\((\d{4}_\w+\.py) would be written\)', proc.stdout)
    tap.ok(proc.returncode == 1 and len(reports) == 2 and 'rlsc_before_' in reports[0]
           and reports[1].endswith('_rlsc_policies.py') and listing() == before
           and f'{old_table}: drop policy tenant' in proc.stdout.split(reports[1])[0]
           and f'{old_table}: drop' not in proc.stdout.split(reports[1])[1],
           'replace: makemigrations --check --dry-run reports both policy migrations (the '
           'second as it follows the first), writing nothing', proc.output)
    proc = makemigrations('--noinput')
    added = new_files(before)
    tap.ok(proc.returncode == 0 and len(added) == 3 and 'rlsc_before_' in added[1]
           and added[2].endswith('_rlsc_policies.py'),
           'replace: Django writes "Create model Post / Delete model ..." and rlsc two '
           'policy migrations, one to run before it', proc.output, added)
    if len(added) == 3:
        replace_files(before, added, old_table)
    check_clean('replace: makemigrations --check is clean')
    if len(added) == 3:
        plan = manage('migrate', '--plan', 'forum').stdout
        order = [plan.find('forum.' + n[:-3]) for n in added]
        tap.ok(all(i >= 0 for i in order) and order[1] < order[0] < order[2],
               'replace: Django plans the policy removal, its migration, the new policies',
               plan)
    if not migrate('forum', desc='replace: migrate forum'):
        return
    now = policies()
    tap.ok('forum_post' in now and old_table not in now, 'replace: forum_post has policies',
           now)
    tap.ok(isolated('forum_post', 'title'), 'replace: forum_post is isolated by board')
    back_and_forth('forum', before[-1][:-3], S, 'replace')
    if len(added) != 3:
        return
    # half way: the policies gone, the table still there
    T = state()
    if migrate('forum', added[1][:-3], desc='replace: migrate forum back to the policy '
               'removal only'):
        tap.eq((policies().get(old_table), flags(old_table)), (None, (False, False)),
               f'replace: {old_table} is back, without policies and with RLS off')
    if migrate('forum', desc='replace: migrate forum forward again'):
        tap.same_text(state(), T, 'replace: the same database')


# ------------------------------------------------------------ a hand-written DeleteModel

def step_handwritten():
    before, S = listing(), state()
    forum.flag = False
    forum.write()
    leaf = manage('showmigrations', '--plan', 'forum').stdout.strip().splitlines()[-1]
    leaf = leaf.split('forum.', 1)[1].strip()
    number = int(re.match(r'\d+', before[-1]).group()) + 1
    hand = '%04d_drop_flag' % number
    write(os.path.join(FORUM, hand + '.py'),
          'from django.db import migrations\n\n\n'
          'class Migration(migrations.Migration):\n'
          f"    dependencies = [('forum', '{leaf}')]\n"
          "    operations = [migrations.DeleteModel(name='Flag')]\n")
    before.append(hand + '.py')
    proc = makemigrations('--noinput')
    added = new_files(before)
    tap.ok(proc.returncode == 0 and len(added) == 1 and f'rlsc_before_{number:04d}' in added[0],
           'handwritten: a hand-written DeleteModel gets a policy migration that runs '
           'before it (and nothing else)', proc.output, added)
    if len(added) != 1:
        return
    m = module(os.path.join(FORUM, added[0])).Migration
    tap.eq((m.run_before, m.dependencies[0]), ([('forum', hand)], ('forum', leaf)),
           'handwritten: placed between the hand-written migration and the one before it')
    tap.ok(all(line.startswith('forum_flag: ') for line in summary(os.path.join(FORUM, added[0]))),
           'handwritten: it drops forum_flag\'s policies only')
    check_clean('handwritten: makemigrations --check is clean')
    if migrate('forum', desc='handwritten: migrate forum'):
        tap.ok('forum_flag' not in policies(), 'handwritten: forum_flag is gone')
        back_and_forth('forum', leaf, S, 'handwritten')


# ------------------------------------------------------------ squashing

def step_squash():
    originals = listing()
    last = manage('showmigrations', '--plan', 'forum').stdout.strip().splitlines()[-1]
    last = last.split('forum.', 1)[1].strip()
    proc = manage('squashmigrations', '--no-input', 'forum', last)
    added = new_files(originals)
    tap.ok(proc.returncode == 0 and len(added) == 1 and '_squashed_' in added[0],
           f'squash: squashmigrations forum {last}', proc.output, added)
    if len(added) != 1:
        return
    squashed = os.path.join(FORUM, added[0])
    tap.ok('\nRLSC_STATE = (' in read(squashed), 'squash: the squashed migration records the '
           'policy state', read(squashed)[-2000:])
    migrate(desc='squash: migrate (Django records the squashed migration as applied)')
    S = state()
    for name in originals:
        os.remove(os.path.join(FORUM, name))
    proc = makemigrations('--check', '--dry-run')
    tap.ok(proc.returncode == 0 and "No changes detected in app 'forum'" in proc.stdout,
           'squash: originals deleted, makemigrations --check is clean (nothing re-created)',
           proc.output)
    if migrate('forum', 'zero', desc='squash: migrate forum zero through the squashed '
               'migration'):
        acur.execute("SELECT count(*) FROM pg_policies WHERE tablename LIKE 'forum%'")
        tap.eq(acur.fetchone()[0], 0, 'squash: no forum policy left')
    if migrate('forum', desc='squash: migrate forum from zero'):
        tap.same_text(state(), S, 'squash: the same database as before')
    # the next change is incremental, against the squashed state
    forum.board_update = True
    forum.write()
    before, S = listing(), state()
    proc = makemigrations()
    added = new_files(before)
    tap.ok(proc.returncode == 0 and len(added) == 1 and added[0] not in originals,
           'squash: a new rule gives one migration, not named as one the squash replaces',
           proc.output, added)
    if len(added) != 1:
        return
    path = os.path.join(FORUM, added[0])
    got = summary(path)
    tap.ok(len(got) == 1 and re.match(r'forum_board: create policy allow_update_', got[0]),
           'squash: ... holding only the new rule', *got)
    tap.eq(module(path).Migration.dependencies[0], ('forum', os.path.basename(squashed)[:-3]),
           'squash: ... depending on the squashed migration')
    if migrate('forum', desc='squash: migrate forum'):
        back_and_forth('forum', os.path.basename(squashed)[:-3], S, 'squash')

for step in STEPS:
    tap.note(f'step {step}')
    {'removed': step_removed, 'rename': step_rename, 'table': step_table,
     'replace': step_replace, 'handwritten': step_handwritten, 'squash': step_squash}[step]()

tap.done()
