import json
from pathlib import Path

from aiprod.spec.model import VideoSpec

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "videospec.schema.json"


def test_committed_json_schema_is_current() -> None:
    committed = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert committed == VideoSpec.model_json_schema(), "stale schema: run `make schema`"
