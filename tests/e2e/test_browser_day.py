"""The regulator's day, in Debian's Chromium (headless, driven by Playwright) against a live
server: an officer writes and issues an order, the sweep takes it up the ladder, a supervisor
puts the block in force, the platform complies and pays through the API, an officer confirms
the payment, and another supervisor grants normalization. Screenshots of every step go to
artifacts/browser/ (BROWSER_ARTIFACTS overrides), and no page may break its content security
policy.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from compliance.kernel.actors import Actor
from compliance.models import AccessBlock, Fine, NormalizationRequest
from compliance.sweep.jobs import sweep_all
from notices.models import RemovalOrder
from registry.models import Platform
from registry.services import api_key_create
from tests.e2e.conftest import ARTIFACTS


class Desk:
    """One staff member's browser session."""

    def __init__(self, browser, base: str, username: str) -> None:
        self.base = base
        self.username = username
        self.page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        self.csp_violations: list[str] = []
        self.page.on(
            "console",
            lambda m: "Content Security Policy" in m.text and self.csp_violations.append(m.text),
        )
        self.page.goto(f"{base}/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", f"pw-{username}")
        self.page.click("input[type=submit]")
        assert self.page.locator("#user-tools").is_visible(), f"{username} could not sign in"

    def shot(self, name: str) -> None:
        self.page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)

    def act(self, button: str, **fields: str) -> str:
        """Press a transition or action button on the open change page and confirm it."""
        self.page.click(f"a[data-transition={button}]")
        for name, value in fields.items():
            self.page.fill(f"#id_{name}", value)
        self.page.click("form input[type=submit].default")
        return self.page.locator("ul.messagelist").inner_text()


def _api(base: str, key: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


@pytest.mark.django_db(transaction=True)
def test_regulators_day(
    browser, live_server, make_platform, officer, supervisor, supervisor2, superuser
):
    base = live_server.url
    platform = make_platform(name="KilatVideo", is_ugc=True, domains=["kilat.example"])
    _, key = api_key_create(platform=platform, actor=Actor.staff(officer), name="portal")

    # An officer writes the order in the admin and issues it.
    desk = Desk(browser, base, "officer")
    desk.shot("01-officer-signed-in")
    desk.open("/admin/notices/removalorder/add/")
    desk.page.select_option("#id_platform", label=str(platform))
    desk.page.select_option("#id_agency", index=1)
    desk.page.select_option("#id_category", index=1)
    desk.page.fill("#id_legal_basis", "MR5 Art. 9(4)")
    desk.page.fill("#id_items_text", "https://kilat.example/v/abc123")
    desk.shot("02-order-written")
    desk.page.click("input[name=_continue]")
    order = RemovalOrder.objects.get(platform=platform)
    assert order.status == "draft"
    assert order.items.count() == 1
    assert "Done: issue" in desk.act("issue", reason="Non-consensual intimate images.")
    desk.shot("03-order-issued")
    order.refresh_from_db()
    assert order.status == "issued"

    # Deadlines pass; each sweep takes the order one rung up, to a block proposal.
    now = timezone.now()
    for day in range(1, 6):
        sweep_all(now=now + timedelta(days=day))
    order.refresh_from_db()
    assert order.status == "fined"  # `blocked` only once the block is in force
    block = AccessBlock.objects.get(platform=platform)
    desk.open(f"/admin/notices/removalorder/{order.pk}/change/")
    desk.shot("04-order-escalated")

    # A supervisor puts the block in force; the ISPs' feed lists the domain.
    boss = Desk(browser, base, "supervisor")
    boss.open(f"/admin/compliance/accessblock/{block.pk}/change/")
    boss.shot("05-block-proposed")
    assert "Done: approve" in boss.act("approve", reason="Content still up after three letters.")
    boss.shot("06-block-in-force")
    with urllib.request.urlopen(f"{base}/api/v1/blocklist.txt") as feed:
        assert feed.read().decode() == "kilat.example\n"
    order.refresh_from_db()
    assert order.status == "blocked"

    # The platform complies, declares its fines paid and asks for access back, by API.
    item = order.items.get()
    _api(
        base,
        key,
        "POST",
        f"/api/v1/orders/{order.reference}/items/{item.pk}/report/",
        {"action": "removed"},
    )
    for fine in _api(base, key, "GET", "/api/v1/fines/")["results"]:
        _api(
            base,
            key,
            "POST",
            f"/api/v1/fines/{fine['id']}/payment/",
            {"payment_reference": f"TRX-{fine['id']}"},
        )
    _api(
        base,
        key,
        "POST",
        "/api/v1/normalization-requests/",
        {"statement": "Removed; moderation hired."},
    )
    order.refresh_from_db()
    assert order.status == "complied"

    # The officer confirms each payment against the treasury's records.
    for fine in Fine.objects.filter(order=order):
        desk.open(f"/admin/compliance/fine/{fine.pk}/change/")
        assert "Done: confirm payment" in desk.act("confirm_payment")
    desk.shot("07-fines-paid")

    # Another supervisor grants normalization: the block is lifted, access restored.
    request = NormalizationRequest.objects.get(platform=platform)
    second = Desk(browser, base, "supervisor2")
    second.open(f"/admin/compliance/normalizationrequest/{request.pk}/change/")
    second.shot("08-normalization-requested")
    assert "Done: grant" in second.act("grant", reason="Complied and paid.")
    second.shot("09-normalization-granted")

    platform = Platform.objects.get(pk=platform.pk)
    assert platform.status == "registered"
    assert platform.times_blocked == 1
    with urllib.request.urlopen(f"{base}/api/v1/blocklist.txt") as feed:
        assert feed.read().decode() == ""

    # The sweep's schedule, as an operator edits it (django-celery-beat's page).
    task = PeriodicTask.objects.get(task="compliance.sweep.writer")
    operator = Desk(browser, base, "root")  # an administrator: the schedule is theirs
    operator.open(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")
    operator.page.wait_for_load_state("load")
    operator.shot("10-sweep-schedule")
    # Its script (moved out of line for the policy) ran: it hides the raw translation row.
    assert operator.page.locator(".field-crontab_translation").is_hidden()

    # The API docs a platform's developers read render under the same policy.
    second.open("/api/docs/")
    second.page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    second.shot("11-api-docs")
    for staff in (desk, boss, second, operator):
        assert staff.csp_violations == [], staff.csp_violations
    assert len(list(ARTIFACTS.glob("*.png"))) >= 11
