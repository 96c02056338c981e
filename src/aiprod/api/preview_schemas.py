"""Bodies of ``POST /v1/previews/voice`` and ``POST /v1/previews/music``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from aiprod.previews import LANGUAGE_TAG, MAX_MUSIC_S, MAX_TEXT_CHARS, MIN_MUSIC_S


class VoicePreviewCreate(BaseModel):
    """A sentence to hear in a voice: ``text``, or a sample sentence in ``language``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"language": "fr", "voice": "espeak:fr+f3"}]},
    )

    language: str = Field(
        default="en", max_length=35, pattern=LANGUAGE_TAG.pattern, description="BCP-47 tag"
    )
    voice: str | None = Field(
        default=None,
        max_length=80,
        description="a spec's `voice`: none for the language's default, `espeak:<name>`, "
        "or `en_US-joe-medium`",
    )
    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)


class MusicPreviewCreate(BaseModel):
    """A few seconds of music composed for a mood."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"mood": "upbeat", "seconds": 6}]}
    )

    mood: str = Field(max_length=40, description="upbeat, calm, corporate, inspiring, …")
    seconds: float = Field(default=6.0, ge=MIN_MUSIC_S, le=MAX_MUSIC_S)
