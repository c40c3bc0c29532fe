from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Enforcement")

    def ready(self) -> None:
        # Registered here so every process knows the tasks by name: services wake them by
        # name after commit, without importing them.
        from compliance import checks, tasks  # noqa: F401
        from compliance.delivery.webhooks import registration_change_webhook
        from compliance.kernel.roles import roles_sync
        from registry.signals import registration_change_decided

        post_migrate.connect(roles_sync, sender=self, dispatch_uid="compliance.roles_sync")
        registration_change_decided.connect(
            registration_change_webhook, dispatch_uid="compliance.registration_change_webhook"
        )
