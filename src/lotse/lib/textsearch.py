"""German text analysis for search: pure functions, no database (docs/search.md).

A text becomes *terms*: the Snowball German stems of its words, case-folded, umlauts and ß
written plainly (ä/ae → a, ß → ss), without stop words. A query word is then compared with the
*vocabulary* (every term of an index) in several ways, each with a quality between 0 and 1:

- the same term (1.0);
- another inflection the stemmer did not join, "Thema" ↔ "Themen", "Gremium" ↔ "Gremien":
  one term is the other with at most three letters changed at its end (0.85);
- the same word family, "Mediator" ↔ "Mediation", "Extremismus" ↔ "extremistisch": both
  reduce to one root when a derivational suffix (-ator, -ation, -ismus, -ist, -iv …) is cut off
  (0.7);
- a compound, both ways: the word as a part of a longer term ("Klassen" in "Klassenrat", 0.5;
  its word family, "extremistisch" in "Rechtsextremismus", 0.4), but not before an ending
  ("Medien" is not in "Schulmediation"); or a query compound made of vocabulary terms
  ("Klassenrat" → "Klasse" + "Rat", each part 0.7, or less inside another compound);
- a typo, for a word that is not in the vocabulary as it is: one edit (letters swapped,
  missing, added or wrong) in a term of four letters or more, two in one of eight or more (0.6
  and 0.45), compared with the terms and with the words as written; trigrams find the
  candidates.

`Vocabulary` is built once from the terms of an index and answers `expand(word)`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

import snowballstemmer

# Qualities of the ways a query word can match a term.
EXACT = 1.0
INFLECTION = 0.85
SYNONYM = 0.8
FAMILY = 0.7
COMPOUND_PART = 0.7
INSIDE_COMPOUND = 0.5
INSIDE_FAMILY = 0.4
TYPO_ONE = 0.6
TYPO_TWO = 0.45

# A term found inside a longer one must be at least this long ("rat" in "Beratung" says
# nothing); a three-letter term counts only as the last part of a compound ("Klassenrat").
INSIDE_MIN = 4
HEAD_MIN = 3
# The shortest part of a compound that the splitting of a query word accepts.
PART_MIN = 3
# At most this many terms of the vocabulary stand for one query word.
MAX_EXPANSIONS = 200
# A vocabulary remembers its answers for this many words.
MAX_REMEMBERED = 2000

_WORD = re.compile(r"\w+")

# Snowball's German stop word list: words that carry no meaning for a search.
_STOP_WORD_TEXT = """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
    anderm andern anderr anders auch auf aus bei bin bis bist da damit dann der den des dem die
    das dass daß derselbe derselben denselben desselben demselben dieselbe dieselben dasselbe dazu
    dein deine deinem deinen deiner deines denn derer dessen dich dir du dies diese diesem diesen
    dieser dieses doch dort durch ein eine einem einen einer eines einig einige einigem einigen
    einiger einiges einmal er ihn ihm es etwas euer eure eurem euren eurer eures für gegen gewesen
    hab habe haben hat hatte hatten hier hin hinter ich mich mir ihr ihre ihrem ihren ihrer ihres
    euch im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann
    kein keine keinem keinen keiner keines können könnte machen man manche manchem manchen mancher
    manches mein meine meinem meinen meiner meines mit muss musste nach nicht nichts noch nun nur
    ob oder ohne sehr sein seine seinem seinen seiner seines selbst sich sie ihnen sind so solche
    solchem solchen solcher solches soll sollte sondern sonst über um und uns unsere unserem
    unseren unser unseres unter viel vom von vor während war waren warst was weg weil weiter
    welche welchem welchen welcher welches wenn werde werden wie wieder will wir wird wirst wo
    wollen wollte würde würden zu zum zur zwar zwischen
"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())

_Add = Callable[[str, float], None]

