"""Django's test runner, also printing one TAP line per test on stdout
(`ok - Class: first docstring line`, `not ok - ...` with the traceback as
`#` lines), for tests/django_runtime/lib.sh.  unittest's own report still goes to
stderr."""
import sys
import unittest

from django.test.runner import DiscoverRunner


def _describe(test):
    doc = test.shortDescription() if hasattr(test, 'shortDescription') else None
    cls = type(test).__name__
    if doc:
        return f'{cls}: {doc}'
    return str(test)


class TapResult(unittest.TextTestResult):
    def _tap(self, ok, test, directive='', err=None):
        line = ('ok - ' if ok else 'not ok - ') + _describe(test) + directive
        out = [line]
        if err is not None:
            out += ['#   ' + x for x in self._exc_info_to_string(err, test).splitlines()]
        sys.stdout.write('\n'.join(out) + '\n')
        sys.stdout.flush()

    def addSuccess(self, test):
        super().addSuccess(test)
        self._tap(True, test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._tap(False, test, err=err)

    def addError(self, test, err):
        super().addError(test, err)
        self._tap(False, test, err=err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._tap(True, test, f' # SKIP {reason}')

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._tap(False, test, ' # TODO expected failure', err=err)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._tap(True, test, ' # TODO unexpected success')


class TapRunner(DiscoverRunner):
    def get_resultclass(self):
        return super().get_resultclass() or TapResult
