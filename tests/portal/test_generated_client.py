"""A platform's engineers integrate with a client generated from the schema: it generates
cleanly with openapi-python-client, type-checks with mypy --strict, and walks a platform's day
against a live server: orders read, acknowledged and answered, the fine paid, a registration
change declared and its record submitted, letters and keys listed, a page followed by cursor.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from compliance.kernel.actors import Actor
from compliance.sweep.jobs import sweep_all
from registry.services import api_key_create

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
T0 = datetime(2026, 10, 1, tzinfo=UTC)
# The generator's own template passes `*args` to httpx's typed `__exit__`: its error, not one
# of our schema's; everything generated from the schema is checked strictly.
MYPY_CONFIG = """[mypy]
strict = True
[mypy-portal_client.client]
disable_error_code = arg-type
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("client")
    call_command("spectacular", "--file", str(where / "schema.yaml"))
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    run = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(where / "schema.yaml"),
            "--output-path",
            str(where / "portal_client"),
            "--meta",
            "none",
            "--config",
            str(ROOT / "clients" / "python.yaml"),
        ],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # Every operation and response made it into the client: the generator warns otherwise.
    assert "Warning" not in run.stdout, run.stdout
    return where


def test_the_client_type_checks_strictly(generated: Path) -> None:
    (generated / "mypy.ini").write_text(MYPY_CONFIG)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "portal_client"],
        cwd=generated,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.fixture
def client_modules(generated: Path) -> Any:
    sys.path.insert(0, str(generated))
    try:
        yield importlib.import_module("portal_client")
    finally:
        sys.path.remove(str(generated))
        for name in [m for m in sys.modules if m.split(".")[0] == "portal_client"]:
            del sys.modules[name]


def _api(name: str) -> Any:
    return importlib.import_module(f"portal_client.api.{name}")


def _model(name: str) -> Any:
    return getattr(importlib.import_module("portal_client.models"), name)


@pytest.mark.django_db(transaction=True)
def test_a_platforms_day_through_the_generated_client(
    client_modules, live_server, make_order, make_platform, officer
):
    platform = make_platform(is_ugc=True)
    with time_machine.travel(T0, tick=False):
        orders = [make_order(platform=platform) for _ in range(3)]
    for day in (1, 2):
        with time_machine.travel(T0 + timedelta(days=day), tick=False):
            sweep_all()
    orders.append(make_order(platform=platform))  # served today: still to acknowledge
    _, key = api_key_create(platform=platform, actor=Actor.staff(officer), name="integration")
    client = client_modules.AuthenticatedClient(base_url=live_server.url, token=key)

    listed = _api("orders.orders_list").sync(client=client, page_size=3)
    assert isinstance(listed, _model("OrderPageOut"))
    assert len(listed.results) == 3
    rest = _api("orders.orders_list").sync(client=client, cursor=listed.next_cursor)
    references = [o.reference for o in listed.results + rest.results]
    assert sorted(references) == sorted(o.reference for o in orders)
    assert rest.next_cursor is None

    reference = orders[-1].reference
    detail = _api("orders.orders_acknowledge").sync(
        reference=reference, client=client, idempotency_key="ack-1"
    )
    assert detail.reference == reference
    replayed = _api("orders.orders_acknowledge").sync_detailed(
        reference=reference, client=client, idempotency_key="ack-1"
    )
    assert replayed.headers["Idempotent-Replayed"] == "true"
    report = _model("BulkReportInRequest")(
        items=[
            _model("BulkReportItemInRequest")(
                item_id=item.id, action=_model("ActionEnum")("removed")
            )
            for item in detail.items
        ]
    )
    answered = _api("orders.orders_items_report_many").sync(
        reference=reference, client=client, body=report, idempotency_key="report-1"
    )
    assert answered.status.value == "complied"

    fines = _api("fines.fines_list").sync(
        client=client, status=_model("FineStatusEnum")("assessed")
    )
    assert fines.results
    fine = fines.results[0]
    assert fine.amount.endswith(".00")
    assert fine.currency == "IDR"
    paid = _api("fines.fines_payment_create").sync(
        fine_id=fine.id,
        client=client,
        body=_model("PaymentInRequest")(payment_reference="TRX-2026-77"),
        idempotency_key="pay-1",
    )
    assert paid.payment_status.value == "declared"

    change = _api("platform.platform_changes_create").sync(
        client=client, body=_model("ChangeInRequest")(description="Our data moved to Batam.")
    )
    assert change.status.value == "awaiting_data"
    record = _model("RecordInRequest")(
        data_location="Batam, Indonesia", domains=["baru.example", platform.domains.get().domain]
    )
    submitted = _api("platform.platform_changes_record_create").sync(
        change_id=change.id, client=client, body=_model("SubmitInRequest")(record=record)
    )
    assert submitted.status.value == "submitted"
    assert submitted.correct_by is None

    letters = _api("letters.letters_list").sync(client=client)
    assert {letter.kind.value for letter in letters.results} >= {"order_notice", "warning"}
    keys = _api("keys.keys_list").sync(client=client)
    assert [k.current for k in keys.results].count(True) == 1

    refused = _api("platform.platform_changes_retrieve").sync_detailed(
        change_id=change.id + 1000, client=client
    )
    assert refused.status_code == 404
    assert isinstance(refused.parsed, _model("Problem"))


def test_typescript_types_generate_and_a_typed_day_compiles_strictly(generated: Path) -> None:
    """openapi-typescript's types of the schema (paths, components and webhooks) and
    clients/typescript/day.ts, a platform's day written with openapi-fetch against them,
    compile under `tsc --strict`. The tools are pinned in clients/typescript (make install)."""
    where = ROOT / "clients" / "typescript"
    tools = where / "node_modules" / ".bin"
    assert (tools / "tsc").exists(), "TypeScript tools missing: run `make install`"
    (where / "generated").mkdir(exist_ok=True)
    for command in (
        [
            str(tools / "openapi-typescript"),
            str(generated / "schema.yaml"),
            "-o",
            str(where / "generated" / "portal.d.ts"),
        ],
        [str(tools / "tsc"), "-p", str(where / "tsconfig.json")],
    ):
        run = subprocess.run(command, cwd=where, capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stdout + run.stderr


def test_schema_passes_redocly_recommended_rules(generated: Path) -> None:
    """Redocly's linter, recommended rules (clients/redocly.yaml says which one is off and why).
    Its only warnings: the ISPs' feed has no 4xx answer, as it answers 200 or 304 to anyone."""
    redocly = ROOT / "clients" / "typescript" / "node_modules" / ".bin" / "redocly"
    assert redocly.exists(), "Redocly's CLI missing: run `make install`"
    run = subprocess.run(
        [
            str(redocly),
            "lint",
            str(generated / "schema.yaml"),
            "--config",
            str(ROOT / "clients" / "redocly.yaml"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(run.stdout)
    assert report["totals"]["errors"] == 0, run.stdout
    warned = {(p["ruleId"], p["location"][0]["pointer"].split("/")[2]) for p in report["problems"]}
    assert warned <= {
        ("operation-4xx-response", "~1api~1v1~1blocklist~1"),
        ("operation-4xx-response", "~1api~1v1~1blocklist.txt"),
    }
