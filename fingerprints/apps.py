from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FingerprintsConfig(AppConfig):
    name = "fingerprints"
    verbose_name = _("Fingerprints and hash lists")

    def ready(self) -> None:
        # Known by name in every process: evidence uploads wake the fingerprint task by name.
        from fingerprints import tasks  # noqa: F401
