"""The pipeline as declared stages, each a module with typed inputs and outputs over one
context object (:class:`~aiprod.pipeline.stages.context.RenderContext`):

    plan ─▶ probe ─▶ narration ─▶ timeline ─▶ music ─▶ sfx ─▶ audio ─┐
                                          └─▶ design ─▶ visuals ─▶ picture ─┴─▶ compose
         ─▶ qa ─▶ deliver

A render alone makes its sound (music, sfx, audio) on another thread while it draws its
picture, which needs none of it; ``compose`` joins the two. A family of formats makes its
sound once, before the first picture.

``plan`` (a brief to a spec, :mod:`aiprod.pipeline.plan`) runs before a render; the others
run in :class:`aiprod.pipeline.render.Renderer`. Stages marked cached below keep their
output in the stage cache (:mod:`.cache`) under a key of their inputs' content: an
unchanged stage is never computed again, an identical request is answered from the cache,
and a retried job resumes at the stage that failed (the ones before it are cache hits).
"""

from __future__ import annotations

RENDER_STAGES: tuple[str, ...] = (
    "probe",
    "narration",
    "timeline",
    "music",
    "sfx",
    "audio",
    "design",
    "visuals",
    "picture",
    "compose",
    "qa",
    "deliver",
)
CACHED_STAGES = frozenset(
    {"narration", "music", "sfx", "audio", "visuals", "picture", "compose", "qa"}
)
"""The others are pure and cheap (timeline, design), check inputs (probe) or publish
(deliver): they always run, and their records say ``cache: "off"``."""
