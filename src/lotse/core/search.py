"""The search component: apps register what they index, core keeps the index and answers
queries, the same way on SQLite and PostgreSQL (docs/search.md).

An app registers a kind of content in its `AppConfig.ready()`: its model, the texts of an
object with their weights (`TITLE`, `TEXT`) and the organisation an object belongs to (the
scope a search runs in). From then on every save and delete of such an object keeps its rows in
`SearchTerm` current (signals, so that Django's admin and the demo data keep it too); `lotse
rebuild-search-index` rebuilds everything.

A search works in three steps:
1. the query's words are expanded against the scope's vocabulary (`lib.textsearch`: inflections,
   word families, compounds both ways, typos) and the organisation's synonym list;
2. one SQL query on the indexed term table fetches the objects that hold any of those terms;
3. each candidate is scored in Python: every query word counts with its best match (quality of
   the match × weight of the field); objects matching more words come first, then by score.
Objects that match only some words are kept, ranked after those that match all.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from lotse.core.models import SearchSynonym, SearchTerm
from lotse.lib import textsearch

# Weights of the fields of an object: a word of the title counts three times a word of the text.
TITLE = 3
TEXT = 1
# At most this many words of a query count (a query is a few words; the rest is ignored).
MAX_WORDS = 8

Fields = Callable[[Any], Iterable[tuple[str, int]]]
Scope = Callable[[Any], int | None]


@dataclass(frozen=True)
class Kind:
    """A kind of content in the index: `fields` gives an object's texts with their weights,
    `scope` the organisation id it is searched in (or None)."""

    key: str
    model: type[models.Model]
    fields: Fields
    scope: Scope


@dataclass(frozen=True)
class Hit:
    """One object found: how many of the query's words it matched (`matched`: the word, or
    every part of a compound word; `touched`: also words of which only some compound parts
    occur) and its score."""

    object_id: int
    matched: int
    words: int
    score: float
    touched: int = 0

    @property
    def complete(self) -> bool:
        return self.matched == self.words

    def rank(self) -> tuple[int, int, float]:
        """Sort key: more words matched first, then more touched, then the higher score."""
        return (-self.matched, -self.touched, -round(self.score, 6))


_KINDS: dict[str, Kind] = {}


def register(key: str, *, model: type[models.Model], fields: Fields, scope: Scope) -> Kind:
    """Register a kind of content (call from `AppConfig.ready()`); registering a key again
    replaces it. Saving or deleting an object of the model updates its rows in the index."""
    kind = Kind(key=key, model=model, fields=fields, scope=scope)
    _KINDS[key] = kind

    def saved(sender: type[models.Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if not raw:
            index(key, instance)

    def deleted(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
        unindex(key, instance.pk)

    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"search-index:{key}")
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"search-unindex:{key}")
    return kind


def unregister(key: str) -> None:
    """Forget a kind and stop following its model's saves (its rows stay until a rebuild)."""
    kind = _KINDS.pop(key, None)
    if kind is not None:
        post_save.disconnect(sender=kind.model, dispatch_uid=f"search-index:{key}")
        post_delete.disconnect(sender=kind.model, dispatch_uid=f"search-unindex:{key}")


def kinds() -> list[Kind]:
    """Every registered kind, by key."""
    return [_KINDS[key] for key in sorted(_KINDS)]


