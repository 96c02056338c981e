"""The advisory vision check: does each scene's frame fit its narration?

Off unless ``AIPROD_VISION_PROVIDERS`` names a provider. Each scene's frame (the one the
contact sheet shows) goes to the vision chain with the scene's narration; the verdicts,
every call and every failure make the QA report's ``vision`` section. It never fails a
render: a mismatch is a note for people, and a provider failure is recorded, not raised.

Once per plan: a render in several aspects (``--formats 9:16,1:1,16:9``) reviews the first
format's frames only, and the other formats' reports repeat that verdict
(:func:`reused_review`: ``reused`` true, ``frames`` the size that was looked at, no calls
and nothing spent, so the family's cost counts the review once). The aspects of one plan
show the same pictures, headlines and words, only framed differently, and the question asked
is whether the picture fits the words, not how it is framed. A first review that could not
be made (provider down, over budget) is not shared: the next format tries again.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from PIL import Image

from aiprod.config import Settings
from aiprod.providers.base import ProviderFailed
from aiprod.providers.credits import ProviderCalls
from aiprod.providers.registry import build_chain
from aiprod.providers.resilience import BudgetExhausted
from aiprod.providers.vision.openai_compat import OpenAICompatibleVision
from aiprod.spec.model import VideoSpec

MAX_SIDE_PX = 768  # the frame is sent at most this large: enough to judge, few tokens
log = logging.getLogger(__name__)

SceneFrame = tuple[int, npt.NDArray[np.uint8] | None]


def frame_jpeg(frame: npt.NDArray[np.uint8]) -> bytes:
    """The RGB frame as a JPEG at most ``MAX_SIDE_PX`` on its long side."""
    image = Image.fromarray(frame, "RGB")
    image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def review_frames(
    spec: VideoSpec,
    frames: Sequence[SceneFrame],
    settings: Settings,
    sound_providers: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The ``vision`` section of the QA report; None when the check is off."""
    entries = build_chain("vision", settings)
    if not entries:
        return None
    ready = [(e.name, cast(OpenAICompatibleVision, e.provider)) for e in entries if e.provider]
    section: dict[str, Any] = {"advisory": True, "scenes": []}
    if not ready:
        section["status"] = "; ".join(f"{e.name}: {e.skipped}" for e in entries)
        return section
    spent = (sound_providers or {}).get("spent", 0.0)
    calls = ProviderCalls.for_job(
        spec, settings, spent=float(spent) if isinstance(spent, int | float) else 0.0
    )
    used: set[str] = set()
    for scene, frame in frames:
        narration = spec.scenes[scene].narration.strip() if scene < len(spec.scenes) else ""
        if frame is None or not narration:
            why = "no frame" if frame is None else "no narration"
            section["scenes"].append({"scene": scene, "checked": False, "reason": why})
            continue
        section["scenes"].append(_review(scene, narration, frame_jpeg(frame), ready, calls, used))
    checked = [s for s in section["scenes"] if s.get("checked")]
    section["mismatches"] = sum(1 for s in checked if not s["matches"])
    section["status"] = "checked" if checked else "unavailable"
    section.update(calls.ledger.to_dict({"vision": ",".join(sorted(used))} if used else None))
    return section


def reused_review(first: dict[str, Any]) -> dict[str, Any]:
    """Another aspect's ``vision`` section for this one: the same verdicts, no calls."""
    kept = {k: v for k, v in first.items() if k not in ("calls", "fallbacks", "spent")}
    return {**kept, "reused": True, "calls": [], "fallbacks": [], "spent": 0.0}


def _review(
    scene: int,
    narration: str,
    jpeg: bytes,
    ready: list[tuple[str, OpenAICompatibleVision]],
    calls: ProviderCalls,
    used: set[str],
) -> dict[str, Any]:
    reasons = []
    for name, provider in list(ready):
        try:
            if provider.info.paid:
                calls.budget.check(provider.estimate(narration))
            verdict, record = provider.review(narration, jpeg)
        except (ProviderFailed, BudgetExhausted) as error:
            failure = (error if isinstance(error, ProviderFailed)
                       else ProviderFailed("budget", str(error)))  # fmt: skip
            if failure.record is not None:
                calls.ledger.add(failure.record)
            calls.ledger.fell_back("vision", name, failure.reason, failure.detail)
            log.warning("vision provider %s failed (%s): %s", name, failure.reason, failure.detail)
            if failure.reason != "invalid_output":
                ready.remove((name, provider))  # down or over budget: not asked again
            reasons.append(f"{name}: {failure.reason}")
            continue
        calls.ledger.add(record)
        calls.budget.charge(record.actual or record.estimate)
        used.add(name)
        return {"scene": scene, "checked": True, "matches": verdict.matches,
                "reason": verdict.reason, "provider": name}  # fmt: skip
    return {"scene": scene, "checked": False, "reason": "; ".join(reasons) or "no provider left"}
