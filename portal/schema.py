"""What the generated OpenAPI schema says beyond what drf-spectacular infers.

- Each operation lists only the error statuses it can return, each a shared response
  component (`#/components/responses/...`), and declares `Idempotency-Key` where the view
  honours it (with `Idempotent-Replayed` on its answers).
- The webhook events, as OpenAPI 3.1 `webhooks` (portal/events.py); the ISPs' block list.
- Request bodies refuse unknown members (`additionalProperties: false`), as StrictSerializer
  does; their strings and those of parameters may not hold NUL (the database cannot store
  it; DRF refuses it); an uploaded file is not empty.
- Links between operations (an order listed -> read, acknowledged, reported, objected to; a
  fine listed -> paid), so clients and stateful test generators can follow real objects.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from notices.categories import SHIPPED as CATEGORIES
from portal import events
from portal.auth import revoked_may
from portal.idempotency import HEADER as IDEMPOTENCY_KEY
from portal.meanings import MEANINGS

NO_NUL = "^[^\\u0000]*$"

# operation: {link name: (target operation, {parameter: runtime expression})}
LINKS: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "orders_list": {
        "ReadOrder": ("orders_retrieve", {"reference": "$response.body#/results/0/reference"}),
        "AcknowledgeOrder": (
            "orders_acknowledge",
            {"reference": "$response.body#/results/0/reference"},
        ),
        "ReportItems": (
            "orders_items_report_many",
            {"reference": "$response.body#/results/0/reference"},
        ),
        "ObjectToItems": (
            "orders_objections_create",
            {"reference": "$response.body#/results/0/reference"},
        ),
    },
    "orders_retrieve": {
        "ReportItem": (
            "orders_items_report",
            {"reference": "$response.body#/reference", "item_id": "$response.body#/items/0/id"},
        ),
        "AcknowledgeOrder": ("orders_acknowledge", {"reference": "$response.body#/reference"}),
    },
    "fines_list": {
        "PayFine": ("fines_payment_create", {"fine_id": "$response.body#/results/0/id"})
    },
}


# status: (component name, description)
ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "The request does not match this schema; `errors` names each field."),
    401: ("Unauthorized", "No API key, or one that is wrong or revoked."),
    403: ("Forbidden", "Your registration does not allow this (e.g. it was revoked)."),
    404: ("NotFound", "No such object for your platform (another platform's is not found)."),
    409: ("Conflict", "Not from the state the object is in; `current_state` names it."),
    413: ("ContentTooLarge", "The body is larger than this operation accepts."),
    415: ("UnsupportedMediaType", "The body is not in this operation's content type."),
    422: ("UnprocessableContent", "Well formed, but a rule refuses it; `errors` names fields."),
    429: ("TooManyRequests", "Too many requests for this key; wait `Retry-After` seconds."),
}
PROBLEM_TYPE = "application/problem+json"


class PortalAutoSchema(AutoSchema):
    """The portal's operations: their error statuses worked out from what the view does (its
    body, parameters, key, throttles and whether it writes), `Idempotency-Key` where the view
    is decorated with `idempotent`, and a summary from the description's first sentence."""

    def _handler(self) -> Any:
        return getattr(self.view, self.method.lower(), None)

    def _idempotent(self) -> bool:
        return bool(getattr(self._handler(), "idempotent", False))

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._idempotent():
            parameters.append(
                OpenApiParameter(
                    IDEMPOTENCY_KEY,
                    {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
                    OpenApiParameter.HEADER,
                    required=False,
                    description="1 to 200 printable ASCII characters. A repeat with the same "
                    "key and request returns the first answer (with `Idempotent-Replayed: "
                    "true`) and changes nothing; the same key with another request is 422.",
                )
            )
        return parameters

    def get_summary(self) -> str | None:
        summary = super().get_summary()
        if summary:
            return summary
        description = self.get_description() or ""
        first = description.split(". ")[0].split("\n")[0].rstrip(".")
        return first[:80] or None

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        statuses = self._error_statuses(operation)
        responses = operation["responses"]
        for code in [c for c in responses if c.isdigit() and int(c) >= 400]:
            if int(code) not in statuses:
                del responses[code]
        if self._idempotent():
            for code, response in responses.items():
                if code.startswith("2"):
                    response.setdefault("headers", {})["Idempotent-Replayed"] = {
                        "schema": {"type": "string", "enum": ["true"]},
                        "description": "Present on a replay of an earlier answer.",
                    }
        return operation

    def _error_statuses(self, operation: dict[str, Any]) -> set[int]:
        where = {p["in"] for p in operation.get("parameters", [])}
        body = "requestBody" in operation
        writes = self.method != "GET"
        statuses = set(getattr(self.view, "problems", ()))
        if body or where:  # a path that breaks its parameter's pattern is a 400 too
            statuses.add(400)
        if operation.get("security"):
            statuses |= {401, 429}
            # A revoked registration keeps only its order answers (portal.auth.IsPlatform).
            if not revoked_may(self.view, self.method):
                statuses.add(403)
        if "path" in where:
            statuses.add(404)
        if body:
            statuses |= {413, 415}
        if writes:
            statuses |= {409, 422}
        return statuses


def _strings_without_nul(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        if prop.get("format") == "binary":
            prop["minLength"] = 1  # an empty file part is no file at all to the parser
        if prop.get("type") == "string" and not {"enum", "format", "pattern", "$ref"} & set(prop):
            prop["pattern"] = NO_NUL
        if prop.get("type") == "array" and prop.get("items", {}).get("type") == "string":
            if prop["items"].get("format") == "binary":
                prop["items"]["minLength"] = 1
                prop["items"].pop("pattern", None)  # bytes, not text
            else:
                prop["items"].setdefault("pattern", NO_NUL)


def _errors_shared(result: dict[str, Any], operations: list[dict[str, Any]]) -> None:
    """Each operation's problem responses become references to one component per status."""
    used: set[int] = set()
    for operation in operations:
        for code, response in operation["responses"].items():
            if (
                code.isdigit()
                and int(code) in ERRORS
                and PROBLEM_TYPE in response.get("content", {})
            ):
                operation["responses"][code] = {
                    "$ref": f"#/components/responses/{ERRORS[int(code)][0]}"
                }
                used.add(int(code))
    shared = {}
    for code in sorted(used):
        name, description = ERRORS[code]
        shared[name] = {
            "description": description,
            "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    if 429 in used:
        shared["TooManyRequests"]["headers"] = {
            "Retry-After": {
                "schema": {"type": "integer", "minimum": 0},
                "description": "Seconds until the next request is allowed.",
            }
        }
    result["components"]["responses"] = shared


def _filters_typed(result: dict[str, Any], operations: list[dict[str, Any]]) -> None:
    """A filter takes the enum of the field it filters (`?status=` a FineStatusEnum), so a
    generated client has one type for both, not one per parameter."""
    enums = {
        tuple(sorted(component["enum"])): name
        for name, component in result["components"]["schemas"].items()
        if "enum" in component
    }
    for operation in operations:
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            name = enums.get(tuple(sorted(schema.get("enum", []))))
            if name is not None:
                parameter["schema"] = {"$ref": f"#/components/schemas/{name}"}


def _enums_explained(result: dict[str, Any]) -> None:
    for name, meanings in MEANINGS.items():
        component = result["components"]["schemas"].get(name)
        if component is None:
            continue
        labels = dict(
            line[3:].split("` - ", 1)
            for line in component.get("description", "").splitlines()
            if line.startswith("* `")
        )
        component["description"] = "\n".join(
            f"* `{value}` - {meanings.get(value, labels.get(value, value))}"
            for value in component["enum"]
        )


def _categories_described(component: dict[str, Any]) -> None:
    prop = component.get("properties", {}).get("category")
    if prop is not None and prop.get("type") == "string":
        prop["description"] = CATEGORY_TEXT


CATEGORY_TEXT = (
    "The content category's code. Shipped with the engine (a regulator may add its own):\n"
    + "\n".join(f"* `{code}` - {meaning}" for code, meaning, _urgent in CATEGORIES)
)

BLOCKLIST = {
    "get": {
        "operationId": "blocklist_retrieve",
        "summary": "The domains ISPs must block",
        "description": "Every domain under an access block in force, for ISPs to poll: public, "
        "no key. Send the last `ETag` in `If-None-Match` to get 304 while nothing changed.",
        "tags": ["blocklist"],
        "security": [],
        "parameters": [
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": "The ETag of the list you hold.",
            }
        ],
        "responses": {
            "200": {
                "description": "The list.",
                "headers": {"ETag": {"schema": {"type": "string"}}},
                "content": {},
            },
            "304": {"description": "Unchanged since the ETag you sent."},
        },
    }
}
BLOCKLIST_JSON = {
    "type": "object",
    "properties": {
        "count": {"type": "integer", "minimum": 0},
        "domains": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "domain": {"type": "string"},
                    "platform": {"type": "string"},
                    "block": {"type": "string", "description": "The block's number."},
                    "since": {"type": "string", "format": "date-time"},
                },
                "required": ["domain", "platform", "block", "since"],
            },
        },
    },
    "required": ["count", "domains"],
}