def term_weights(fields: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The terms of some weighted texts, each with the weight of the heaviest field it is in."""
    weights: dict[str, int] = {}
    for text, weight in fields:
        for found in textsearch.index_terms(text or ""):
            term = found[:100]
            if weight > weights.get(term, 0):
                weights[term] = weight
    return weights


def _rows(kind: Kind, obj: Any) -> list[SearchTerm]:
    scope = kind.scope(obj)
    return [
        SearchTerm(kind=kind.key, object_id=obj.pk, organisation_id=scope, term=term, weight=weight)
        for term, weight in term_weights(kind.fields(obj)).items()
    ]


def index(key: str, obj: Any) -> None:
    """Write an object's rows in the index anew."""
    kind = _KINDS[key]
    rows = _rows(kind, obj)
    with transaction.atomic():
        old = SearchTerm.objects.filter(kind=key, object_id=obj.pk)
        scopes = set(old.values_list("organisation_id", flat=True).distinct())
        old.delete()
        SearchTerm.objects.bulk_create(rows)
        _changed(key, scopes | {kind.scope(obj)})


def unindex(key: str, object_id: int) -> None:
    """Remove an object from the index."""
    rows = SearchTerm.objects.filter(kind=key, object_id=object_id)
    scopes = set(rows.values_list("organisation_id", flat=True).distinct())
    if scopes:
        rows.delete()
        _changed(key, scopes)


def rebuild(keys: Sequence[str] = ()) -> dict[str, int]:
    """Build the index of the given kinds (all when none are given) from scratch; how many
    objects each kind has."""
    counts: dict[str, int] = {}
    for kind in kinds():
        if keys and kind.key not in keys:
            continue
        with transaction.atomic():
            SearchTerm.objects.filter(kind=kind.key).delete()
            batch: list[SearchTerm] = []
            count = 0
            for obj in kind.model._default_manager.all().iterator(chunk_size=500):
                batch.extend(_rows(kind, obj))
                count += 1
                if len(batch) >= 2000:
                    SearchTerm.objects.bulk_create(batch)
                    batch = []
            SearchTerm.objects.bulk_create(batch)
            _changed(kind.key)
        counts[kind.key] = count
    return counts


# --- the vocabulary of a scope, kept per process while the index does not change ------------
#
# Every change of the index writes a new version into the shared cache (the database cache, so
# in the same transaction as the change); a process rebuilds its vocabulary of a scope when the
# version it built it for is no longer the current one. A lost cache entry only costs a rebuild.

_VOCABULARIES: dict[tuple[str, int | None], tuple[tuple[str, str], textsearch.Vocabulary]] = {}
_MAX_CACHED = 64


def _version_keys(key: str, scope: int | None) -> tuple[str, str]:
    return f"lotse.search:{key}", f"lotse.search:{key}:{scope}"


def _changed(key: str, scopes: Iterable[int | None] = ()) -> None:
    """Mark the vocabulary of some scopes of a kind (or of every scope: none given) changed."""
    whole, _scope = _version_keys(key, None)
    names = [_version_keys(key, scope)[1] for scope in scopes] if scopes else [whole]
    cache.set_many({name: uuid.uuid4().hex for name in names}, timeout=None)


def _versions(key: str, scope: int | None) -> tuple[str, str]:
    names = _version_keys(key, scope)
    found = cache.get_many(names)
    missing = {name: uuid.uuid4().hex for name in names if name not in found}
    if missing:
        cache.set_many(missing, timeout=None)
        found |= missing
    return found[names[0]], found[names[1]]


def _terms(key: str, scope: int | None) -> QuerySet[SearchTerm]:
    """The rows of a kind in a scope (None: the rows that belong to no organisation)."""
    rows = SearchTerm.objects.filter(kind=key)
    if scope is None:
        return rows.filter(organisation__isnull=True)
    return rows.filter(organisation_id=scope)


def vocabulary(key: str, scope: int | None) -> textsearch.Vocabulary:
    """Every term of a kind in a scope (read from the database once per change)."""
    versions = _versions(key, scope)
    cached = _VOCABULARIES.get((key, scope))
    if cached and cached[0] == versions:
        return cached[1]
    rows = _terms(key, scope)
    found = textsearch.Vocabulary.of(rows.values_list("term", flat=True).distinct())
    if len(_VOCABULARIES) >= _MAX_CACHED:
        _VOCABULARIES.clear()
    _VOCABULARIES[(key, scope)] = (versions, found)
    return found


def synonyms(scope: int | None) -> dict[str, list[str]]:
    """The organisation's synonym list: the term of each word → the words it also finds."""
    if scope is None:
        return {}
    found: dict[str, list[str]] = defaultdict(list)
    for synonym in SearchSynonym.objects.filter(organisation_id=scope):
        for term in textsearch.terms(synonym.word)[:1]:
            found[term].extend(synonym.means_list())
    return dict(found)


def query_words(query: str) -> list[str]:
    """The words of a query that count: no stop words, one per term, at most MAX_WORDS."""
    seen: dict[str, str] = {}
    for word in textsearch.words(query):
        seen.setdefault(textsearch.stem(word), word)
    return [word for term, word in seen.items() if term][:MAX_WORDS]


def search(key: str, query: str, *, scope: int | None) -> list[Hit]:
    """The objects of a kind in a scope that match the query, best first; an object that
    matches only some of the words is kept, after those that match more."""
    words = query_words(query)
    if not words:
        return []
    known = vocabulary(key, scope)
    listed = synonyms(scope)
    expansions = [known.expand(word, listed.get(textsearch.stem(word), ())) for word in words]
    wanted: set[str] = set()
    for expansion in expansions:
        wanted |= expansion.all_terms()
    if not wanted:
        return []
    documents: defaultdict[int, dict[str, int]] = defaultdict(dict)
    rows = _terms(key, scope).filter(term__in=wanted)
    for object_id, term, weight in rows.values_list("object_id", "term", "weight"):
        documents[object_id][term] = weight
    hits = []
    for object_id, document in documents.items():
        matched, touched, score = 0, 0, 0.0
        for expansion in expansions:
            best, whole = _best(expansion, document)
            if best > 0:
                touched += 1
                matched += whole
                score += best
        hits.append(
            Hit(
                object_id=object_id,
                matched=matched,
                words=len(words),
                score=score,
                touched=touched,
            )
        )
    hits.sort(key=lambda hit: (*hit.rank(), hit.object_id))
    return hits


def _best(expansion: textsearch.Expansion, document: dict[str, int]) -> tuple[float, bool]:
    """How well a document matches one query word: its best term (quality × field weight), or
    a compound's parts (each part's best, averaged, times the share of parts found); and
    whether the word is matched whole (not just some of its parts)."""
    best = max(
        (quality * document[term] for term, quality in expansion.terms.items() if term in document),
        default=0.0,
    )
    whole = best > 0
    if expansion.parts:
        scores = [
            max(
                (quality * document[term] for term, quality in part.items() if term in document),
                default=0.0,
            )
            for part in expansion.parts
        ]
        # The mean of the parts, times the share of parts found: both parts in the text beat
        # one part in the title.
        share = sum(1 for score in scores if score > 0) / len(scores)
        best = max(best, sum(scores) / len(scores) * share)
        whole = whole or share == 1
    return best, whole
