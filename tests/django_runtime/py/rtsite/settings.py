"""Settings of the django_runtime tests: the billing example's settings, plus a
second app with policies (`ledger`), a few test views, and persistent
connections (a request's connection is reused by the next request)."""
from billing_site.settings import *  # noqa: F401,F403
from billing_site.settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = INSTALLED_APPS + ['ledger']
ROOT_URLCONF = 'rtsite.urls'
DATABASES['default']['CONN_MAX_AGE'] = 600

# The test views raise on purpose: no tracebacks in the test output.
LOGGING = {
    'version': 1,
    'disable_existing_loggers': False,
    'loggers': {'django.request': {'level': 'CRITICAL'}},
}
