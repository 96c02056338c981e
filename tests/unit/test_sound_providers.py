"""Pure parts of the music, sfx and vision providers: commands as data, licences, prompts,
credits, vendor error texts, the chain settings."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from aiprod.config import Settings
from aiprod.providers.credits import credits_for, credits_text, write_credits
from aiprod.providers.decode import decode_command
from aiprod.providers.http import error_text, is_local
from aiprod.providers.music.chain import music_prompt
from aiprod.providers.registry import chain_names
from aiprod.providers.sfx.freesound import licence_of
from aiprod.providers.vision.openai_compat import parse_verdict
from aiprod.spec.load import parse_spec


def test_decode_command_pads_trims_and_fades_to_exact_samples() -> None:
    args = decode_command(Path("in.mp3"), Path("out.wav"), seconds=2.5, fade_out_s=1.5)
    graph = args[args.index("-af") + 1].split(",")
    assert graph == [
        "aresample=48000",
        "aformat=sample_fmts=s16:channel_layouts=stereo",
        "apad=whole_len=120000",
        "atrim=end_sample=120000",
        "afade=t=out:st=1.875000:d=0.625000",  # a fade is at most a quarter of the length
    ]
    assert args[-1] == "out.wav" and "-stream_loop" not in args
    looped = decode_command(Path("in.ogg"), Path("o.wav"), seconds=3.0, loop=True)
    assert looped[looped.index("-stream_loop") + 1] == "-1"
    assert looped.index("-stream_loop") < looped.index("-i")
    assert not any(part.startswith("afade") for part in looped[looped.index("-af") + 1].split(","))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://creativecommons.org/publicdomain/zero/1.0/", ("cc0", "CC0-1.0")),
        ("https://creativecommons.org/licenses/by/4.0/", ("cc-by", "CC-BY-4.0")),
        ("http://creativecommons.org/licenses/by/3.0/", ("cc-by", "CC-BY-3.0")),
        ("http://creativecommons.org/licenses/by-nc/3.0/", ("cc-by-nc", "CC-BY-NC-3.0")),
        ("Attribution", ("cc-by", "CC-BY-4.0")),
        ("Creative Commons 0", ("cc0", "CC0-1.0")),
        ("http://creativecommons.org/licenses/sampling+/1.0/", None),
        ("", None),
    ],
)
def test_freesound_licences(given: str, expected: tuple[str, str] | None) -> None:
    assert licence_of(given) == expected


def test_music_prompt_has_mood_tempo_and_brand() -> None:
    spec = parse_spec({"brand": {"name": "Zap"}, "music": {"mood": "calm"},
                       "scenes": [{"narration": "Hello there."}]})  # fmt: skip
    prompt = music_prompt(spec)
    assert "calm mood" in prompt and "80 BPM" in prompt and prompt.endswith("about Zap")
    bare = parse_spec({"music": {"mood": "calm"}, "scenes": [{"narration": "Hi there."}]})
    assert "about" not in music_prompt(bare).split("BPM")[1]


def test_credits_once_per_sound_in_order(tmp_path: Path) -> None:
    a = {"title": "A", "author": "x", "url": "u1", "licence": "CC-BY-4.0", "licence_url": "l"}
    b = {"title": "B", "author": "y", "url": "u2", "licence": "CC-BY-3.0", "licence_url": "l"}
    effects = [{"attribution": a}, {"source": "synthesised"}, {"attribution": b},
               {"attribution": a}]  # fmt: skip
    credits = credits_for(effects)
    assert credits == (a, b)
    assert credits_text(credits, "Ad").splitlines() == [
        "Credits for Ad", "", "Sound effects:",
        '- "A" by x (u1), licensed under CC-BY-4.0 (l)',
        '- "B" by y (u2), licensed under CC-BY-3.0 (l)',
    ]  # fmt: skip
    assert write_credits(tmp_path, ()) is None and not (tmp_path / "credits.txt").exists()
    assert write_credits(tmp_path, credits) == tmp_path / "credits.txt"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, {"detail": "Invalid token."}, "HTTP 401: Invalid token."),
        (429, {"detail": {"status": "too_many", "message": "slow"}}, "HTTP 429 too_many: slow"),
        (400, {"error": {"message": "bad", "code": "x"}}, "HTTP 400 x: bad"),
        (422, {"detail": [{"msg": "field required"}]}, "HTTP 422: field required"),
        (500, ["?"], "HTTP 500"),
    ],
)
def test_vendor_error_texts(status: int, body: object, expected: str) -> None:
    assert error_text(httpx.Response(status, json=body)) == expected


def test_verdicts() -> None:
    verdict = parse_verdict('```json\n{"matches": false, "reason": " a  car "}\n```')
    assert (verdict.matches, verdict.reason) == (False, "a car")
    for bad in ("yes", '{"matches": "yes"}', "[]"):
        with pytest.raises(ValueError):
            parse_verdict(bad)


def test_chains_are_closed_by_their_offline_default(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, music_providers="elevenlabs_music",
                        sfx_providers="library freesound", vision_providers="")  # fmt: skip
    assert chain_names("music", settings) == ["elevenlabs_music", "composer"]
    assert chain_names("sfx", settings) == ["library", "freesound", "synth"]
    assert chain_names("vision", settings) == []
    with pytest.raises(ValueError, match="freesound_licences"):
        Settings(data_dir=tmp_path, freesound_licences="cc0,all-rights-reserved")


def test_loopback_urls_are_local() -> None:
    assert is_local("http://127.0.0.1:8080/v1") and is_local("http://localhost/x")
    assert not is_local("https://api.elevenlabs.io")
