"""The storyboard editor of a plan awaiting review: scene cards from a manifest, and the
manifest an edited form stands for. No web framework and no database here.

The form carries the manifest it was drawn from (``base``, JSON) and its version; each card
names the scene of ``base`` it edits (its index, or ``new``). Fields the editor does not
show (backgrounds, stats, a sound cue's timing…) are kept from that scene. Sound cues are
edited by kind (a kind ticked keeps its cues, or gains one at the scene's start; a sound
file cue is kept); a picture file (uploaded by the route) is a scene's ``illustration.path``;
the music is a mood, none, or the plan's own file kept. Reordering, adding and
deleting only redraw the form (nothing is saved); *Save* and *Approve* send the whole
manifest through :func:`aiprod.jobs.review.replace_manifest`, the service of
``PUT /v1/jobs/{id}/manifest``, with the version as ``If-Match``.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Final, get_args

from aiprod.errors import InvalidSpec, SpecProblem
from aiprod.spec.model import LAYOUT_KINDS, XFADE_TRANSITIONS, MusicMood, SfxKind
from aiprod.visuals.icon_index import bundled_choices
from aiprod.visuals.icons import UnknownIcon, icon_exists, icon_svg

NEW: Final = "new"
NO_TRANSITION: Final = "cut"
SFX_KINDS: Final[tuple[str, ...]] = get_args(SfxKind)
MOODS: Final[tuple[str, ...]] = get_args(MusicMood)
KEEP_MUSIC: Final = "keep"  # the plan's music file, as it is
NO_MUSIC: Final = "none"
MAX_BASE_CHARS: Final = 2_000_000
MAX_SCENES: Final = 200
_OP: Final = re.compile(r"^(save|approve|(up|down|delete|add|stock)-(\d{1,3}))$")
_FIELD: Final = re.compile(r"^scenes\.(\d+)\.?(.*)$")
FIELD_NAMES: Final = {
    "narration": "narration",
    "title": "headline",
    "layout": "layout",
    "illustration": "picture",
    "illustration.icon": "picture",
    "transition": "transition",
    "transition.type": "transition",
    "illustration.path": "picture",
    "sfx": "sound cues",
}


@dataclass
class Card:
    """One scene as the editor shows it."""

    source: str  # index of the scene in ``base``, or NEW
    narration: str = ""
    title: str = ""
    layout: str = ""
    icon: str = ""
    transition: str = "fade"
    other_picture: str = ""  # an emoji or file picture, kept as it is
    picture_path: str = ""  # a picture file (an upload): the scene's illustration.path
    sfx: list[str] = field(default_factory=list)  # the sound-cue kinds ticked
    sfx_files: int = 0  # sound-file cues, kept as they are
    problems: list[str] = field(default_factory=list)
    credit: str = ""  # whom the picture file is by (a stock photo's credit)
    stock_query: str = ""  # the stock photo search typed on the card
    stock_pick: str = ""  # the stock photo chosen on the card (its id), not yet taken
    picked: dict[str, Any] | None = None  # a stock photo taken: its provenance, to record
    stock: Any = None  # the card's stock search (aiprod.studio.stock_pictures.StockSearch)

    @property
    def words(self) -> int:
        return len(self.narration.split())

    @property
    def picked_json(self) -> str:
        """The stock photo taken, for the redrawn form's hidden field ('' if none)."""
        return json.dumps(self.picked, ensure_ascii=False) if self.picked else ""


@dataclass(frozen=True)
class Edit:
    """What a submitted editor form holds."""

    base: dict[str, Any]
    version: int
    cards: list[Card]
    op: str
    music: str = KEEP_MUSIC  # a mood, NO_MUSIC, or KEEP_MUSIC


