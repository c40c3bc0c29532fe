"""Every action the decision record names, as one enum (the stored values are these strings).

A transition's action is "<model>.<transition>"; the transition gate refuses one missing here,
so a new transition or service must name its action in this list.
"""

from enum import StrEnum


class Action(StrEnum):
    # Registry (platforms).
    PLATFORM_CREATE = "platform.create"
    PLATFORM_EDIT = "platform.edit"
    PLATFORM_NOTIFY_UNREGISTERED = "platform.notify_unregistered"
    PLATFORM_WEBHOOK_SET = "platform.webhook_set"
    PLATFORM_FILE_APPLICATION = "platform.file_application"
    PLATFORM_APPROVE = "platform.approve"
    PLATFORM_REJECT = "platform.reject"
    PLATFORM_REQUIRE_UPDATE = "platform.require_update"
    PLATFORM_ACCEPT_UPDATE = "platform.accept_update"
    PLATFORM_WARN = "platform.warn"
    PLATFORM_SUSPEND = "platform.suspend"
    PLATFORM_REVOKE = "platform.revoke"
    PLATFORM_BLOCK = "platform.block"
    PLATFORM_NORMALIZE = "platform.normalize"
    # Removal orders.
    ORDER_CREATE = "removalorder.create"
    ORDER_ITEMS_ADD = "removalorder.items_add"
    ORDER_ITEM_REMOVE = "removalorder.item_remove"
    ORDER_ISSUE = "removalorder.issue"
    ORDER_ACKNOWLEDGE = "removalorder.acknowledge"
    ORDER_COMPLY = "removalorder.comply"
    ORDER_ESCALATE = "removalorder.escalate"
    ORDER_CLOSE = "removalorder.close"
    ORDER_REOPEN = "removalorder.reopen"
    ORDER_WITHDRAW = "removalorder.withdraw"
    ORDER_CLOCK_PAUSE = "removalorder.clock_pause"
    ORDER_CLOCK_RESUME = "removalorder.clock_resume"
    ITEM_REPORT = "orderitem.report"
    EVIDENCE_ADD = "evidence.add"
    OBJECTION_FILE = "objection.file"
    OBJECTION_UPHOLD = "objection.uphold"
    OBJECTION_REJECT = "objection.reject"
    # Policies.
    POLICY_SAVE = "escalationpolicy.save"
    # Sanctions.
    FINE_APPROVE = "fine.approve"
    FINE_REJECT = "fine.reject"
    FINE_DECLARE_PAYMENT = "fine.declare_payment"
    FINE_CONFIRM_PAYMENT = "fine.confirm_payment"
    FINE_LAPSE = "fine.lapse"
    FINE_WAIVE = "fine.waive"
    BLOCK_PROPOSE = "accessblock.propose"
    BLOCK_APPROVE = "accessblock.approve"
    BLOCK_REJECT = "accessblock.reject"
    BLOCK_LIFT = "accessblock.lift"
    RELEASE_PROPOSE = "sanctionrelease.propose"
    RELEASE_APPROVE = "sanctionrelease.approve"
    RELEASE_REJECT = "sanctionrelease.reject"
    REGISTRATION_SANCTION_PROPOSE = "registrationsanction.propose"
    REGISTRATION_SANCTION_APPROVE = "registrationsanction.approve"
    REGISTRATION_SANCTION_REJECT = "registrationsanction.reject"
    NORMALIZATION_FILE = "normalizationrequest.file"
    NORMALIZATION_GRANT = "normalizationrequest.grant"
    NORMALIZATION_REFUSE = "normalizationrequest.refuse"
    NORMALIZATION_FLAG_LATE = "normalizationrequest.flag_late"
