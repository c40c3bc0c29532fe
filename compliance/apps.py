from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Enforcement"

    def ready(self) -> None:
        from compliance import checks  # noqa: F401  (registers the deployment checks)
        from compliance.kernel.roles import roles_sync

        post_migrate.connect(roles_sync, sender=self, dispatch_uid="compliance.roles_sync")