def _scenes(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    scenes = manifest.get("scenes")
    return [s if isinstance(s, dict) else {} for s in scenes] if isinstance(scenes, list) else []


def _card(source: str, scene: dict[str, Any]) -> Card:
    picture = scene.get("illustration")
    icon = other = path = ""
    if isinstance(picture, dict):
        if isinstance(picture.get("icon"), str):
            icon = picture["icon"]
        elif isinstance(picture.get("emoji"), str):
            other = f"emoji {picture['emoji']}"
        elif isinstance(picture.get("path"), str):
            path = picture["path"]
    cues = [c for c in scene.get("sfx") or () if isinstance(c, dict)]
    transition = scene.get("transition", {})
    kind = NO_TRANSITION
    if isinstance(transition, dict):
        kind = str(transition.get("type") or "fade")
    return Card(
        source=source,
        narration=str(scene.get("narration") or ""),
        title=str(scene.get("title") or ""),
        layout=str(scene.get("layout") or ""),
        icon=icon,
        transition=kind,
        other_picture=other,
        picture_path=path,
        sfx=[k for k in SFX_KINDS if any(c.get("kind") == k for c in cues)],
        sfx_files=sum(1 for c in cues if c.get("path")),
    )


def music_of(manifest: dict[str, Any]) -> str:
    """The plan's music as the editor's choice: its mood, NO_MUSIC, or KEEP_MUSIC (a file)."""
    music = manifest.get("music")
    if not isinstance(music, dict):
        return NO_MUSIC
    mood = music.get("mood")
    return mood if isinstance(mood, str) and mood in MOODS else KEEP_MUSIC


def cards_of(manifest: dict[str, Any]) -> list[Card]:
    """One card per scene of a manifest, in order (a picture file with its credit)."""
    credits = credits_of(manifest)
    cards = [_card(str(i), scene) for i, scene in enumerate(_scenes(manifest))]
    for card in cards:
        card.credit = credits.get(card.picture_path, "")
    return cards


def credits_of(manifest: dict[str, Any]) -> dict[str, str]:
    """Each picture file's credit, from the plan's ``brief.providers.visuals``."""
    brief = manifest.get("brief")
    providers = brief.get("providers") if isinstance(brief, dict) else None
    visuals = providers.get("visuals") if isinstance(providers, dict) else None
    found = {}
    for entry in visuals if isinstance(visuals, list) else ():
        if isinstance(entry, dict) and isinstance(entry.get("file"), str):
            found[entry["file"]] = str(entry.get("attribution") or entry.get("provider") or "")
    return found


def _picked(raw: str) -> dict[str, Any] | None:
    """A stock photo's provenance carried by a redrawn form (metadata for the plan's own
    record; the picture itself is the card's checked ``picture_path``)."""
    try:
        found = json.loads(raw) if raw and len(raw) <= 4000 else None
    except ValueError:
        return None
    if not isinstance(found, dict) or not all(isinstance(v, str | int) for v in found.values()):
        return None
    return found


def read_form(form: Any) -> Edit:
    """The edit a submitted form stands for (``form`` is Starlette's FormData).

    InvalidSpec when the form itself is malformed (not when a scene is invalid: that is
    :func:`manifest_of`'s validation, through the API's service)."""
    raw_base = str(form.get("base") or "")
    try:
        base = json.loads(raw_base) if len(raw_base) <= MAX_BASE_CHARS else None
    except ValueError:
        base = None
    raw_version = str(form.get("version") or "")
    if not isinstance(base, dict) or not raw_version.isdigit():
        raise InvalidSpec([SpecProblem("", "this form is damaged; reload the page")], "form")
    op = str(form.get("op") or "save")
    if not _OP.match(op):
        raise InvalidSpec([SpecProblem("", f"unknown action {op[:40]!r}")], "form")
    columns = {
        name: [str(v) for v in form.getlist(name)][:MAX_SCENES]
        for name in ("scene", "narration", "title", "layout", "icon", "transition", "picture_path")
    }
    count = len(columns["scene"])
    if not columns["picture_path"]:  # a form drawn before pictures could be uploaded
        columns["picture_path"] = [""] * count
    if any(len(values) != count for values in columns.values()):
        raise InvalidSpec([SpecProblem("", "this form is damaged; reload the page")], "form")
    known = _scenes(base)
    cards = []
    for i in range(count):
        source = columns["scene"][i]
        if not (source == NEW or (source.isdigit() and int(source) < len(known))):
            source = NEW
        original = _card(source, known[int(source)]) if source != NEW else Card(NEW)
        cards.append(
            Card(
                source=source,
                narration=columns["narration"][i][:5000].replace("\r\n", "\n"),
                title=columns["title"][i][:200],
                layout=columns["layout"][i][:40],
                icon=columns["icon"][i].strip()[:80],
                transition=columns["transition"][i][:40],
                other_picture=original.other_picture,
                picture_path=columns["picture_path"][i][:1000],
                sfx=_ticked(form.getlist(f"sfx-{i}"), original.sfx),
                sfx_files=original.sfx_files,
                stock_query=str(form.get(f"stock-query-{i}") or "")[:200],
                stock_pick=str(form.get(f"stock-pick-{i}") or "")[:100],
                picked=_picked(str(form.get(f"stock-picked-{i}") or "")),
            )
        )
        if cards[-1].picked is not None:
            cards[-1].credit = str(cards[-1].picked.get("attribution") or "")[:200]
        elif columns["picture_path"][i] == original.picture_path:
            cards[-1].credit = credits_of(base).get(original.picture_path, "")
    music = str(form.get("music") or KEEP_MUSIC)
    if music not in (*MOODS, NO_MUSIC, KEEP_MUSIC):
        raise InvalidSpec([SpecProblem("music", f"unknown mood {music[:40]!r}")], "form")
    return Edit(base=base, version=int(raw_version), cards=cards, op=op, music=music)


def _ticked(values: list[Any], drawn: list[str]) -> list[str]:
    """The sound-cue kinds ticked on a card; a card drawn without the boxes (no empty
    marker value either) keeps the scene's kinds."""
    if not values:
        return list(drawn)
    return [kind for kind in SFX_KINDS if kind in values]


def apply_op(cards: list[Card], op: str) -> tuple[list[Card], str]:
    """Cards after a move, an add or a delete, and a sentence saying what changed."""
    found = _OP.match(op)
    if found is None or found.group(2) is None:
        return cards, ""
    kind, at = found.group(2), int(found.group(3))
    if not 0 <= at < len(cards):
        return cards, ""
    cards = list(cards)
    if kind == "up" and at > 0:
        cards[at - 1], cards[at] = cards[at], cards[at - 1]
        return cards, f"Scene {at + 1} moved up."
    if kind == "down" and at < len(cards) - 1:
        cards[at + 1], cards[at] = cards[at], cards[at + 1]
        return cards, f"Scene {at + 1} moved down."
    if kind == "delete":
        if len(cards) == 1:
            return cards, "A video needs at least one scene: this one stays."
        del cards[at]
        return cards, f"Scene {at + 1} deleted."
    if kind == "add" and len(cards) < MAX_SCENES:
        cards.insert(at + 1, Card(NEW, layout=""))
        return cards, f"Scene {at + 2} added: write its narration."
    return cards, ""


def manifest_of(edit: Edit, cards: list[Card]) -> dict[str, Any]:
    """The whole manifest the cards stand for: ``base`` with its scenes replaced.

    InvalidSpec for a picture that is not an icon of the bundled set (the rest is
    validated by the API's service)."""
    known = _scenes(edit.base)
    problems: list[SpecProblem] = []
    scenes = []
    for i, card in enumerate(cards):
        scene = dict(known[int(card.source)]) if card.source != NEW else {}
        scene["narration"] = card.narration
        _set_or_drop(scene, "title", card.title.strip())
        _set_or_drop(scene, "layout", card.layout)
        if card.transition == NO_TRANSITION:
            scene["transition"] = None
        else:
            old = scene.get("transition")
            kept = dict(old) if isinstance(old, dict) else {}
            scene["transition"] = {**kept, "type": card.transition}
        picture = scene.get("illustration")
        picture = dict(picture) if isinstance(picture, dict) else {}
        if card.icon:
            if not _known_icon(card.icon):
                problems.append(
                    SpecProblem(f"scenes.{i}.illustration.icon", f"no icon named '{card.icon}'")
                )
            for other in ("emoji", "path"):
                _set_or_drop(picture, other, None)
            scene["illustration"] = {**picture, "icon": card.icon}
        elif card.picture_path:
            for other in ("emoji", "icon"):
                _set_or_drop(picture, other, None)
            scene["illustration"] = {**picture, "path": card.picture_path}
        elif not card.other_picture:
            _set_or_drop(scene, "illustration", None)
        _set_sfx(scene, card.sfx)
        scenes.append(scene)
    if problems:
        raise InvalidSpec(problems, source="manifest")
    picked = [
        {**card.picked, "scene": i}
        for i, card in enumerate(cards)
        if card.picked is not None and card.picked.get("file") == card.picture_path
    ]
    base = _with_credits(edit.base, picked)
    return {**base, "scenes": scenes, **_music(edit.base, edit.music)}


def _with_credits(manifest: dict[str, Any], picked: list[dict[str, Any]]) -> dict[str, Any]:
    """``manifest`` with the provenance of the stock photos ``picked`` in its
    ``brief.providers.visuals``, as the planner records its own (a plan without a brief
    is returned as it is)."""
    brief = manifest.get("brief")
    if not picked or not isinstance(brief, dict):
        return manifest
    providers = brief.get("providers")
    providers = dict(providers) if isinstance(providers, dict) else {}
    visuals = providers.get("visuals")
    visuals = list(visuals) if isinstance(visuals, list) else []
    known = {entry.get("file") for entry in visuals if isinstance(entry, dict)}
    visuals += [entry for entry in picked if entry.get("file") not in known]
    return {**manifest, "brief": {**brief, "providers": {**providers, "visuals": visuals}}}


def _set_sfx(scene: dict[str, Any], kinds: list[str]) -> None:
    """The scene's cues of the ticked kinds (a new one at its start for a kind it lacked);
    sound-file cues kept."""
    cues = [c for c in scene.get("sfx") or () if isinstance(c, dict)]
    kept = [c for c in cues if c.get("path") or c.get("kind") in kinds]
    added = [{"kind": k} for k in kinds if not any(c.get("kind") == k for c in cues)]
    if kept or added or "sfx" in scene:
        scene["sfx"] = kept + added


def _music(base: dict[str, Any], choice: str) -> dict[str, Any]:
    """The manifest's ``music`` for the editor's choice ({} keeps it as it is)."""
    if choice == KEEP_MUSIC or choice == music_of(base):
        return {}
    if choice == NO_MUSIC:
        return {"music": None}
    old = base.get("music")
    kept = {k: v for k, v in old.items() if k != "path"} if isinstance(old, dict) else {}
    return {"music": {**kept, "mood": choice}}


def _set_or_drop(scene: dict[str, Any], key: str, value: str | None) -> None:
    """Set ``key``; an empty value is None where the scene has the key (as a saved plan
    has every field), and stays absent where it has not."""
    if value:
        scene[key] = value
    elif key in scene:
        scene[key] = None


def _known_icon(name: str) -> bool:
    try:
        return icon_exists(name)
    except UnknownIcon:
        return False


def place_problems(cards: list[Card], problems: list[SpecProblem]) -> list[str]:
    """Put each scene's problems on its card (``Headline: …``); the others, as lines."""
    general = []
    for problem in problems:
        found = _FIELD.match(problem.path)
        if found and int(found.group(1)) < len(cards):
            where = FIELD_NAMES.get(found.group(2), found.group(2) or "scene")
            cards[int(found.group(1))].problems.append(f"{where}: {problem.message}")
        else:
            general.append(str(problem) if problem.path else problem.message)
    return general


@cache
def icon_choices() -> tuple[tuple[str, str], ...]:
    """The icons offered in the picture search: (name, what it stands for)."""
    return tuple(
        (choice.name, f"{choice.english} · {choice.french}") for choice in bundled_choices()
    )


@lru_cache(maxsize=512)  # names come from forms: a bounded cache
def icon_preview(name: str) -> str:
    """The icon as a ``data:`` URI (the policy allows ``img-src data:``); '' if unknown."""
    try:
        svg = icon_svg(name)
    except UnknownIcon:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


LAYOUTS: Final = LAYOUT_KINDS
TRANSITIONS: Final = (NO_TRANSITION, *XFADE_TRANSITIONS)
