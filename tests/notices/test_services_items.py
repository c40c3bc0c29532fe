"""Items: adding, bulk import, per-item reports."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from compliance.kernel.actors import Actor
from compliance.kernel.errors import TransitionNotAllowed
from notices import services
from notices.models import OrderItem


def test_items_are_normalized_and_deduplicated(make_order, officer):
    order = make_order(issued=False, urls=["https://PLATFORM1.example/a#x"])
    assert list(order.items.values_list("url", flat=True)) == ["https://platform1.example/a"]
    with pytest.raises(ValidationError) as error:
        services.order_items_add(
            order=order,
            actor=Actor.staff(officer),
            items=[
                services.ItemInput(url="https://platform1.example/b"),
                services.ItemInput(url="HTTPS://platform1.example/b"),
                services.ItemInput(url="https://platform1.example/a"),
            ],
        )
    assert error.value.messages == [
        "Line 2: https://platform1.example/b repeats line 1.",
        "Line 3: https://platform1.example/a is already in this order.",
    ]
    assert order.items.count() == 1


def test_off_platform_items_need_a_reason(make_order, officer):
    order = make_order(issued=False)
    actor = Actor.staff(officer)
    with pytest.raises(ValidationError, match="is not a domain of"):
        services.order_items_add(
            order=order, actor=actor, items=[services.ItemInput(url="https://mirror.example/x")]
        )
    [item] = services.order_items_add(
        order=order,
        actor=actor,
        items=[services.ItemInput(url="https://mirror.example/x", off_platform_reason="CDN")],
    )
    assert item.off_platform_reason == "CDN"


def test_subdomains_of_the_platform_need_no_reason(make_order, officer):
    order = make_order(issued=False)
    services.order_items_add(
        order=order,
        actor=Actor.staff(officer),
        items=[services.ItemInput(url="https://cdn.platform1.example/x")],
    )


def test_items_are_fixed_once_issued(make_order, officer):
    order = make_order()
    with pytest.raises(TransitionNotAllowed):
        services.order_items_add(
            order=order,
            actor=Actor.staff(officer),
            items=[services.ItemInput(url="https://platform1.example/new")],
        )
    with pytest.raises(TransitionNotAllowed):
        services.order_item_remove(item=order.items.first(), actor=Actor.staff(officer))


IMPORT = """url,content_id
# copied from the complaint system
https://platform1.example/v/1,vid-1

https://platform1.example/v/2
not-a-url
https://platform1.example/v/1,dup
https://elsewhere.example/v/3
"""


def test_import_reports_every_bad_line_by_number_and_adds_nothing(make_order, officer):
    order = make_order(issued=False, urls=["https://platform1.example/existing"])
    with pytest.raises(ValidationError) as error:
        services.order_items_import(order=order, actor=Actor.staff(officer), text=IMPORT)
    assert [m.split(":")[0] for m in error.value.messages] == ["Line 6", "Line 7", "Line 8"]
    assert "repeats line 3" in error.value.messages[1]
    assert order.items.count() == 1


def test_clean_import_adds_all_lines(make_order, officer):
    order = make_order(issued=False, urls=["https://platform1.example/existing"])
    text = "https://platform1.example/v/1,vid-1\nhttps://platform1.example/v/2\n"
    created = services.order_items_import(order=order, actor=Actor.staff(officer), text=text)
    assert [(i.url, i.content_id) for i in created] == [
        ("https://platform1.example/v/1", "vid-1"),
        ("https://platform1.example/v/2", ""),
    ]
    assert order.items.count() == 3


def test_import_with_a_reason_allows_off_platform_lines(make_order, officer):
    order = make_order(issued=False)
    services.order_items_import(
        order=order,
        actor=Actor.staff(officer),
        text="https://elsewhere.example/v/3",
        off_platform_reason="re-upload on a mirror",
    )
    assert order.items.filter(off_platform_reason="re-upload on a mirror").count() == 1


def test_empty_import_is_refused(make_order, officer):
    order = make_order(issued=False)
    with pytest.raises(ValidationError, match="no URLs"):
        services.order_items_import(order=order, actor=Actor.staff(officer), text="url\n\n# x\n")


def test_import_has_a_size_limit(make_order, officer, settings):
    settings.ORDER_IMPORT_MAX_ITEMS = 2
    order = make_order(issued=False)
    text = "\n".join(f"https://platform1.example/{n}" for n in range(3))
    with pytest.raises(ValidationError, match="At most 2 items at once; this has 3"):
        services.order_items_import(order=order, actor=Actor.staff(officer), text=text)


def test_report_records_receipt_time_and_action_time(make_order):
    t0 = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False):
        order = make_order()
    item = order.items.first()
    with time_machine.travel(t0 + timedelta(hours=2), tick=False):
        services.order_items_report(
            order=order,
            actor=Actor.of_platform(order.platform),
            reports=[
                services.ItemReport(
                    item_id=item.pk, action="removed", actioned_at=t0 + timedelta(hours=1)
                )
            ],
        )
    item.refresh_from_db()
    assert (item.status, item.actioned_at, item.reported_at) == (
        "removed",
        t0 + timedelta(hours=1),
        t0 + timedelta(hours=2),
    )


def test_bad_reports_change_nothing_and_are_keyed_by_item(make_order):
    order = make_order()
    first, second = order.items.all()
    stranger = make_order().items.first()
    actor = Actor.of_platform(order.platform)
    services.order_items_report(
        order=order, actor=actor, reports=[services.ItemReport(item_id=first.pk, action="removed")]
    )
    with pytest.raises(ValidationError) as error:
        services.order_items_report(
            order=order,
            actor=actor,
            reports=[
                services.ItemReport(item_id=second.pk, action="removed"),
                services.ItemReport(item_id=first.pk, action="removed"),
                services.ItemReport(item_id=stranger.pk, action="removed"),
            ],
        )
    assert set(error.value.message_dict) == {str(first.pk), str(stranger.pk)}
    second.refresh_from_db()
    assert second.status == "pending"

    with pytest.raises(ValidationError, match="Action must be one of"):
        services.order_items_report(
            order=order, actor=actor, reports=[services.ItemReport(item_id=second.pk, action="ok")]
        )
    with pytest.raises(ValidationError, match="future"):
        services.order_items_report(
            order=order,
            actor=actor,
            reports=[
                services.ItemReport(
                    item_id=second.pk,
                    action="removed",
                    actioned_at=datetime(2999, 1, 1, tzinfo=UTC),
                )
            ],
        )
    assert OrderItem.objects.get(pk=second.pk).status == "pending"
