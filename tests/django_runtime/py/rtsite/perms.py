"""Settings of perms.sh: rtsite's, plus the app `gate` and a custom
authentication backend after ModelBackend."""
from rtsite.settings import *  # noqa: F401,F403
from rtsite.settings import INSTALLED_APPS

INSTALLED_APPS = INSTALLED_APPS + ['gate']
ROOT_URLCONF = 'rtsite.perms_urls'
AUTHENTICATION_BACKENDS = [
    'django.contrib.auth.backends.ModelBackend',
    'gate.backends.GateBackend',
]
