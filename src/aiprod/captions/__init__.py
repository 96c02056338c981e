"""Captions: timed words to readable cues, sidecar files (SRT/WebVTT) and burnt-in ASS.

build_cues(words)                  -> list[Cue]            (cues.py, pure)
to_srt / to_webvtt / parse_srt                             (sidecar.py, pure)
caption_events(cues, style=...)    -> (styles, events)     (styles.py, pure)
AssDocument(...).render()          -> ASS text             (ass.py, pure)
write_caption_files(cues, out_dir) -> {"srt": ..., "vtt": ...}
"""

from aiprod.captions.ass import (
    AssDocument,
    AssEvent,
    AssStyle,
    escape_ass_text,
)
from aiprod.captions.cues import CaptionWord, Cue, build_cues
from aiprod.captions.sidecar import parse_srt, to_srt, to_webvtt
from aiprod.captions.styles import caption_events, recommended_line_chars, write_caption_files

__all__ = [
    "AssDocument",
    "AssEvent",
    "AssStyle",
    "CaptionWord",
    "Cue",
    "build_cues",
    "caption_events",
    "escape_ass_text",
    "parse_srt",
    "recommended_line_chars",
    "to_srt",
    "to_webvtt",
    "write_caption_files",
]
