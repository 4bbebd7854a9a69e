"""Answers are written by orjson (`mcp.jsonout`) and read back as the same JSON value that
`json.dumps` with Django's encoder wrote before; what orjson refuses is written by json."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder

from mcp import jsonout


def _as_before(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def test_the_same_value_as_json_wrote():
    value = {
        "name": "Sigur Rós — Ágætis byrjun",
        "count": 3,
        "minutes": 12.5,
        "none": None,
        "rows": [{"start": "2024-01-01", "plays": 0}],
        7: "an int key becomes a string",
        "at": datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        "day": date(2024, 5, 6),
        "exact": Decimal("1.50"),
    }
    written = jsonout.dumps(value)
    assert json.loads(written) == _as_before(value)
    assert "Sigur Rós".encode() in written, "text stays UTF-8, not \\u escapes"
    assert jsonout.dumps_text(value) == written.decode()


def test_what_orjson_refuses_is_written_by_json():
    huge = {"n": 2**70}  # past 64 bits: orjson refuses it
    assert json.loads(jsonout.dumps(huge)) == huge


def test_a_response_is_json_with_its_status():
    response = jsonout.response({"ok": True}, status=418)
    assert response.status_code == 418
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"ok": True}
