"""Settings of the rlsc Django test project: no secrets, database from PG*."""
import os

SECRET_KEY = 'rlsc-tests-only-not-secret'
DEBUG = False
ALLOWED_HOSTS = []
USE_TZ = True
TIME_ZONE = 'UTC'

INSTALLED_APPS = [
    'django.contrib.contenttypes',
    'django.contrib.auth',
    'django.contrib.postgres',
    'rlsc',
    'shop',
]

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': os.environ.get('PGDATABASE', 'rlsc_django'),
        'USER': os.environ.get('PGUSER', ''),
        'PASSWORD': os.environ.get('PGPASSWORD', ''),
        'HOST': os.environ.get('PGHOST', ''),
        'PORT': os.environ.get('PGPORT', ''),
    },
}

# The project default differs from the shop app's (BigAutoField) on
# purpose: Django creates auto-created many-to-many tables from
# DEFAULT_AUTO_FIELD, whatever the app's AppConfig says.
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
