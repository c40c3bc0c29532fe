"""A risk-assessment cycle from designation to a reported mitigation measure: opened for a
designated platform, its deadline missed and warned through the policy's risk ladder (a
webhook), submitted late through the API with an answer per risk area, reviewed with a
finding and a measure, reported on; and what is refused, naming the field, with nothing
written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from assessments import services
from assessments.models import MitigationMeasure, RiskAssessment
from compliance.kernel.actors import Actor
from compliance.kernel.errors import RoleForbidden
from compliance.models import DecisionRecord, EscalationPolicy, WebhookDelivery
from registry import standing
from registry.models import WebhookEndpoint

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n% the platform's risk assessment\n"
AREAS = ["illegal_content", "gender_based_violence", "minors", "design_features"]


def _form(**overrides):
    form = {"document": SimpleUploadedFile("assessment.pdf", PDF)}
    for area in AREAS:
        form[area] = f"Risks of {area} found, and how they are mitigated."
        form[f"{area}_severity"] = "medium"
    form["gender_based_violence_severity"] = "high"
    return form | overrides


@pytest.fixture
def designated(make_platform, supervisor):
    platform = make_platform(
        escalation_policy=EscalationPolicy.objects.get(name="EU Digital Services Act")
    )
    WebhookEndpoint.objects.create(
        platform=platform, url="https://hooks.example/in", secret="whsec_" + "A" * 32
    )
    with time_machine.travel(T0, tick=False):
        standing.designation_record(
            actor=Actor.staff(supervisor),
            platform=platform,
            kind="dsa_vlop",
            basis="user_count",
            user_count=51_000_000,
            user_count_as_of=date(2026, 1, 31),
            effective_from=date(2026, 2, 1),
        )
    return platform


def _open(platform, officer):
    with time_machine.travel(T0, tick=False):
        return services.risk_assessment_open(
            actor=Actor.staff(officer),
            platform=platform,
            cycle="2026",
            submit_by=T0 + timedelta(days=30),
        )


def _sweep(moment):
    with time_machine.travel(moment, tick=False):
        return services.risk_assessments_sweep(now=moment)


def test_a_cycle_from_designation_to_a_reported_measure(designated, officer, client_for):
    assessment = _open(designated, officer)
    assert assessment.legal_basis.startswith("EU DSA Art. 33")
    assert assessment.ladder[0]["legal_basis"].startswith("EU DSA Art. 34-35")
    assert WebhookDelivery.objects.filter(
        platform=designated, event="risk_assessment.requested"
    ).exists()

    # The deadline passes: a warning with 14 more days, through the DSA profile's ladder.
    missed = T0 + timedelta(days=30, minutes=1)
    assert _sweep(missed) == 1
    assessment.refresh_from_db()
    assert (assessment.escalation_level, assessment.due_at) == (1, missed + timedelta(days=14))
    warned = WebhookDelivery.objects.get(platform=designated, event="risk_assessment.warned")
    assert warned.payload["data"]["id"] == assessment.pk

    api = client_for(designated)
    url = reverse("v1:risk-assessment-submission", args=[assessment.pk])
    with time_machine.travel(missed + timedelta(days=2), tick=False):
        answered = api.post(url, _form(), format="multipart")
    assert answered.status_code == 200, answered.content
    body = answered.json()
    assert (body["status"], body["submitted_late"], body["warnings"]) == ("submitted", True, 1)
    assert {a["area"]: a["severity"] for a in body["answers"]}["gender_based_violence"] == "high"
    assert _sweep(missed + timedelta(days=20)) == 0  # submitted: the clock stopped

    with time_machine.travel(missed + timedelta(days=3), tick=False):
        services.risk_finding_record(
            actor=Actor.staff(officer),
            assessment=assessment,
            area="gender_based_violence",
            severity="high",
            text="Synthetic intimate images are generated and shared without friction.",
        )
        measure = services.mitigation_measure_order(
            actor=Actor.staff(officer),
            assessment=assessment,
            area="design_features",
            description="Refuse generating intimate images of real people; report monthly.",
            report_by=missed + timedelta(days=33),
        )
    assessment.refresh_from_db()
    assert assessment.status == "reviewed"
    ordered = WebhookDelivery.objects.get(
        platform=designated, event="risk_assessment.measure_ordered"
    )
    assert ordered.payload["data"]["measure"] == measure.pk

    reports = reverse("v1:risk-assessment-reports", args=[assessment.pk])
    with time_machine.travel(missed + timedelta(days=10), tick=False):
        reported = api.post(
            reports, {"measure": measure.pk, "text": "Filter shipped."}, format="json"
        )
    assert reported.status_code == 201, reported.content
    shown = reported.json()["measures"][0]
    assert (shown["status"], shown["reports"][0]["late"]) == ("reported", False)
    assert reported.json()["findings"][0]["area"] == "gender_based_violence"

    # Everything is in the decision record, linked to the platform (its case file).
    actions = list(
        DecisionRecord.objects.filter(
            object_id=str(assessment.pk), content_type__model="riskassessment"
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "riskassessment.open",
        "riskassessment.escalate",
        "riskassessment.submit",
        "riskassessment.finding",
        "mitigationmeasure.order",
        "mitigationmeasure.report",
    ]


def test_never_submitted_the_cycle_goes_to_a_supervisor_and_measures_lapse(designated, officer):
    assessment = _open(designated, officer)
    first = T0 + timedelta(days=30, minutes=1)
    out = StringIO()
    call_command("escalate", "--dry-run", f"--now={first.isoformat()}", stdout=out)
    assert f"{assessment} of {designated}: Warning to answer" in out.getvalue()
    assert RiskAssessment.objects.get(pk=assessment.pk).escalation_level == 0
    _sweep(first)
    _sweep(first + timedelta(days=14, minutes=1))
    assessment.refresh_from_db()
    assert assessment.referred_to_supervisor_at is not None
    assert assessment.due_at is None
    record = DecisionRecord.objects.filter(
        object_id=str(assessment.pk), action="riskassessment.escalate"
    ).last()
    assert record.legal_basis == "EU DSA Art. 73-74 (non-compliance decision, fines)"


def test_an_unreported_measure_is_overdue(designated, officer):
    assessment = _open(designated, officer)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        services.risk_assessment_submit(
            actor=Actor.of_platform(designated),
            assessment=assessment,
            document=SimpleUploadedFile("a.pdf", PDF),
            answers={a: {"severity": "low", "risks": "Some."} for a in AREAS},
        )
        measure = services.mitigation_measure_order(
            actor=Actor.staff(officer),
            assessment=assessment,
            area="minors",
            description="Age assurance.",
            report_by=T0 + timedelta(days=5),
        )
    assert _sweep(T0 + timedelta(days=5, minutes=1)) == 1
    measure.refresh_from_db()
    assert measure.status == MitigationMeasure.Status.OVERDUE


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"minors": ""}, "minors"),
        ({"design_features_severity": "extreme"}, "design_features_severity"),
        ({"document": SimpleUploadedFile("a.pdf", b"GIF89a not a pdf")}, "document"),
    ],
)
def test_a_bad_submission_names_the_field_and_keeps_nothing(
    designated, officer, client_for, overrides, field
):
    assessment = _open(designated, officer)
    api = client_for(designated)
    form = _form(**overrides)
    if overrides.get("minors") == "":
        del form["minors"]
    refused = api.post(
        reverse("v1:risk-assessment-submission", args=[assessment.pk]), form, format="multipart"
    )
    assert refused.status_code in (400, 422)
    assert field in str(refused.json())
    assessment.refresh_from_db()
    assert (assessment.status, assessment.document.name, assessment.answers) == (
        "awaiting",
        "",
        {},
    )


def test_a_missing_area_in_the_service_names_it(designated, officer):
    assessment = _open(designated, officer)
    with pytest.raises(ValidationError) as refused:
        services.risk_assessment_submit(
            actor=Actor.of_platform(designated),
            assessment=assessment,
            document=SimpleUploadedFile("a.pdf", PDF),
            answers={a: {"severity": "low", "risks": "x"} for a in AREAS if a != "minors"},
        )
    assert "minors" in refused.value.message_dict


def test_a_report_on_another_platforms_measure_is_refused(
    designated, officer, supervisor, make_platform, client_for
):
    other = make_platform()
    standing.designation_record(
        actor=Actor.staff(supervisor),
        platform=other,
        kind="risk_assessment",
        basis="decision",
        decision_reference="DEC-1/2026",
        effective_from=date(2026, 1, 1),
    )
    mine, theirs = _open(designated, officer), _open(other, officer)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        for assessment, platform in ((mine, designated), (theirs, other)):
            services.risk_assessment_submit(
                actor=Actor.of_platform(platform),
                assessment=assessment,
                document=SimpleUploadedFile("a.pdf", PDF),
                answers={a: {"severity": "low", "risks": "Some."} for a in AREAS},
            )
        their_measure = services.mitigation_measure_order(
            actor=Actor.staff(officer),
            assessment=theirs,
            area="minors",
            description="Age assurance.",
            report_by=T0 + timedelta(days=30),
        )
    api = client_for(designated)
    refused = api.post(
        reverse("v1:risk-assessment-reports", args=[mine.pk]),
        {"measure": their_measure.pk, "text": "Done."},
        format="json",
    )
    assert refused.status_code in (400, 422)
    assert "measure" in str(refused.json())
    assert not their_measure.reports.exists()
    # Nor can it read the other's assessment.
    hidden = api.get(reverse("v1:risk-assessment", args=[theirs.pk]))
    assert hidden.status_code == 404


def test_only_designated_platforms_and_officers_open_cycles(
    make_platform, officer, auditor, designated
):
    with pytest.raises(ValidationError) as refused:
        services.risk_assessment_open(
            actor=Actor.staff(officer),
            platform=make_platform(),
            cycle="2026",
            submit_by=datetime.now(UTC) + timedelta(days=30),
        )
    assert "platform" in refused.value.message_dict
    with pytest.raises(RoleForbidden):
        services.risk_assessment_open(
            actor=Actor.staff(auditor),
            platform=designated,
            cycle="2026",
            submit_by=datetime.now(UTC) + timedelta(days=30),
        )
    assert not RiskAssessment.objects.exists()


def test_officers_review_in_the_admin(designated, officer, client):
    assessment = _open(designated, officer)
    services.risk_assessment_submit(
        actor=Actor.of_platform(designated),
        assessment=assessment,
        document=SimpleUploadedFile("a.pdf", PDF),
        answers={a: {"severity": "low", "risks": "Some."} for a in AREAS},
    )
    client.force_login(officer)
    page = client.get(reverse("admin:assessments_riskassessment_change", args=[assessment.pk]))
    assert page.status_code == 200
    assert b"Record a finding" in page.content
    posted = client.post(
        reverse("admin:assessments_riskassessment_change", args=[assessment.pk]).replace(
            "change/", "action/finding/"
        ),
        {"area": "minors", "severity": "medium", "text": "No age assurance.", "reason": "x"},
    )
    assert posted.status_code in (200, 302)
    assert assessment.findings.filter(area="minors").exists()
    case_file = client.get(reverse("admin:registry_platform_change", args=[designated.pk]))
    assert reverse("admin:assessments_riskassessment_change", args=[assessment.pk]) in (
        case_file.content.decode()
    )
    document = client.get(
        reverse("admin:assessments_riskassessment_document", args=[assessment.pk])
    )
    assert b"".join(document.streaming_content) == PDF
