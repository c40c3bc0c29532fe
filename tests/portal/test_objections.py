"""A platform reads its objections and the officer's decision on each; another platform's
objections are out of reach."""

from __future__ import annotations

from compliance.kernel.actors import Actor
from notices import services as notices


def _object(order, reason="Satire.") -> int:
    objection = notices.objection_file(
        order=order,
        actor=Actor.of_platform(order.platform),
        reason=reason,
        items=[order.items.first()],
    )
    return objection.pk


def test_list_and_read_with_the_decision(api, order, officer, make_order):
    first = _object(order)
    notices.objection_reject(
        objection=order.objections.get(pk=first),
        actor=Actor.staff(officer),
        reason="Not satire: the person depicted did not consent.",
    )
    other = make_order()
    _object(other)  # another platform's
    rows = api.get("/api/v1/objections/").json()["results"]
    assert [row["id"] for row in rows] == [first]
    [row] = rows
    assert row["order"] == order.reference
    assert row["status"] == "rejected"
    assert row["decision_reason"] == "Not satire: the person depicted did not consent."
    assert row["decided_at"] is not None
    assert row["items"] == [order.items.first().pk]
    detail = api.get(f"/api/v1/objections/{first}/")
    assert detail.status_code == 200
    assert detail.json() == row


def test_an_open_objection_has_no_decision_yet(api, order):
    objection = _object(order)
    row = api.get(f"/api/v1/objections/{objection}/").json()
    assert (row["status"], row["decided_at"], row["decision_reason"]) == ("open", None, "")


def test_another_platforms_objection_is_not_found(api, make_order):
    theirs = _object(make_order())
    response = api.get(f"/api/v1/objections/{theirs}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
