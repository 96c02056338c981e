"""What a stage is, and the runner that times it, caches it and records it.

A stage reads what it needs from the render's context and returns one typed output. A
cached stage also says which inputs its output depends on (the cache key) and how its
output is saved to and loaded from a cache entry. The runner looks the key up first: a hit
loads the output and the stage's work is skipped; a miss computes it and stores it.

Every stage run leaves a :class:`StageRecord` (name, provider, seconds, cache hit or miss,
key), in order, for the manifest's ``stages`` list; hooks registered with
:func:`stage_hook` see each record as it is made (the job worker uses this to write
"resumed at <stage>" into a retried job's history).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from aiprod.pipeline.progress import StageClock
from aiprod.pipeline.stages import RENDER_STAGES
from aiprod.pipeline.stages.cache import CacheEntry, StageCache, content_key

Out = TypeVar("Out")
Ctx_contra = TypeVar("Ctx_contra", contravariant=True)
C = TypeVar("C")
Res = TypeVar("Res")
CacheUse = Literal["hit", "miss", "off"]


@dataclass(frozen=True)
class StageRecord:
    """One stage of one render: ``cache`` is "off" for stages never cached (pure and cheap,
    or bookkeeping), "hit" when the output came from the cache, else "miss"."""

    name: str
    provider: str | None
    seconds: float
    cache: CacheUse
    key: str | None

    def to_dict(self) -> dict[str, Any]:
        """The manifest's form."""
        return {
            "name": self.name,
            "provider": self.provider,
            "seconds": round(self.seconds, 3),
            "cache": self.cache,
            "key": self.key,
        }


StageHook = Callable[[StageRecord], None]
_HOOKS: list[StageHook] = []


@contextmanager
def stage_hook(hook: StageHook) -> Iterator[None]:
    """Call ``hook`` with every stage record made in this process while the block runs."""
    _HOOKS.append(hook)
    try:
        yield
    finally:
        _HOOKS.remove(hook)


class CachedStage(Protocol[Ctx_contra, Out]):
    """A stage whose output is cached by content."""

    name: str
    version: int  # bump when the output's form or meaning changes

    def provider(self, ctx: Ctx_contra, out: Out) -> str | None:
        """Who made ``out`` (the manifest's ``provider``)."""

    def inputs(self, ctx: Ctx_contra) -> dict[str, Any]:
        """Everything the output depends on, JSON-serialisable: hashed into the key."""

    def compute(self, ctx: Ctx_contra) -> Out:
        """Do the work."""

    def save(self, out: Out, ctx: Ctx_contra) -> tuple[dict[str, Any], dict[str, Path]] | None:
        """The output as a JSON record and the files to keep (name in the entry -> file);
        None when this output must not be reused (a plan made on a fallback)."""

    def load(self, entry: CacheEntry, ctx: Ctx_contra) -> Out:
        """The output again from a stored entry."""


@dataclass
class StageRunner:
    """Runs the stages of one render under its clock, with the stage cache."""

    clock: StageClock
    cache: StageCache | None
    keys: dict[str, str] = field(default_factory=dict)  # stage name -> its output's key
    records: list[StageRecord] = field(default_factory=list)

    def cached(
        self,
        stage: CachedStage[C, Res],
        ctx: C,
        *,
        clock: str | None = None,
        total: float | None = None,
    ) -> Res:
        """Load ``stage``'s output for ``ctx`` from the cache, or compute and store it.
        ``clock`` names the progress stage it is timed under (None: an enclosing one)."""
        started = time.perf_counter()
        key = content_key(stage.name, stage.version, stage.inputs(ctx)) if self.cache else None
        with self.clock.stage(clock, total) if clock else nullcontext():
            loaded = self._load(stage, ctx, key)
            if loaded is not None:
                out = loaded[0]
            else:
                out = stage.compute(ctx)
                kept = stage.save(out, ctx) if self.cache and key else None
                if self.cache and key and kept is not None:
                    self.cache.store(stage.name, key, *kept)
        if key:
            self.keys[stage.name] = key
        use: CacheUse = "hit" if loaded is not None else ("miss" if key else "off")
        record = StageRecord(stage.name, stage.provider(ctx, out), _since(started), use, key)
        self._record(record)
        return out

    def _load(self, stage: CachedStage[C, Res], ctx: C, key: str | None) -> tuple[Res] | None:
        """The stored output, or None: an entry removed or damaged while being read (by
        another process pruning the cache, say) is a miss, computed again."""
        entry = self.cache.lookup(stage.name, key) if self.cache and key else None
        if entry is None:
            return None
        try:
            return (stage.load(entry, ctx),)
        except (OSError, LookupError, TypeError, ValueError):
            return None

    @contextmanager
    def plain(
        self, name: str, *, provider: str | None = None, total: float | None = None
    ) -> Iterator[None]:
        """Time a stage that is never cached (its progress stage has the same name)."""
        started = time.perf_counter()
        with self.clock.stage(name, total):
            yield
        self._record(StageRecord(name, provider, _since(started), "off", None))

    def _record(self, record: StageRecord) -> None:
        self.records.append(record)
        for hook in list(_HOOKS):
            hook(record)

    def computed_seconds(self) -> dict[str, float]:
        """Seconds per stage that did its work here (not answered by the cache): what the
        throughput store may learn from and what the render really cost."""
        out: dict[str, float] = {}
        for record in self.records:
            if record.cache != "hit":
                out[record.name] = round(out.get(record.name, 0.0) + record.seconds, 3)
        return out


def in_stage_order(records: Sequence[StageRecord]) -> list[StageRecord]:
    """Records in the pipeline's declared order (``plan``, then ``RENDER_STAGES``): a render
    makes its sound beside its picture, so they are not always made in that order."""
    order = {name: n for n, name in enumerate(("plan", *RENDER_STAGES))}
    return sorted(records, key=lambda record: order.get(record.name, len(order)))


def _since(started: float) -> float:
    return time.perf_counter() - started