# Derivational suffixes of a stem, longest first: cutting one off gives the word family's root.
FAMILY_SUFFIXES = (
    "istisch",
    "ismus",
    "ation",
    "ition",
    "ativ",
    "ator",
    "isch",
    "ist",
    "ion",
    "tor",
    "ung",
    "iv",
    "or",
    "ie",
    "ik",
    "i",
)
FAMILY_ROOT_MIN = 4
# Endings of person nouns that take a feminine -in (Mediatorin, Extremistin, Referentin).
FEMININE_AFTER = ("or", "ist", "ent", "ant", "eur", "log")
# A root shorter than this joins only two derived words (see `Vocabulary.expand`).
FAMILY_SHORT_ROOT = 5
# Endings that continue a stem rather than start a new word of a compound.
DERIVED_STARTS = (
    "ation",
    "ition",
    "ativ",
    "ator",
    "ismus",
    "isch",
    "ist",
    "ion",
    "ung",
    "ier",
    "ik",
    "iv",
)
# The mark of a word's folded form in an index (see `index_terms`).
SURFACE = "="
# Linking letters between the parts of a compound (Fugenelemente): Klasse-n-rat, Arbeit-s-platz.
LINKS = ("es", "en", "er", "ns", "s", "n", "e")


@cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("german")


