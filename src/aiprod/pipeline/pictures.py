"""Pictures chosen by meaning for a written spec's scenes that show one but name none.

A hook or benefit layout sets its picture in a disc; a spec written by hand often gives no
illustration, and the disc then stood empty, like a missing image. Those scenes get an icon
of the bundled set chosen by what they say, as a planned brief's scenes do
(:func:`aiprod.visuals.choose.choose_visuals`); the manifest records it like any other.
"""

from __future__ import annotations

import logging

from aiprod.design.backgrounds import hero_clip
from aiprod.design.engine import choose_layouts
from aiprod.errors import ProviderUnavailable
from aiprod.spec.model import Illustration, Scene, VideoSpec
from aiprod.visuals.choose import choose_visuals, scene_line

log = logging.getLogger(__name__)

# the layouts that set a picture in a disc, and those that do when short of items (a list
# of fewer than two, a comparison of fewer than two: a benefit)
SHOWS_PICTURE = frozenset({"hook", "benefit"})
SHOWS_PICTURE_WITHOUT_ITEMS = frozenset({"list", "comparison"})


def _shows_picture(scene: Scene, kind: str) -> bool:
    """Whether ``kind`` sets a picture in a disc for ``scene``."""
    if kind in SHOWS_PICTURE_WITHOUT_ITEMS:
        return len([i for i in scene.items if i.strip()]) < 2
    return kind in SHOWS_PICTURE


def with_pictures_by_meaning(spec: VideoSpec) -> VideoSpec:
    """``spec`` with an icon in each scene whose layout shows a picture and that has none;
    unchanged when the icon index cannot be used (the disc then stays empty)."""
    kinds = choose_layouts(list(spec.scenes))
    wanting = [
        n
        for n, (scene, kind) in enumerate(zip(spec.scenes, kinds, strict=True))
        if scene.illustration is None
        and hero_clip(scene, kind) is None
        and _shows_picture(scene, kind)
    ]
    if not wanting:
        return spec
    lines = [scene_line(spec.scenes[n].title, spec.scenes[n].narration) for n in wanting]
    try:
        choices = choose_visuals(lines)
    except ProviderUnavailable as error:
        log.warning("pictures are not chosen by meaning: %s", error)
        return spec
    scenes = list(spec.scenes)
    for n, choice in zip(wanting, choices, strict=True):
        if choice.icon:
            icon = Illustration(icon=choice.icon)
            scenes[n] = scenes[n].model_copy(update={"illustration": icon})
    return spec.model_copy(update={"scenes": scenes})


__all__ = ["SHOWS_PICTURE", "with_pictures_by_meaning"]
