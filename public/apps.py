from django.apps import AppConfig


class PublicConfig(AppConfig):
    """Pages for anyone, without a login: what the regulator publishes."""

    name = "public"
    verbose_name = "Public pages"
