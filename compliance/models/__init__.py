from compliance.models.counters import Counter
from compliance.models.decisions import DecisionChainHead, DecisionRecord
from compliance.models.policies import EscalationPolicy, EscalationPolicyVersion

__all__ = [
    "Counter",
    "DecisionChainHead",
    "DecisionRecord",
    "EscalationPolicy",
    "EscalationPolicyVersion",
]
