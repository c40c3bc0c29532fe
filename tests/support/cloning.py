"""Many due orders at once, copied from one made through the services (set-up only: what the
tests exercise is the sweep and the reports, not the copying)."""

from datetime import timedelta

from django.utils import timezone

from notices.models import OrderItem, RemovalOrder


def orders_clone_due(
    template: RemovalOrder, count: int, *, prefix: str, **overrides: object
) -> list[RemovalOrder]:
    """`count` copies of `template` (its own row included), each with one item, due an hour ago."""
    fields = {
        f.attname: getattr(template, f.attname)
        for f in RemovalOrder._meta.concrete_fields
        if f.attname not in ("id", "reference")
    }
    fields["due_at"] = timezone.now() - timedelta(hours=1)
    fields.update(overrides)
    RemovalOrder.objects.filter(pk=template.pk).update(
        **{k: v for k, v in fields.items() if k in ("due_at", *overrides)}
    )
    orders = RemovalOrder.objects.bulk_create(
        (RemovalOrder(**fields, reference=f"{prefix}-{n:06d}") for n in range(count - 1)),
        batch_size=2000,
    )
    domain = template.platform.domains.values_list("domain", flat=True).first()
    OrderItem.objects.bulk_create(
        (OrderItem(order=order, url=f"https://{domain}/{prefix}/{order.pk}") for order in orders),
        batch_size=2000,
    )
    return [RemovalOrder.objects.get(pk=template.pk), *orders]
