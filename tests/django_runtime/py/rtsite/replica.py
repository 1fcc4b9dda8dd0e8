"""Settings of replica.sh: rtsite's, plus the alias 'replica' (the test's
hot standby, persistent connections) and a router that sends reads there.
RLSC_DATABASES is left to its default: every PostgreSQL alias."""
import os

from rtsite.settings import *  # noqa: F401,F403
from rtsite.settings import DATABASES

DATABASES['replica'] = dict(DATABASES['default'], PORT=os.environ['RT_REPLICA_PORT'],
                            CONN_MAX_AGE=600)
DATABASE_ROUTERS = ['rtsite.router.PrimaryReplicaRouter']
ROOT_URLCONF = 'rtsite.replica_urls'