def fold(text: str) -> str:
    """Lower case, ß as ss, accents and umlauts without their marks (é → e, ü → u)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def stem(word: str) -> str:
    """The folded Snowball stem of one lower-case word. The stemmer reads "ae" as "ä", so
    "Schueler" and "Schüler" give one stem."""
    return fold(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    """The lower-case words of a text, without stop words and lone digits."""
    return [
        word
        for word in _WORD.findall(text.casefold())
        if word not in STOP_WORDS and not (word.isdigit() and len(word) < 2)
    ]


def terms(text: str) -> list[str]:
    """The terms of a text, in order, without duplicates."""
    seen: dict[str, None] = {}
    for word in words(text):
        term = stem(word)
        if term:
            seen.setdefault(term, None)
    return list(seen)


def index_terms(text: str) -> list[str]:
    """What an index stores of a text: its terms, and each word's folded form marked with
    SURFACE where it differs from its term ("=padagogische" beside "padagog"), so that a typo
    is compared with the word as written, not with what the stemmer cut off."""
    seen: dict[str, None] = {}
    for word in words(text):
        term = stem(word)
        if term:
            seen.setdefault(term, None)
            surface = fold(word)
            if surface != term:
                seen.setdefault(SURFACE + surface, None)
    return list(seen)


def family(term: str) -> str:
    """The root of a term's word family: the term without one derivational suffix, if enough
    is left ("mediator", "mediation" → "medi"; "extremismus", "extremist" → "extrem"). A
    feminine ending goes first: "mediatorinn" (Mediatorinnen) → "mediator" → "medi"."""
    for feminine in ("inn", "in"):
        if term.endswith(feminine) and term[: -len(feminine)].endswith(FEMININE_AFTER):
            term = term[: -len(feminine)]
            break
    for suffix in FAMILY_SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= FAMILY_ROOT_MIN:
            return term[: -len(suffix)]
    return term


def _starts_word(rest: str) -> bool:
    """Whether the rest of a compound after a part starts a word (perhaps after linking
    letters): "training", "enrat" (-en-rat); not a derivational ending like "ation"."""
    pieces = [rest] + [rest[len(link) :] for link in LINKS if rest.startswith(link)]
    return any(len(p) >= PART_MIN and not p.startswith(DERIVED_STARTS) for p in pieces)


def typo_limit(term: str) -> int:
    """How many edits a typo of this term may have: none below 4 letters, two from 8."""
    if len(term) < 4:
        return 0
    return 1 if len(term) < 8 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment) of a and b, or limit + 1 when
    it is larger than limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[len(b)], limit + 1)


def trigrams(term: str) -> set[str]:
    """The trigrams of a term, padded at both ends as pg_trgm does ("  a", " ab", …, "yz ")."""
    padded = f"  {term} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _inflected(a: str, b: str) -> bool:
    """Whether two terms differ only in their last three letters, with four or more shared."""
    shorter, longer = sorted((a, b), key=len)
    if len(longer) - len(shorter) > 3:
        return False
    common = 0
    for x, y in zip(shorter, longer, strict=False):
        if x != y:
            break
        common += 1
    return common >= INSIDE_MIN and common >= len(longer) - 3


@dataclass(frozen=True)
class Expansion:
    """What one query word stands for: terms with their quality, and, when the word is a
    compound of vocabulary terms, the parts (each a set of such terms) that all must occur."""

    word: str
    terms: Mapping[str, float]
    parts: tuple[Mapping[str, float], ...] = ()

    def all_terms(self) -> set[str]:
        found = set(self.terms)
        for part in self.parts:
            found |= set(part)
        return found


@dataclass
class Vocabulary:
    """Every term of an index, with the lookups `expand` needs (built once, then read)."""

    terms: frozenset[str]
    _families: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _prefixes: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _trigrams: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _roots: list[tuple[str, str]] = field(default_factory=list, repr=False)
    _expanded: dict[tuple[str, tuple[str, ...]], Expansion] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def of(cls, terms: Iterable[str]) -> Vocabulary:
        """The vocabulary of an index's terms (with or without SURFACE forms)."""
        stored = set(terms)
        vocabulary = cls(frozenset(t for t in stored if not t.startswith(SURFACE)))
        families: defaultdict[str, set[str]] = defaultdict(set)
        prefixes: defaultdict[str, set[str]] = defaultdict(set)
        grams: defaultdict[str, set[str]] = defaultdict(set)
        for term in vocabulary.terms:
            families[family(term)].add(term)
            if len(term) >= INSIDE_MIN:
                prefixes[term[:INSIDE_MIN]].add(term)
        # Typos are looked for among the terms and the words as written.
        for term in stored:
            for gram in trigrams(term.removeprefix(SURFACE)):
                grams[gram].add(term)
        vocabulary._families = dict(families)
        vocabulary._prefixes = dict(prefixes)
        vocabulary._trigrams = dict(grams)
        vocabulary._roots = [(term, family(term)) for term in sorted(vocabulary.terms)]
        return vocabulary

    def expand(self, word: str, synonyms: Iterable[str] = ()) -> Expansion:
        """The terms of the vocabulary a query word (lower case) may mean, best quality each.

        `synonyms` are further words the word stands for (an organisation's synonym list);
        their terms count as SYNONYM, their inflections and word family a little less.
        Remembered: a vocabulary answers the same word the same way."""
        remembered = (word, tuple(synonyms))
        if remembered not in self._expanded:
            if len(self._expanded) >= MAX_REMEMBERED:
                self._expanded.clear()
            self._expanded[remembered] = self._expand(word, remembered[1])
        return self._expanded[remembered]

    def _expand(self, word: str, synonyms: tuple[str, ...]) -> Expansion:
        term = stem(word)
        found: dict[str, float] = {}
        self._add_matches(term, fold(word), 1.0, found)
        for other in synonyms:
            for synonym_word in words(other):
                self._add_matches(stem(synonym_word), fold(synonym_word), SYNONYM, found)
        # A compound also finds its parts apart ("Klassenrat": "Rat der Klasse"), even when
        # the compound itself is in the vocabulary too; each part also inside other compounds
        # ("Konfliktberatung": "Konflikttraining", "Fallberatung").
        parts = tuple(self._part_terms(part) for part in self.split(term))
        best = dict(sorted(found.items(), key=lambda item: -item[1])[:MAX_EXPANSIONS])
        return Expansion(word=word, terms=best, parts=parts)

    def _add_matches(self, term: str, surface: str, factor: float, found: dict[str, float]) -> None:
        def add(other: str, quality: float) -> None:
            quality *= factor
            if quality > found.get(other, 0.0):
                found[other] = quality

        if not term:
            return
        if term in self.terms:
            add(term, EXACT)
        if len(term) >= INSIDE_MIN:
            for other in self._prefixes.get(term[:INSIDE_MIN], ()):
                if other != term and _inflected(term, other):
                    add(other, INFLECTION)
        root = family(term)
        for other in self._families.get(root, ()):
            # A short root joins only words that both carry a suffix: "mediator" and
            # "mediation", not "medi" (Medien).
            both_derived = root not in (term, other)
            if other != term and (both_derived or len(root) >= FAMILY_SHORT_ROOT):
                add(other, FAMILY)
        if root != term:
            # The family inside a compound: "extremist" → "rechtsextremismus".
            for other, other_root in self._roots:
                if (
                    other_root != other
                    and other_root.endswith(root)
                    and len(other_root) - len(root) >= INSIDE_MIN
                ):
                    add(other, INSIDE_FAMILY)
        self._add_inside(term, add)
        if term not in self.terms:
            # A word of the vocabulary is no typo: "Schule" does not look for "Schüler".
            self._add_typos(term, surface, add)

    def _add_inside(self, term: str, add: _Add) -> None:
        if len(term) >= INSIDE_MIN:
            for other in self.terms:
                if len(other) > len(term) and term in other and self._is_part(term, other):
                    add(other, INSIDE_COMPOUND)
        elif len(term) >= HEAD_MIN:
            # A short term only as the last part of a compound whose first part is a word of
            # the vocabulary: "rat" in "klassenrat" (with "klass"), not in "fallberat"
            # (Fallberatung), "demokrat" or "rathaus".
            for other in self.terms:
                head = other[: -len(term)]
                if other.endswith(term) and len(head) >= INSIDE_MIN and self._part(head):
                    add(other, INSIDE_COMPOUND)

    def _part_terms(self, part: str) -> dict[str, float]:
        """The terms one part of a query compound stands for: itself, and the compounds it is
        a part of (at half the quality)."""
        found = {part: COMPOUND_PART}

        def add(other: str, quality: float) -> None:
            found.setdefault(other, COMPOUND_PART * quality)

        self._add_inside(part, add)
        return found

    def _is_part(self, term: str, other: str) -> bool:
        """Whether `term` occurs in `other` as a part of the compound: what comes before it is
        a word (three letters or more), and what follows starts a word, not a derivational
        ending ("medi" is not a part of "schulmediation": "ation" follows)."""
        start = other.find(term)
        while start >= 0:
            before, after = other[:start], other[start + len(term) :]
            if (not before or len(before) >= PART_MIN) and (not after or _starts_word(after)):
                return True
            start = other.find(term, start + 1)
        return False

    def _add_typos(self, term: str, surface: str, add: _Add) -> None:
        """Terms within one or two edits of the query's term, or words as written within one
        or two edits of the query word as written (then the stemmer may have cut off
        different endings: "pädagogasche" is "pädagogische" with one typo)."""
        shared: defaultdict[str, int] = defaultdict(int)
        for form in {term, surface}:
            for gram in trigrams(form):
                for other in self._trigrams.get(gram, ()):
                    shared[other] += 1
        for other, count in shared.items():
            form = surface if other.startswith(SURFACE) else term
            plain = other.removeprefix(SURFACE)
            limit = min(typo_limit(form), typo_limit(plain))
            # An edit changes at most four trigrams (a swap): fewer shared cannot be a typo.
            if not limit or plain == form or count < len(trigrams(form)) - 4 * limit:
                continue
            distance = edit_distance(form, plain, limit)
            if distance <= limit:
                add(other, TYPO_ONE if distance == 1 else TYPO_TWO)

    def split(self, term: str, depth: int = 2) -> list[str]:
        """A term as a compound of vocabulary terms, longest first part first: "klassenrat" →
        ["klass", "rat"] when both are in the vocabulary; [] when it cannot be split."""
        for cut in range(len(term) - PART_MIN, PART_MIN - 1, -1):
            head, rest = term[:cut], term[cut:]
            first = self._part(head)
            if not first:
                continue
            last = self._part(rest)
            if last:
                return [first, last]
            if depth > 1:
                more = self.split(rest, depth - 1)
                if more:
                    return [first, *more]
        return []

    def _part(self, piece: str) -> str:
        """The vocabulary term a piece of a compound stands for, or ""."""
        candidates = [piece, stem(piece)]
        for link in LINKS:
            if piece.endswith(link) and len(piece) - len(link) >= PART_MIN:
                candidates.append(piece[: -len(link)])
        for candidate in candidates:
            if len(candidate) >= PART_MIN and candidate in self.terms:
                return candidate
        return ""
