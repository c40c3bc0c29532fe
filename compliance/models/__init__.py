from compliance.models.counters import Counter
from compliance.models.decisions import DecisionChainHead, DecisionRecord

__all__ = ["Counter", "DecisionChainHead", "DecisionRecord"]
