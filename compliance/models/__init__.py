from compliance.models.counters import Counter
from compliance.models.decisions import DecisionChainHead, DecisionCheckpoint, DecisionRecord
from compliance.models.outbox import Notification
from compliance.models.policies import EscalationPolicy, EscalationPolicyVersion
from compliance.models.portal import IdempotencyRecord, WebhookAttempt, WebhookDelivery
from compliance.models.sanctions import (
    AccessBlock,
    Fine,
    NormalizationRequest,
    RegistrationSanction,
    SanctionRelease,
    WarningLetter,
)

__all__ = [
    "AccessBlock",
    "Counter",
    "DecisionChainHead",
    "DecisionCheckpoint",
    "DecisionRecord",
    "EscalationPolicy",
    "EscalationPolicyVersion",
    "Fine",
    "IdempotencyRecord",
    "NormalizationRequest",
    "Notification",
    "RegistrationSanction",
    "SanctionRelease",
    "WarningLetter",
    "WebhookAttempt",
    "WebhookDelivery",
]
