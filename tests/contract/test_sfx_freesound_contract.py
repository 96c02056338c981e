"""Contract: Freesound API v2 (text search, pages, previews) against a local server that
follows the published API (tests/vendor_servers.py), driven through the real
provider and the sfx chain; each injected failure falls back to synthesis with the reason."""

from __future__ import annotations

import json
import logging
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aiprod.config import Settings
from aiprod.providers.base import Ledger
from aiprod.providers.sfx.chain import EffectChain, PlacedSound
from vendor_servers import CC0, CC_BY, CC_BY_NC, Fault, FreesoundServer, VendorServer, make_audio

KEY = VendorServer.api_key


@pytest.fixture(scope="module")
def ogg(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_audio(tmp_path_factory.mktemp("audio") / "hit.ogg", 1.2, "libvorbis")


@pytest.fixture
def server(ogg: bytes) -> Iterator[FreesoundServer]:
    with FreesoundServer([], ogg) as running:
        assert isinstance(running, FreesoundServer)
        running.sounds = [
            running.sound(101, "Swoosh NC", CC_BY_NC, "nc_maker"),
            running.sound(102, "Whoosh NC 2", CC_BY_NC, "nc_maker"),
            running.sound(203, "Fast whoosh", CC_BY, "ana_foley", duration=0.9),
            running.sound(204, "Air whoosh", CC0, "pd_person"),
        ]
        yield running


def sfx_settings(tmp_path: Path, server: FreesoundServer, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "freesound_base_url": f"{server.origin}/apiv2",
        "freesound_api_key": KEY,
        "freesound_timeout_s": 5.0,
        "llm_retries": 2,
    }
    values.update(extra)
    return Settings(**values)


def whoosh(settings: Settings, seed: int = 0) -> tuple[PlacedSound, Ledger]:
    ledger = Ledger()
    placed = EffectChain(settings, ledger).get("whoosh", category=None, duration=None, seed=seed)
    return placed, ledger


def searches(server: FreesoundServer) -> list[Any]:
    return [s for s in server.seen if s.path == "/apiv2/search/text/"]


def assert_no_key(tmp_path: Path, *texts: str) -> None:
    for text in texts:
        assert KEY not in text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_search_follows_next_to_an_allowed_licence_and_keeps_the_attribution(
    tmp_path: Path, server: FreesoundServer
) -> None:
    placed, ledger = whoosh(sfx_settings(tmp_path, server))
    first, second = searches(server)
    assert first.headers["Authorization"] == f"Token {KEY}"
    assert first.query["query"] == ["whoosh swoosh"]
    assert first.query["fields"] == ["id,name,license,username,previews,duration,url"]
    assert first.query["filter"] == [
        'license:("Creative Commons 0" OR "Attribution") duration:[0.25 TO 3]'
    ]
    assert second.query["page"] == ["2"]  # the first page only had CC-BY-NC sounds
    (preview,) = [s for s in server.seen if s.path.startswith("/previews/")]
    assert preview.path == "/previews/203_hq.ogg" and "Authorization" not in preview.headers
    assert placed.asset.source == "freesound:203" and placed.asset.licence == "CC-BY-4.0"
    with wave.open(str(placed.asset.path), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels()) == (48000, 2)
        assert wav.getnframes() == round(0.9 * 48000)  # its own length (under 3 s)
    assert placed.attribution == {
        "title": "Fast whoosh", "author": "ana_foley",
        "url": "https://freesound.org/people/ana_foley/sounds/203/",
        "licence": "CC-BY-4.0", "licence_url": CC_BY, "source": "freesound:203",
    }  # fmt: skip
    search, download = ledger.to_dict()["calls"]
    assert search["units"] == {"pages": 2} and search["licence"] == "CC-BY-4.0"
    assert download["detail"] == "preview" and download["request_id"] == "203"
    assert not ledger.fallbacks
    again, ledger2 = whoosh(sfx_settings(tmp_path, server))  # cached: no call at all
    assert again.asset.path == placed.asset.path and not ledger2.calls
    assert again.attribution == placed.attribution
    assert_no_key(tmp_path, json.dumps(ledger.to_dict()))


def test_a_cc0_sound_needs_no_credit(tmp_path: Path, server: FreesoundServer) -> None:
    placed, _ = whoosh(sfx_settings(tmp_path, server), seed=1)  # 2nd fitting one on page 2
    assert placed.asset.source == "freesound:204" and placed.attribution is None


@pytest.mark.parametrize(
    ("faults", "reason", "attempts"),
    [
        ([Fault(500), Fault(500), Fault(500)], "http_500", 3),
        ([Fault(200, body=b"{not json")], "invalid_response", 1),
        ([Fault(200, body=b'{"count": 0, "results": "none"}')], "invalid_response", 1),
        ([Fault(429, {"Retry-After": "600"}, message="Request was throttled.")], "http_429", 1),
    ],
)
def test_failures_fall_back_to_synthesis_with_the_reason(
    tmp_path: Path,
    server: FreesoundServer,
    faults: list[Fault],
    reason: str,
    attempts: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.faults.extend(faults)
    with caplog.at_level(logging.WARNING):
        placed, ledger = whoosh(sfx_settings(tmp_path, server))
    assert placed.asset.synthesised and placed.attribution is None
    (fallback,) = ledger.fallbacks
    assert fallback["provider"] == "freesound" and fallback["reason"] == reason
    (call,) = ledger.calls
    assert call.status == reason and call.attempts == attempts
    assert_no_key(tmp_path, caplog.text, json.dumps(ledger.to_dict()))


def test_429_with_retry_after_is_retried(tmp_path: Path, server: FreesoundServer) -> None:
    server.faults.append(Fault(429, {"Retry-After": "1"}, message="Request was throttled."))
    placed, ledger = whoosh(sfx_settings(tmp_path, server))
    assert placed.asset.source == "freesound:203"
    assert ledger.calls[0].attempts == 3  # 429, page 1, then page 2 (same record)


def test_wrong_key_is_401_and_the_chain_stops_asking(
    tmp_path: Path, server: FreesoundServer
) -> None:
    settings = sfx_settings(tmp_path, server, freesound_api_key="wrong-token-987654321")
    ledger = Ledger()
    chain = EffectChain(settings, ledger)
    first = chain.get("whoosh", category=None, duration=None, seed=0)
    second = chain.get("pop", category=None, duration=None, seed=0)
    assert first.asset.synthesised and second.asset.synthesised
    assert [f["reason"] for f in ledger.fallbacks] == ["http_401"]  # asked once per render
    assert ledger.fallbacks[0]["detail"] == "HTTP 401: Invalid token."
    assert len(searches(server)) == 1


def test_slow_answer_times_out(tmp_path: Path, server: FreesoundServer) -> None:
    server.faults.append(Fault(200, delay_s=2.0))
    placed, ledger = whoosh(sfx_settings(tmp_path, server, freesound_timeout_s=0.5))
    assert placed.asset.synthesised
    assert ledger.fallbacks[0]["reason"] == "timeout"


def test_no_allowed_sound_on_any_page_is_no_match(tmp_path: Path, server: FreesoundServer) -> None:
    server.sounds = server.sounds[:2]  # CC-BY-NC only
    placed, ledger = whoosh(sfx_settings(tmp_path, server))
    assert placed.asset.synthesised
    assert ledger.fallbacks[0]["reason"] == "no_match"


def test_cc_by_nc_is_used_only_when_the_setting_allows_it(
    tmp_path: Path, server: FreesoundServer
) -> None:
    settings = sfx_settings(tmp_path, server, freesound_licences="cc-by-nc")
    placed, _ = whoosh(settings)
    assert placed.asset.source == "freesound:101" and placed.asset.licence == "CC-BY-NC-3.0"
    assert (
        searches(server)[0].query["filter"][0].startswith('license:("Attribution NonCommercial")')
    )


def test_ambience_is_looped_to_the_asked_length(tmp_path: Path, server: FreesoundServer) -> None:
    ledger = Ledger()
    chain = EffectChain(sfx_settings(tmp_path, server), ledger)
    placed = chain.get("ambience", category="rain", duration=3.5, seed=0)
    assert searches(server)[0].query["query"] == ["rain ambience"]
    with wave.open(str(placed.asset.path), "rb") as wav:
        assert wav.getnframes() == round(3.5 * 48000)


def test_a_dead_endpoint_opens_the_circuit_for_later_renders(
    tmp_path: Path, server: FreesoundServer
) -> None:
    server.faults.extend([Fault(503), Fault(503)])
    settings = sfx_settings(tmp_path, server, llm_retries=0, provider_breaker_failures=2)
    reasons = [whoosh(settings, seed)[1].fallbacks[0]["reason"] for seed in range(3)]
    assert reasons == ["http_503", "http_503", "circuit_open"]
    assert len(searches(server)) == 2  # the third render did not call


def test_a_next_link_to_another_host_is_not_followed_with_the_key(
    tmp_path: Path, server: FreesoundServer
) -> None:
    first_page = {"count": 9, "previous": None, "results": server.sounds[:2],
                  "next": "http://127.0.0.2:9/apiv2/search/text/?page=2"}  # fmt: skip
    server.faults.append(Fault(200, body=json.dumps(first_page).encode()))
    placed, ledger = whoosh(sfx_settings(tmp_path, server))
    assert placed.asset.synthesised and ledger.fallbacks[0]["reason"] == "no_match"
    assert len(searches(server)) == 1
