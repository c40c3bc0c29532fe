"""The webhook events as the schema documents them (OpenAPI 3.1 `webhooks`): one JSON Schema
of `data` per event, inside the envelope every event shares. tests/portal/test_schema.py
validates every payload the engine queues against these, so they cannot drift from the code."""

from __future__ import annotations

from typing import Any

from agencies.models import DataRequest
from assessments.models import RiskArea
from compliance.sanctions.models import AccessBlock, FineStatus
from notices.models import Objection, OrderStatus
from registry.models import RegistrationChange

MOMENT = {"type": "string", "format": "date-time", "description": "UTC, ending in Z."}
AMOUNT = {
    "type": "string",
    "pattern": "^-?[0-9]+\\.[0-9]{2}$",
    "description": "An exact amount with two decimals, in `currency`.",
    "examples": ["100000000.00"],
}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(description: str, **properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": sorted(properties),
    }


def _enum(choices: Any, description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "enum": [value for value, _ in choices]}
    schema["description"] = description or "\n".join(
        f"* `{value}` - {label}" for value, label in choices
    )
    return schema


REFERENCE = {"type": "string", "description": "The order's reference, e.g. RO-2026-000123."}
BLOCK = {"type": "string", "description": "The block's number, e.g. AB-2026-000001."}

# event: (summary, schema of `data`)
EVENTS: dict[str, tuple[str, dict[str, Any]]] = {
    "order.issued": (
        "A removal order was served on your platform.",
        _object(
            "Read it with GET /orders/{reference}/ and report on each item before `due_at`.",
            reference=REFERENCE,
            urgent={"type": "boolean", "description": "The short deadline applies."},
            due_at=_nullable(MOMENT),
        ),
    ),
    "order.escalated": (
        "An order's deadline passed and it moved up the escalation ladder.",
        _object(
            "The next rung of the policy's ladder; a warning letter comes with it.",
            reference=REFERENCE,
            status=_enum(OrderStatus.choices),
            escalation_level={"type": "integer", "minimum": 0},
            due_at=_nullable(MOMENT),
            letter=_nullable({"type": "string", "description": "The warning letter's number."}),
        ),
    ),
    "fine.assessed": (
        "A fine was assessed on an order.",
        _object(
            "Pay by `due_at` and declare the payment with POST /fines/{id}/payment/.",
            number={"type": "string"},
            order=REFERENCE,
            amount=AMOUNT,
            currency={"type": "string", "description": "ISO 4217, e.g. IDR."},
            due_at=_nullable(MOMENT),
            status=_enum(FineStatus.choices),
        ),
    ),
    "block.proposed": (
        "An access block of your platform was proposed; a second supervisor decides it.",
        _object(
            "Not in force yet: comply with the orders behind it or object now.",
            block=BLOCK,
            cause=_enum(AccessBlock.Cause.choices),
            legal_basis={"type": "string"},
            reason={"type": "string"},
            proposed_at=MOMENT,
            domains=_nullable(
                {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Only these domains; null for every domain.",
                }
            ),
        ),
    ),
    "block.in_force": (
        "An access block of your platform is in force: ISPs block its domains.",
        _object("Request normalization when the cause is cured.", block=BLOCK, since=MOMENT),
    ),
    "block.lifted": (
        "An access block was lifted.",
        _object(
            "With the conditions of a conditional normalization, checked until `verify_until`.",
            block=BLOCK,
            lifted_at=_nullable(MOMENT),
            conditions={"type": "array", "items": {"type": "string"}},
            verify_until=_nullable(MOMENT),
        ),
    ),
    "objection.decided": (
        "An officer decided one of your objections.",
        _object(
            "`upheld`: the items left the order; `rejected`: they must come down.",
            id={"type": "integer"},
            order=REFERENCE,
            status=_enum(Objection.Status.choices),
            reason={"type": "string"},
        ),
    ),
    "registration.change_decided": (
        "An officer decided a registration change you submitted.",
        _object(
            "`accepted`: the record you submitted is registered. `more_requested`: read "
            "`reason` and submit a new record with POST /platform/changes/{id}/record/ before "
            "`correct_by`.",
            id={"type": "integer", "description": "The change's id."},
            status=_enum(
                [
                    (value, label)
                    for value, label in RegistrationChange.Status.choices
                    if value in ("accepted", "more_requested")
                ]
            ),
            reason={"type": "string", "description": "The officer's reason or note."},
            correct_by=_nullable(MOMENT),
        ),
    ),
    "data_request.received": (
        "An agency or the regulator requests data from you (MR5 Art. 21-46).",
        _object(
            "Read it with GET /data-requests/{id}/ (and its court order, if `court_order`), "
            "then answer with files or object before `answer_by`.",
            id={"type": "integer", "description": "The request's id."},
            kind=_enum(DataRequest.Kind.choices),
            answer_by=MOMENT,
            court_order={"type": "boolean", "description": "It carries a court order."},
        ),
    ),
    "data_request.warned": (
        "A data request of yours is unanswered past its deadline: a warning.",
        _object(
            "Answer or object before the new `answer_by`; after the last warning a "
            "supervisor decides on sanctions.",
            id={"type": "integer", "description": "The request's id."},
            warning={"type": "integer", "description": "Which warning this is (1, 2, ...)."},
            answer_by=MOMENT,
        ),
    ),
    "risk_assessment.requested": (
        "A risk-assessment cycle is open for you (you are designated for one).",
        _object(
            "Submit your assessment with POST /risk-assessments/{id}/submission/ before "
            "`submit_by`: a PDF and an answer per risk area.",
            id={"type": "integer", "description": "The assessment's id."},
            cycle={"type": "string", "description": "The cycle, e.g. 2027."},
            submit_by=MOMENT,
        ),
    ),
    "risk_assessment.warned": (
        "Your risk assessment is not in by its deadline: a warning.",
        _object(
            "Submit before the new `submit_by`; after the last warning a supervisor decides "
            "on sanctions.",
            id={"type": "integer", "description": "The assessment's id."},
            cycle={"type": "string"},
            submit_by=MOMENT,
        ),
    ),
    "risk_assessment.measure_ordered": (
        "Officers reviewed your risk assessment and order a mitigation measure.",
        _object(
            "Take the measure and report on it with POST /risk-assessments/{assessment}/"
            "reports/ before `report_by`.",
            assessment={"type": "integer", "description": "The assessment's id."},
            measure={"type": "integer", "description": "The measure's id."},
            area=_enum(RiskArea.choices),
            text={"type": "string", "description": "The measure to take."},
            report_by=MOMENT,
        ),
    ),
    "webhook.ping": (
        "A test event, sent only when you call POST /webhook/test/.",
        _object("Nothing to do.", platform={"type": "string"}),
    ),
}


