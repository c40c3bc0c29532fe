"""What the registry tells the layers above it, without importing them."""

from django.dispatch import Signal

# An officer accepted a platform's registration change or asked for more (`change`); sent
# inside the deciding transaction, so what a receiver writes commits with the decision.
registration_change_decided = Signal()
