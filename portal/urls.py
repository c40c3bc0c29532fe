from django.urls import path, register_converter

from portal import (
    agency,
    assessments,
    blocklist,
    data_requests,
    fingerprints,
    keys,
    letters,
    objections,
    orders,
    scorecard,
    standing,
)
from portal import platform as registry
from portal import sanctions as portal


class IdConverter:
    """A database id: up to 18 digits, so no path can name a number the database cannot hold."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class ReferenceConverter:
    """An order reference as issued (RO-2026-000123): letters, digits and dashes, at most the
    column's 32 characters. Anything else matches no route and is a 404 before a query."""

    regex = "[A-Za-z0-9-]{1,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IdConverter, "id")
register_converter(ReferenceConverter, "reference")

ORDER = "orders/<reference:reference>/"

urlpatterns = [
    path("platform/", registry.PlatformRecord.as_view(), name="platform"),
    path("platform/scorecard", scorecard.Scorecard.as_view(), name="platform-scorecard"),
    path("platform/changes/", registry.Changes.as_view(), name="platform-changes"),
    path("platform/turnover/", standing.Turnovers.as_view(), name="platform-turnover"),
    path("platform/designations/", standing.Designations.as_view(), name="platform-designations"),
    path("platform/changes/<id:change_id>/", registry.Change.as_view(), name="platform-change"),
    path(
        "platform/changes/<id:change_id>/record/",
        registry.ChangeRecord.as_view(),
        name="platform-change-record",
    ),
    path("webhook/", registry.Webhook.as_view(), name="webhook"),
    path("webhook/test/", registry.WebhookTest.as_view(), name="webhook-test"),
    path("webhook/deliveries/", registry.WebhookDeliveries.as_view(), name="webhook-deliveries"),
    path("orders/", orders.OrderList.as_view(), name="orders"),
    path(ORDER, orders.OrderDetail.as_view(), name="order"),
    path(f"{ORDER}acknowledge/", orders.Acknowledge.as_view(), name="acknowledge"),
    path(f"{ORDER}items/report/", orders.ReportItems.as_view(), name="report-many"),
    path(f"{ORDER}items/<id:item_id>/report/", orders.ReportItem.as_view(), name="report"),
    path(f"{ORDER}items/<id:item_id>/evidence/", orders.ItemEvidence.as_view(), name="evidence"),
    path(f"{ORDER}objections/", orders.FileObjection.as_view(), name="objections"),
    path("objections/", objections.ObjectionList.as_view(), name="objections-list"),
    path(
        "objections/<id:objection_id>/",
        objections.ObjectionDetail.as_view(),
        name="objection",
    ),
    path("fines/", portal.FineList.as_view(), name="fines"),
    path("fines/<id:fine_id>/payment/", portal.FinePayment.as_view(), name="fine-payment"),
    path("fines/<id:fine_id>/payments/", portal.FinePayments.as_view(), name="fine-payments"),
    path(
        "normalization-requests/",
        portal.NormalizationRequestCreate.as_view(),
        name="normalization-requests",
    ),
    path(
        "normalization-requests/<id:request_id>/",
        portal.NormalizationRequestDetail.as_view(),
        name="normalization-request",
    ),
    path("keys/", keys.KeyList.as_view(), name="keys"),
    path("keys/<reference:prefix>/revoke/", keys.KeyRevoke.as_view(), name="key-revoke"),
    path("letters/", letters.LetterList.as_view(), name="letters"),
    path("letters/<reference:number>.pdf", letters.LetterPdf.as_view(), name="letter-pdf"),
    path("checkpoint/", portal.DecisionCheckpoint.as_view(), name="checkpoint"),
    path("fingerprints/", fingerprints.HashChanges.as_view(), name="fingerprints"),
    path("fingerprints/match", fingerprints.MatchHashes.as_view(), name="fingerprints-match"),
    path(
        "fingerprints/matches/<uuid:match_id>/found/",
        fingerprints.ReportFound.as_view(),
        name="fingerprints-found",
    ),
    path(
        "fingerprints/matches/<uuid:match_id>/false-positive/",
        fingerprints.ReportFalsePositive.as_view(),
        name="fingerprints-false-positive",
    ),
    path("agency/requests/", agency.TakedownRequests.as_view(), name="agency-requests"),
    path(
        "agency/requests/<id:takedown_id>/",
        agency.TakedownRequestDetail.as_view(),
        name="agency-request",
    ),
    path(
        "agency/requests/<id:takedown_id>/evidence/",
        agency.RequestEvidence.as_view(),
        name="agency-request-evidence",
    ),
    path(
        "agency/data-requests/",
        data_requests.AgencyDataRequests.as_view(),
        name="agency-data-requests",
    ),
    path(
        "agency/data-requests/<id:data_request_id>/",
        data_requests.AgencyDataRequest.as_view(),
        name="agency-data-request",
    ),
    path(
        "agency/data-requests/<id:data_request_id>/files/<id:file_id>/",
        data_requests.AgencyDataFile.as_view(),
        name="agency-data-file",
    ),
    path(
        "data-requests/",
        data_requests.PlatformDataRequests.as_view(),
        name="data-requests",
    ),
    path(
        "data-requests/<id:data_request_id>/",
        data_requests.PlatformDataRequest.as_view(),
        name="data-request",
    ),
    path(
        "data-requests/<id:data_request_id>/court-order/",
        data_requests.PlatformCourtOrder.as_view(),
        name="data-request-court-order",
    ),
    path(
        "data-requests/<id:data_request_id>/answer/",
        data_requests.PlatformDataAnswer.as_view(),
        name="data-request-answer",
    ),
    path(
        "data-requests/<id:data_request_id>/objection/",
        data_requests.PlatformDataObjection.as_view(),
        name="data-request-objection",
    ),
    path("risk-assessments/", assessments.RiskAssessments.as_view(), name="risk-assessments"),
    path(
        "risk-assessments/<id:risk_assessment_id>/",
        assessments.RiskAssessmentDetail.as_view(),
        name="risk-assessment",
    ),
    path(
        "risk-assessments/<id:risk_assessment_id>/submission/",
        assessments.Submission.as_view(),
        name="risk-assessment-submission",
    ),
    path(
        "risk-assessments/<id:risk_assessment_id>/reports/",
        assessments.MeasureReports.as_view(),
        name="risk-assessment-reports",
    ),
    path("agency/referrals/", agency.Referrals.as_view(), name="agency-referrals"),
    path(
        "agency/referrals/<id:referral_id>/",
        agency.ReferralDetail.as_view(),
        name="agency-referral",
    ),
    path(
        "agency/referrals/<id:referral_id>/acknowledge/",
        agency.ReferralAcknowledge.as_view(),
        name="agency-referral-acknowledge",
    ),
    path(
        "agency/referrals/<id:referral_id>/outcome/",
        agency.ReferralOutcome.as_view(),
        name="agency-referral-outcome",
    ),
    path("blocklist/", blocklist.blocklist_json, name="blocklist"),
    path("blocklist.txt", blocklist.blocklist_text, name="blocklist-text"),
]
