"""The OpenAPI schema is valid, describes auth and errors, and real responses match it."""

import json
import re
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

from agencies.data_requests import data_request_create, data_requests_sweep
from assessments.services import risk_assessments_sweep
from compliance.kernel.actors import Actor
from compliance.sweep.jobs import sweep_all
from notices.models import Agency
from tests.support.assessments import assessment_for


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_validates_without_warnings(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_schema_describes_auth_every_endpoint_and_error_bodies(schema):
    assert schema["components"]["securitySchemes"]["platformApiKey"]["scheme"] == "bearer"
    paths = schema["paths"]
    assert {
        "/api/v1/platform/",
        "/api/v1/platform/changes/",
        "/api/v1/webhook/",
        "/api/v1/orders/",
        "/api/v1/orders/{reference}/",
        "/api/v1/orders/{reference}/acknowledge/",
        "/api/v1/orders/{reference}/items/{item_id}/report/",
        "/api/v1/orders/{reference}/items/report/",
        "/api/v1/orders/{reference}/objections/",
        "/api/v1/fines/",
        "/api/v1/fines/{fine_id}/payment/",
        "/api/v1/normalization-requests/",
    } <= set(paths)
    ack = paths["/api/v1/orders/{reference}/acknowledge/"]["post"]["responses"]
    assert {"200", "401", "404", "409"} <= set(ack)
    assert set(schema["components"]["schemas"]["OrderStatusEnum"]["enum"]) >= {
        "issued",
        "warned",
        "fined",
        "blocked",
        "complied",
    }


def _validator(schema, name):
    """A JSON Schema validator for one component, resolving #/components references."""
    definition = {"$ref": f"#/components/schemas/{name}", "components": schema["components"]}

    def nullable(node):
        if isinstance(node, dict):
            node = {k: nullable(v) for k, v in node.items()}
            if node.pop("nullable", False) and "type" in node:
                node["type"] = [node["type"], "null"]
            return node
        if isinstance(node, list):
            return [nullable(v) for v in node]
        return node

    return jsonschema.Draft202012Validator(nullable(definition))


def _strict(schema):
    """Responses may not carry properties the schema does not declare."""
    for component in schema["components"]["schemas"].values():
        if component.get("type") == "object" and "properties" in component:
            component["additionalProperties"] = False
    return schema


def test_responses_match_the_schema(api, order, schema):
    schema = _strict(schema)
    api.post(f"/api/v1/orders/{order.reference}/acknowledge/")
    page = api.get("/api/v1/orders/").json()
    _validator(schema, "OrderPageOut").validate(page)
    _validator(schema, "OrderDetailOut").validate(
        api.get(f"/api/v1/orders/{order.reference}/").json()
    )
    _validator(schema, "PlatformOut").validate(api.get("/api/v1/platform/").json())
    _validator(schema, "Problem").validate(
        api.post(f"/api/v1/orders/{order.reference}/acknowledge/").json()
    )
    _validator(schema, "Problem").validate(api.get("/api/v1/orders/?status=x").json())


def test_docs_are_served_with_local_assets(client):
    page = client.get("/api/docs/").content.decode()
    scripts = re.findall(r'src="([^"]+)"', page) + re.findall(r'href="([^"]+)"', page)
    assert scripts
    assert all(not s.startswith(("http://", "https://", "//")) for s in scripts), scripts
    assert client.get("/api/schema/").status_code == 200


def test_schema_passes_the_openapi_3_1_validator(schema):
    """openapi-spec-validator, an implementation independent of the generator."""
    assert schema["openapi"].startswith("3.1")
    validate(json.loads(json.dumps(schema)))


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_errors_are_shared_components_listed_per_operation(schema):
    shared = schema["components"]["responses"]
    for path, method, operation in _operations(schema):
        assert operation.get("summary"), (path, method)
        assert operation.get("tags"), (path, method)
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                assert set(response) == {"$ref"}, (path, method, code)
                assert response["$ref"].split("/")[-1] in shared
    assert "Retry-After" in shared["TooManyRequests"]["headers"]
    # Only what each can return: a read of one's own record has no 404 or 409; a write has.
    read = schema["paths"]["/api/v1/platform/"]["get"]["responses"]
    assert set(read) == {"200", "401", "403", "429"}
    record = schema["paths"]["/api/v1/platform/changes/{change_id}/record/"]["post"]
    assert {"400", "401", "403", "404", "409", "413", "415", "422", "429"} == {
        c for c in record["responses"] if c != "200"
    }
    assert "security" in schema["paths"]["/api/v1/blocklist/"]["get"]
    assert schema["servers"]


def test_every_post_declares_idempotency_key_and_its_replay_header(schema):
    posts = [op for _, method, op in _operations(schema) if method == "post"]
    assert posts
    for operation in posts:
        [header] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        assert header["in"] == "header"
        assert not header.get("required", False)
        success = next(r for c, r in operation["responses"].items() if c.startswith("2"))
        assert "Idempotent-Replayed" in success["headers"]


def test_one_content_type_per_operation(schema):
    for path, method, operation in _operations(schema):
        if "requestBody" in operation:
            assert len(operation["requestBody"]["content"]) == 1, (path, method)


def test_filters_use_the_enums_of_the_fields_they_filter(schema):
    [status] = [
        p for p in schema["paths"]["/api/v1/fines/"]["get"]["parameters"] if p["name"] == "status"
    ]
    assert status["schema"] == {"$ref": "#/components/schemas/FineStatusEnum"}


def test_categories_in_the_schema_are_the_shipped_ones(db, schema):
    from notices.categories import SHIPPED
    from notices.models import ContentCategory

    shipped = {(code, name, urgent) for code, name, urgent in SHIPPED}
    assert shipped <= set(ContentCategory.objects.values_list("code", "name", "urgent"))
    described = schema["components"]["schemas"]["OrderOut"]["properties"]["category"]
    for code, meaning, _ in SHIPPED:
        assert f"`{code}` - {meaning}" in described["description"]


def _events_made(make_order, make_platform, client_for, supervisor, supervisor2, settings):
    """One of every event, queued by the services that decide them."""
    from compliance.sanctions import services as sanctions
    from notices import services as notices
    from registry import changes

    settings.DEBUG = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    platform = make_platform(is_ugc=True)
    client_for(platform).put("/api/v1/webhook/", {"url": "http://127.0.0.1:9/in"}, format="json")
    change = changes.registration_change_declare(
        platform=platform,
        actor=Actor.of_platform(platform),
        description="Moved.",
        record={"data_location": "Batam"},
    )
    changes.registration_change_return(
        change=change, actor=Actor.staff(supervisor), reason="Send the lease."
    )
    t0 = datetime(2026, 10, 1, tzinfo=UTC)
    with time_machine.travel(t0, tick=False):
        order = make_order(platform=platform)
    for day in (1, 2, 3, 4):
        with time_machine.travel(t0 + timedelta(days=day), tick=False):
            sweep_all()
    objection = notices.objection_file(
        order=order, actor=Actor.of_platform(platform), reason="x", items=[order.items.first()]
    )
    notices.objection_reject(objection=objection, actor=Actor.staff(supervisor), reason="No.")
    block = platform.blocks.get()
    sanctions.access_block_approve(block=block, actor=Actor.staff(supervisor))
    notices.order_items_report(
        order=order,
        actor=Actor.of_platform(platform),
        reports=[notices.ItemReport(item_id=i.pk, action="removed") for i in order.items.all()],
    )
    for fine in order.fines.all():
        sanctions.fine_declare_payment(
            fine=fine, actor=Actor.of_platform(platform), payment_reference=f"TRX-{fine.pk}"
        )
        sanctions.fine_confirm_payment(fine=fine, actor=Actor.staff(supervisor))
    police = Agency.objects.get(kind="law_enforcement")
    data_request_create(
        actor=Actor.of_agency(police.pk),
        agency=police,
        platform=platform,
        kind="subscriber",
        legal_basis="KUHAP Art. 42",
        description="Subscriber data of account 1.",
    )
    data_requests_sweep(now=timezone.now() + timedelta(days=6))
    assessment_for(platform, measured=True)  # requested, then a measure ordered
    assessment_for(platform)
    risk_assessments_sweep(now=timezone.now() + timedelta(days=31))  # warned
    request = sanctions.normalization_request_file(
        platform=platform, actor=Actor.of_platform(platform), statement="Removed."
    )
    sanctions.normalization_grant(request=request, actor=Actor.staff(supervisor2), reason="OK.")
    return platform


def test_every_webhook_payload_matches_its_event_in_the_schema(
    schema, make_order, make_platform, client_for, supervisor, supervisor2, settings
):
    from compliance.delivery.webhooks import EVENTS
    from compliance.models import WebhookDelivery

    assert set(schema["webhooks"]) == {*EVENTS, "webhook.ping"}
    _events_made(make_order, make_platform, client_for, supervisor, supervisor2, settings)
    payloads = list(WebhookDelivery.objects.values_list("payload", flat=True))
    assert {p["type"] for p in payloads} == set(EVENTS)
    for payload in payloads:
        body = schema["webhooks"][payload["type"]]["post"]["requestBody"]
        jsonschema.Draft202012Validator(
            body["content"]["application/json"]["schema"],
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        ).validate(payload)


def test_request_examples_are_valid_bodies(schema):
    seen = 0
    for _path, _method, operation in _operations(schema):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            for example in media.get("examples", {}).values():
                definition = {**media["schema"], "components": schema["components"]}
                jsonschema.Draft202012Validator(definition).validate(example["value"])
                seen += 1
    assert seen >= 3


def test_every_enum_value_has_a_meaning(schema):
    """Each value's description says more than its own name."""
    for name, component in schema["components"]["schemas"].items():
        if "enum" not in component:
            continue
        lines = dict(
            line[3:].split("` - ", 1)
            for line in component["description"].splitlines()
            if line.startswith("* `")
        )
        assert set(lines) == set(component["enum"]), name
        for value, meaning in lines.items():
            assert meaning.lower().strip(".") != value.replace("_", " ").lower(), (name, value)


def test_fields_always_returned_are_required(schema):
    """A client may rely on every answer field being present; only a problem's `errors` and
    `current_state` come when they apply."""
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request") or "properties" not in component:
            continue
        optional = set(component["properties"]) - set(component.get("required", []))
        assert optional <= ({"errors", "current_state"} if name == "Problem" else set()), name