def envelope(event: str) -> dict[str, Any]:
    """The whole payload of `event`: the envelope, its type fixed, and its data."""
    _summary, data = EVENTS[event]
    return {
        "type": "object",
        "properties": {
            "id": {
                "type": "string",
                "description": "msg_...: also the `webhook-id` header. Deduplicate on it.",
            },
            "type": {"type": "string", "const": event},
            "timestamp": MOMENT,
            "data": data,
            "checkpoint": {
                "anyOf": [{"type": "object"}, {"type": "null"}],
                "description": "The decision record's signed checkpoint in force "
                "(GET /checkpoint/ documents it); check it at /verify/checkpoints/.",
            },
        },
        "required": ["id", "type", "timestamp", "data", "checkpoint"],
    }


SIGNATURE_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "The message id; the same on every retry.",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "description": "Unix seconds when this attempt was signed.",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "`v1,<base64 HMAC-SHA256 of id.timestamp.body>` with your whsec_ "
        "secret (Standard Webhooks); verify it before trusting the body.",
    },
]


def webhooks() -> dict[str, Any]:
    """The `webhooks` section: one POST per event, as your receiver gets it."""
    return {
        event: {
            "post": {
                "operationId": f"webhook_{event.replace('.', '_')}",
                "summary": summary,
                "tags": ["webhooks"],
                # We call you: no key of yours; the signature headers prove it is us.
                "security": [],
                "parameters": SIGNATURE_HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": envelope(event)}},
                },
                "responses": {
                    "200": {"description": "Received. Any 2xx stops the retries."},
                    "default": {
                        "description": "Anything else is retried with backoff for about "
                        "27 hours, then the event is given up."
                    },
                },
            }
        }
        for event, (summary, _data) in EVENTS.items()
    }
