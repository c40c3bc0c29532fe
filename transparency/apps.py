from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = _("Transparency and the gender safety index")

    def ready(self) -> None:
        # Known by name in every process: beat sends the refresh by name.
        from transparency import tasks  # noqa: F401
