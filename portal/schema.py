"""What the generated OpenAPI schema says beyond what drf-spectacular infers.

- Request bodies refuse unknown members (`additionalProperties: false`), as StrictSerializer
  does; their strings and those of parameters may not hold NUL (the database cannot store
  it; DRF refuses it); an uploaded file is not empty.
- Links between operations (an order listed -> read, acknowledged, reported, objected to; a
  fine listed -> paid), so clients and stateful test generators can follow real objects.
"""

from __future__ import annotations

from typing import Any

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
    "fines_list": {"PayFine": ("fines_payment_create", {"fine_id": "$response.body#/0/id"})},
}


def _strings_without_nul(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        if prop.get("format") == "binary":
            prop["minLength"] = 1  # an empty file part is no file at all to the parser
        if prop.get("type") == "string" and not {"enum", "format", "pattern", "$ref"} & set(prop):
            prop["pattern"] = NO_NUL
        if prop.get("type") == "array" and prop.get("items", {}).get("type") == "string":
            prop["items"].setdefault("pattern", NO_NUL)


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
            _strings_without_nul(component)
    operations = {
        operation["operationId"]: operation
        for path in result.get("paths", {}).values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for operation in operations.values():
        for parameter in operation.get("parameters", []):
            _strings_without_nul({"properties": {"p": parameter.get("schema", {})}})
    for source, links in LINKS.items():
        response = operations[source]["responses"]["200"]
        response["links"] = {
            name: {"operationId": target, "parameters": parameters}
            for name, (target, parameters) in links.items()
        }
    return result
