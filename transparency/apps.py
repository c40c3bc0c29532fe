from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = "Transparency and the gender safety index"

    def ready(self) -> None:
        # Known by name in every process: beat sends the refresh by name.
        from transparency import tasks  # noqa: F401
