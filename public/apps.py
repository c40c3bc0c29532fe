from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """Pages for anyone, without a login: what the regulator publishes."""

    name = "public"
    verbose_name = _("Public pages")
