"""Settings of pooled.sh: rtsite's, with the database reached through the
test's PgBouncer (transaction pooling) instead of the server's socket.
Server-side cursors need a session of their own, which transaction pooling
does not give."""
import os

from rtsite.settings import *  # noqa: F401,F403
from rtsite.settings import DATABASES

DATABASES['default'].update(HOST=os.environ['RT_BOUNCER_HOST'],
                            PORT=os.environ['RT_BOUNCER_PORT'],
                            DISABLE_SERVER_SIDE_CURSORS=True)
