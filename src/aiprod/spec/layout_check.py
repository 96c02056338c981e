"""A scene's layout needs its content: checks no field validator can make on its own.

A ``stat`` layout needs a ``stat``, ``list`` two to four ``items``, ``comparison`` exactly
two, ``offer`` an ``offer`` with something to show, ``quote`` a ``quote``, ``product`` a
picture file (an illustration ``path`` or an image or video background).
"""

from __future__ import annotations

from aiprod.errors import SpecProblem
from aiprod.spec.model import ImageBackground, Scene, VideoBackground, VideoSpec


def _missing(scene: Scene) -> tuple[str, str] | None:
    """(field, what is wrong) when the scene's layout lacks its content."""
    layout = scene.layout
    if layout == "stat" and scene.stat is None:
        return "stat", "layout 'stat' needs a 'stat': {value, unit, label}"
    if layout == "list" and len(scene.items) < 2:
        return "items", "layout 'list' needs 2 to 4 'items'"
    if layout == "comparison" and len(scene.items) != 2:
        return "items", "layout 'comparison' needs exactly 2 'items': [before, after]"
    if layout == "offer" and (scene.offer is None or not scene.offer.model_dump(exclude_none=True)):
        return "offer", "layout 'offer' needs an 'offer' with a badge, price or code"
    if layout == "quote" and scene.quote is None:
        return "quote", "layout 'quote' needs a 'quote': {text, author}"
    if layout == "product" and not _has_picture(scene):
        return "layout", "layout 'product' needs a picture: an illustration path, image or video"
    return None


def _has_picture(scene: Scene) -> bool:
    if scene.illustration is not None and scene.illustration.path is not None:
        return True
    return isinstance(scene.background, ImageBackground | VideoBackground)


def layout_problems(spec: VideoSpec) -> list[SpecProblem]:
    """One problem per scene whose layout lacks the content it shows, naming the scene."""
    problems = []
    for i, scene in enumerate(spec.scenes):
        missing = _missing(scene)
        if missing is not None:
            name = f" ('{scene.id}')" if scene.id else ""
            problems.append(
                SpecProblem(f"scenes.{i}.{missing[0]}", f"scene {i + 1}{name}: {missing[1]}")
            )
    return problems
