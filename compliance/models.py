"""Every model of the `compliance` app, for Django to find (app label `compliance`).

Each model lives with the part of the engine it belongs to; code imports it from there
(`compliance.kernel.models`, `compliance.policies.models`, `compliance.delivery.models`,
`compliance.sanctions.models`), never from here, so imports keep to the layers (README).
"""

from compliance.delivery.models import Notification, WebhookAttempt, WebhookDelivery
from compliance.kernel.models import (
    Counter,
    DecisionChainHead,
    DecisionCheckpoint,
    DecisionRecord,
    IdempotencyRecord,
    OfficialLetter,
)
from compliance.policies.models import EscalationPolicy, EscalationPolicyVersion, PublicHoliday
from compliance.sanctions.models import (
    AccessBlock,
    BlockOpening,
    Fine,
    NormalizationRequest,
    NormalizationVerification,
    PaymentDeclaration,
    PeriodicPenalty,
    RegistrationSanction,
    SanctionRelease,
    WarningLetter,
)

__all__ = [
    "AccessBlock",
    "BlockOpening",
    "Counter",
    "DecisionChainHead",
    "DecisionCheckpoint",
    "DecisionRecord",
    "EscalationPolicy",
    "EscalationPolicyVersion",
    "Fine",
    "IdempotencyRecord",
    "NormalizationRequest",
    "NormalizationVerification",
    "Notification",
    "OfficialLetter",
    "PaymentDeclaration",
    "PeriodicPenalty",
    "PublicHoliday",
    "RegistrationSanction",
    "SanctionRelease",
    "WarningLetter",
    "WebhookAttempt",
    "WebhookDelivery",
]