def _blocklist(result: dict[str, Any]) -> None:
    as_json = json_copy(BLOCKLIST)
    as_json["get"]["responses"]["200"]["content"] = {"application/json": {"schema": BLOCKLIST_JSON}}
    as_text = json_copy(BLOCKLIST)
    as_text["get"]["operationId"] = "blocklist_text"
    as_text["get"]["summary"] = "The domains ISPs must block, one per line"
    as_text["get"]["responses"]["200"]["content"] = {"text/plain": {"schema": {"type": "string"}}}
    result["paths"]["/api/v1/blocklist/"] = as_json
    result["paths"]["/api/v1/blocklist.txt"] = as_text


def json_copy(value: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(value))


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
            _strings_without_nul(component)
        _categories_described(component)
    operations = {
        operation["operationId"]: operation
        for path in result.get("paths", {}).values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for operation in operations.values():
        for parameter in operation.get("parameters", []):
            _strings_without_nul({"properties": {"p": parameter.get("schema", {})}})
            if parameter["name"] == "category":
                parameter["description"] = CATEGORY_TEXT
    for source, links in LINKS.items():
        response = operations[source]["responses"]["200"]
        response["links"] = {
            name: {"operationId": target, "parameters": parameters}
            for name, (target, parameters) in links.items()
        }
    _enums_explained(result)
    _errors_shared(result, list(operations.values()))
    _filters_typed(result, list(operations.values()))
    _blocklist(result)
    result["webhooks"] = events.webhooks()
    result["servers"] = [{"url": settings.PUBLIC_URL, "description": "This deployment."}]
    return result
