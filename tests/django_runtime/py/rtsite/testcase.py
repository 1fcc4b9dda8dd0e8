"""Settings of testcase.sh: `manage.py test teams` with Django's own test
runner and test database.  The example's settings with the app `teams`
instead of billing (whose membership table is not protected): its tenant
resolver reads a protected table.  The TAP test runner prints one TAP line
per test for lib.sh."""
from billing_site.settings import *  # noqa: F401,F403

INSTALLED_APPS = [
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'rlsc',
    'teams',
]
ROOT_URLCONF = 'teams.urls'
RLSC_CONTEXT_RESOLVERS = {
    'user': 'rlsc.resolvers.user_pk',
    'tenant': 'teams.tenancy.team_of',
}
TEST_RUNNER = 'rtsite.taprunner.TapRunner'

# The test views raise on purpose: no tracebacks in the test output.
LOGGING = {
    'version': 1,
    'disable_existing_loggers': False,
    'loggers': {'django.request': {'level': 'CRITICAL'}},
}
