"""Grok, January 2026 (sexualized deepfakes), replayed with the real dates.

No ladder of letters: on 10 January a temporary access block of the service's own domains (not
its parent platform's) under MR5 Art. 9; on 1 February a conditional normalization after the
operator's written commitments (stronger technical safeguards, restricted features, policy
enforcement, an incident-response protocol), with continuous verification; a recurrence re-blocks.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from compliance.kernel.actors import Actor
from compliance.kernel.errors import TransitionNotAllowed
from compliance.models import (
    AccessBlock,
    DecisionRecord,
    NormalizationRequest,
    Notification,
    WarningLetter,
)
from compliance.policies import citations
from compliance.sanctions import services as sanctions

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")
COMMITMENTS = [
    {"kind": "technical_safeguards", "text": "Image generation refuses real people's likeness."},
    {"kind": "feature_restriction", "text": "Image editing of uploaded photos turned off in ID."},
    {"kind": "policy_enforcement", "text": "Accounts generating sexual deepfakes are suspended."},
    {"kind": "incident_response", "text": "A 24/7 channel to the regulator; removal within 2 h."},
]


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"2026-{day}").replace(hour=hour, tzinfo=WIB)


def feed(client) -> list[str]:
    return client.get("/api/v1/blocklist.txt").content.decode().split()


def test_grok_2026(make_platform, client_for, officer, supervisor, supervisor2):
    boss, other_boss, staff = (
        Actor.staff(supervisor),
        Actor.staff(supervisor2),
        Actor.staff(officer),
    )
    x = make_platform(name="X Corp.", domains=["x.example", "grok.example", "api.grok.example"])
    api = client_for(x)

    # 10 January: a direct block of Grok's domains, without letters, under Art. 9.
    with time_machine.travel(at("01-10"), tick=False):
        with pytest.raises(ValidationError, match=r"xai\.example is not a domain of X Corp\."):
            sanctions.access_block_propose_direct(
                platform=x, actor=boss, domains=["grok.example", "xai.example"],
                reason="Sexualized deepfakes generated on request.",
            )  # fmt: skip
        assert not AccessBlock.objects.exists()
        block = sanctions.access_block_propose_direct(
            platform=x,
            actor=boss,
            domains=["grok.example", "api.grok.example"],
            reason="Sexualized deepfakes generated on request.",
        )
        assert feed(api) == [], "proposed, not in force"
        sanctions.access_block_approve(block=block, actor=other_boss, reason="Art. 9.")
        assert feed(api) == ["api.grok.example", "grok.example"]
    assert (block.cause, block.legal_basis) == ("direct", citations.DIRECT_BLOCK)
    assert not WarningLetter.objects.exists()
    approved = DecisionRecord.objects.filter(
        action="accessblock.approve", object_id=str(block.pk)
    ).get()
    assert approved.legal_basis == citations.DIRECT_BLOCK

    # 1 February: the operator asks for normalization with its written commitments (refused
    # without them), and access returns on conditions verified until 1 May.
    with time_machine.travel(at("02-01", 8), tick=False):
        bare = api.post("/api/v1/normalization-requests/", {"statement": "Fixed."}, format="json")
        assert bare.status_code == 422
        assert "commitments" in str(bare.json()["errors"])
        filed = api.post(
            "/api/v1/normalization-requests/",
            {"statement": "Safeguards in place.", "commitments": COMMITMENTS},
            format="json",
        )
        assert filed.status_code == 201, filed.content
        assert filed.json()["commitments"] == COMMITMENTS
    request = NormalizationRequest.objects.get()
    with time_machine.travel(at("02-01", 16), tick=False):
        sanctions.normalization_grant(
            request=request,
            actor=boss,
            reason="Commitments received in writing.",
            conditions=[c["text"] for c in COMMITMENTS],
            verify_until=at("05-01"),
        )
        assert feed(api) == []
    x.refresh_from_db()
    assert x.status == "registered"
    [mine] = api.get("/api/v1/normalization-requests/").json()
    assert (mine["status"], mine["commitments"]) == ("granted", COMMITMENTS)
    assert [c["text"] for c in mine["conditions"]] == [c["text"] for c in COMMITMENTS]
    assert mine["verify_until"] == "2026-05-01T03:00:00Z"
    lifted = Notification.objects.filter(event="block.lifted", platform=x).get()
    assert "(4) A 24/7 channel to the regulator" in lifted.body
    assert "verified until 1 May 2026" in lifted.body
    grant = DecisionRecord.objects.get(action="normalizationrequest.grant")
    assert "(2) Image editing of uploaded photos turned off in ID." in grant.reason
    filing = DecisionRecord.objects.get(action="normalizationrequest.file")
    assert "Commitment (incident_response)" in filing.reason

    # Verified: met in February; in March a recurrence breaches condition 2: a re-block of
    # the same domains is proposed, citing it, and put in force by a supervisor.
    with time_machine.travel(at("02-15"), tick=False):
        sanctions.normalization_verify(
            request=request, actor=staff, outcome="met", note="Tested 50 prompts; all refused."
        )
    with time_machine.travel(at("03-10"), tick=False):
        with pytest.raises(ValidationError, match="Name the breached condition"):
            sanctions.normalization_verify(
                request=request, actor=staff, outcome="breached", note="Edits of photos again."
            )
        check = sanctions.normalization_verify(
            request=request,
            actor=staff,
            outcome="breached",
            condition=2,
            note="Edits of uploaded photos work again.",
        )
        reblock = check.reblock
        assert "condition 2" in reblock.reason
        assert "Image editing of uploaded photos" in reblock.reason
        assert sorted(d.domain for d in reblock.domains.all()) == [
            "api.grok.example",
            "grok.example",
        ]
        detail = api.get(f"/api/v1/normalization-requests/{request.pk}/").json()
        assert [(v["outcome"], v["condition"], v["reblock"]) for v in detail["verifications"]] == [
            ("met", None, None),
            ("breached", 2, reblock.number),
        ]
        sanctions.access_block_approve(block=reblock, actor=boss, reason="Breach recurred.")
        assert feed(api) == ["api.grok.example", "grok.example"]
    with (
        time_machine.travel(at("05-02"), tick=False),
        pytest.raises(TransitionNotAllowed, match="within its period"),
    ):
        sanctions.normalization_verify(request=request, actor=staff, outcome="met", note="Late.")
