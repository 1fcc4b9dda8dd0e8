from django.apps import AppConfig


class RlscConfig(AppConfig):
    name = 'rlsc'
    label = 'rlsc'
    verbose_name = 'Row-level security (rlsc)'

    def ready(self):
        from . import checks  # noqa: F401  registers the system checks
