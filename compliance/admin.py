from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from compliance.models import DecisionRecord


@admin.register(DecisionRecord)
class DecisionRecordAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the record is append-only."""

    list_display = [
        "seq",
        "created_at",
        "actor_label",
        "action",
        "object_repr",
        "from_state",
        "to_state",
    ]
    list_filter = ["actor_kind", "action", "content_type"]
    search_fields = ["object_repr", "reason", "actor_label", "legal_basis"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
