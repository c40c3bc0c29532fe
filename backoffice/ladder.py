"""The escalation ladder edited as rows (step, period and unit, urgent period, fine, legal
basis) instead of JSON. The rows become the ladder's JSON as the sweep reads it; the policy
service's own check (`ladder_validate`) judges it and names the step that is wrong."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from compliance.policies.calendar import Unit
from compliance.policies.services import ladder_validate
from compliance.policies.terms import PERIOD_KEYS, LadderAction

SPARE_ROWS = 2  # empty rows to add steps with
COLUMNS = ("action", "period", "urgent_period", "unit", "fine_per_item", "fine", "legal_basis")
UNITS = [
    (Unit.HOURS.value, _("hours")),
    (Unit.DAYS.value, _("days")),
    (Unit.WORKING_DAYS.value, _("working days")),
]
ACTIONS = [("", "---------"), *LadderAction.choices]


def _row(step: Mapping[str, Any]) -> dict[str, Any]:
    unit = next((u for u, (key, _) in PERIOD_KEYS.items() if key in step), Unit.HOURS)
    key, urgent_key = PERIOD_KEYS[unit]
    return {
        "action": step.get("action", ""),
        "period": step.get(key, ""),
        "urgent_period": step.get(urgent_key, ""),
        "unit": unit.value,
        "fine_per_item": step.get("fine_per_item", ""),
        # A fine other than per item, as its JSON (e.g. a share of turnover with a floor).
        "fine": json.dumps(step["fine"]) if "fine" in step else "",
        "legal_basis": step.get("legal_basis", ""),
    }


def _json(text: str) -> Any:
    """A fine rule's JSON as an object; text that is not JSON kept, for the check to refuse."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _number(text: str) -> int | str:
    """A whole number as such; anything else kept as typed, for the check to refuse."""
    text = text.strip()
    return int(text) if text.isdigit() else text


class LadderWidget(forms.Widget):
    template_name = "admin/widgets/ladder.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        steps = value if isinstance(value, list) else []
        rows = [_row(step) if isinstance(step, dict) else _row({}) for step in steps]
        rows += [_row({}) for _ in range(SPARE_ROWS)]
        context["widget"].update(
            rows=[(n, row) for n, row in enumerate(rows, start=1)],
            actions=ACTIONS,
            units=UNITS,
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, Any]]:
        """The rows as the ladder's steps, in order; a row without an action is left out."""
        steps = []
        for n in range(1, 1 + int(data.get(f"{name}-rows", 0) or 0)):
            row = {c: str(data.get(f"{name}-{n}-{c}", "")).strip() for c in COLUMNS}
            if not row["action"]:
                continue
            unit = Unit(row["unit"]) if row["unit"] in Unit._value2member_map_ else Unit.HOURS
            key, urgent_key = PERIOD_KEYS[unit]
            step: dict[str, Any] = {"action": row["action"], key: _number(row["period"])}
            if row["urgent_period"]:
                step[urgent_key] = _number(row["urgent_period"])
            if row["fine_per_item"]:
                step["fine_per_item"] = row["fine_per_item"]
            if row["fine"]:
                step["fine"] = _json(row["fine"])
            if row["legal_basis"]:
                step["legal_basis"] = row["legal_basis"]
            steps.append(step)
        return steps

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}-rows" not in data


class LadderField(forms.Field):
    widget = LadderWidget

    def clean(self, value: Any) -> Any:
        try:
            ladder_validate(value)
        except ValidationError as error:
            raise ValidationError(error.message_dict["ladder"]) from None
        return value
