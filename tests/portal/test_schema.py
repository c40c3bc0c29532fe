"""The OpenAPI schema is valid, describes auth and errors, and real responses match it."""

import re

import jsonschema
import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator


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
