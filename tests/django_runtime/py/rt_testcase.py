"""testcase.sh: `manage.py test teams` (Django's test runner, its test
database, TestCase and TransactionTestCase with the test Client) against the
real server, as the ordinary role billing_owner.

Run by tests/django_runtime/testcase.sh (lib.sh) in the project copy, with
DJANGO_SETTINGS_MODULE=rtsite.testcase.  The tests themselves are
teams/tests.py; rtsite.taprunner prints a TAP line for each.
"""
import re

from rt_common import Tap, manage

tap = Tap()
ENV = {'DJANGO_SETTINGS_MODULE': 'rtsite.testcase'}

proc = manage('makemigrations', 'teams', env=ENV)
tap.ok(proc.returncode == 0 and 'rlsc_policies' in proc.output,
       "makemigrations teams (the model migration and rlsc's)", proc.output)

proc = manage('test', 'teams', '--noinput', env=ENV)
tap_lines = [line for line in proc.stdout.splitlines()
             if line.startswith(('ok ', 'not ok ', '#'))]
for line in tap_lines:
    print(line)
ran = re.search(r'^Ran (\d+) tests?', proc.stderr, re.M)
counted = sum(1 for line in tap_lines if line.startswith(('ok ', 'not ok ')))
tap.ok(ran is not None and int(ran.group(1)) == counted and counted >= 10,
       f'manage.py test teams ran every test ({ran.group(1) if ran else "?"} tests, '
       f'{counted} TAP lines)', proc.stderr)
tap.ok(proc.returncode == 0, 'manage.py test teams exits 0',
       '\n'.join(proc.stderr.splitlines()[-4:]))
tap.ok('rlsc.W' not in proc.stderr, 'no rlsc system check warning for the test database',
       proc.stderr)
# What the README warns about: as a superuser the policies do not apply, so
# the tests of isolation fail here (elsewhere they might pass vacuously),
# and the system checks that `manage.py test` runs say why.
proc = manage('test', 'teams.tests.RequestsInOneTransaction.test_starts_unset', '--noinput',
              env=dict(ENV, PGUSER='postgres'))
tap.ok(proc.returncode != 0 and 'rlsc.W001' in proc.stderr
       and 'FAIL: test_starts_unset' in proc.stderr,
       'manage.py test as the superuser postgres: rlsc.W001, and a test sees every row',
       proc.stderr)
tap.done()
