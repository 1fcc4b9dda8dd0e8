"""Where the rlsc compiler is: shared by `makemigrations` and the drift check.

The setting RLSC_BINARY wins, then the RLSC environment variable (what the
test suite and `make check` set), then `rlsc` on PATH.
"""
import os
import shutil

from django.conf import settings


def find_rlsc():
    """The compiler's path, or None when none is configured or on PATH.  A
    configured path is returned as given, even if it does not exist: running
    it then fails, which the callers report with the path."""
    return (getattr(settings, 'RLSC_BINARY', None) or os.environ.get('RLSC')
            or shutil.which('rlsc'))
