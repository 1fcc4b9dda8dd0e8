"""Prints where `make install` puts the Django app for this Python.

The directory under PREFIX that this interpreter searches: dist-packages on
Debian, site-packages elsewhere.  Used by configure.
"""
import os
import sys

prefix = sys.argv[1]
version = "%d.%d" % sys.version_info[:2]
candidates = [os.path.join(prefix, "lib", "python" + version, d)
              for d in ("dist-packages", "site-packages")]
print(next((c for c in candidates if c in sys.path), candidates[-1]))
