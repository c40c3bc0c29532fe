from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The regulator's admin: the site with its sign-in limits, the transition buttons, the
    admin pages of every app, and the demo data. A layer over the apps, as the portal is."""

    name = "backoffice"
    verbose_name = _("Regulator's desk")

    def ready(self) -> None:
        from backoffice import login_limits  # noqa: F401  (connects its signal receivers)
