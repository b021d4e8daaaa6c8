"""Group the names that refer to one thing across the corpus.

The same person, place or body is written many ways: "Zelensky", "Zelenskyy", "Volodymyr
Zelenskiy", "President Zelensky"; "Kiev" and "Kyiv"; "Wagner", "Wagner Group PMC"; a bare
"Scholz" for "Olaf Scholz". :class:`AliasIndex` collects names with their (voted) labels
and merges them in steps that each only join names that cannot mean different things:

1. *same key*: case, accents, "the", possessives, titles ("President", "Defense Minister")
   and dots are ignored;
2. *same normalised form*: the place table (Kiev -> Kyiv, Lugansk -> Luhansk, US -> United
   States), Slavic transliteration endings (-iy/-yy/-yi, -ei/-ey), organisation spelling
   and word order ("Defence"/"Defense", "Defense Ministry" = "Ministry of Defense"),
   legal designators ("Wagner Group PMC" = "Wagner"), nationality words to their country;
3. *one-letter typos* in multi-word names (Jens Stoltengerg -> Jens Stoltenberg) found with
   rapidfuzz inside blocks of names that agree on every other word, so the cost grows
   with the number of names, not its square;
4. *surname -> full name* when exactly one full name in the index ends with it;
5. *article evidence*: acronyms defined in parentheses ("Institute for the Study of War
   (ISW)") and generic official names ("the Defense Ministry") that an article used for one
   specific body, merged only while every article agrees.

Different labels never merge (so "Ukraine" and "Ukrainian" stay apart), and two distinct
gazetteer places or two different known first names never merge as typos of each other.
The index is pure Python and incremental: add names as articles arrive, read groups when
needed; :meth:`AliasIndex.from_groups` restores one from groups the store persisted.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from ..language import is_honorific
from ..models import Mention
from . import gazetteer as gz
from .entities import LABELS, vote_labels

#: Spellings that fuzzy matching cannot tell from different names, or scores below
#: names that do differ ("Kiev"/"Kyiv" is further apart than two ministries): variant key
#: -> canonical key. Built from the gazetteer's place variants, so it covers the common
#: transliterations (Kharkov, Odessa, Lugansk, Nikolaev, Artemovsk, Zaporozhye, ...) and
#: the short forms of countries (US, U.K., Britain).
TRANSLITERATIONS: dict[str, str] = {}

_DESIGNATORS = frozenset(
    {"group", "pmc", "inc", "corp", "corporation", "ltd", "llc", "plc", "co", "company", "holdings"}
)
_SPELLING = {
    "defence": "defense",
    "organisation": "organization",
    "centre": "center",
    "programme": "program",
    "armour": "armor",
    "honour": "honor",
}
_INVERTIBLE = frozenset({"ministry", "department"})
_ACRONYM_RE = re.compile(r"\s*\(\s*([A-Z][A-Z0-9&./-]{1,9})\s*\)")
_EDGE_JUNK = re.compile(r"^[\s\"'\u2018\u2019\u201c\u201d(\[]+|[\s\"'\u2018\u2019\u201c\u201d)\],;:]+$")
_TRAILING_DOT = re.compile(r"(?<=[a-z]{2})\.$")
_POSSESSIVE_TAIL = re.compile(r"(?:['\u2019]s?)$")


def _transliterations() -> dict[str, str]:
    if not TRANSLITERATIONS:
        TRANSLITERATIONS.update({k: v for k, v in gz.load().variants.items() if k != v})
    return TRANSLITERATIONS


@dataclass(slots=True)
class AliasGroup:
    """One thing and every name it was written as."""

    canonical: str
    label: str
    names: set[str]
    counts: dict[str, int] = field(default_factory=dict)  # name -> mentions
    roles: dict[str, int] = field(default_factory=dict)  # "Wagner chief" -> times seen next to a name

    @property
    def total(self) -> int:
        return sum(self.counts.values()) or len(self.names)


# --------------------------------------------------------------------------- name cleanup


def strip_title(surface: str) -> str:
    """Drop a title: "Russian Ambassador to Washington Anatoly Antonov" -> "Anatoly Antonov".

    The name is the run of capitalised words at the end; what comes before is dropped when
    it holds a title, or when it is only places, organisations and nationality words in
    front of a full name ("NATO's Stoltenberg", "Washington Anatoly Antonov").
    """
    toks = surface.split()
    n = len(toks)
    s = n
    while s > 0:
        t = toks[s - 1]
        bare = t.rstrip(".,")
        if s < n and gz.is_name_particle(bare):
            s -= 1  # "Erik ten Hag", "Ursula von der Leyen"
            continue
        if (
            not bare[:1].isupper()
            or gz.is_title(bare)
            or gz.is_title(t)
            or gz.is_title_modifier(bare)
            or gz.demonym(bare) is not None
            or _POSSESSIVE_TAIL.search(t)
        ):
            break
        if s < n and (gz.place(bare) is not None or gz.org(bare) is not None):
            break
        s -= 1
    while s < n and gz.is_name_particle(toks[s]):
        s += 1
    if s == 0 or s == n:
        return surface
    prefix, name = toks[:s], toks[s:]
    if any(gz.key(t) in gz.ORG_WORDS for t in name) or gz.place(" ".join(name)) or gz.org(" ".join(name)):
        return surface
    before = prefix[-1].rstrip(".,")
    if not (gz.is_title(before) or gz.is_title(prefix[-1]) or before[:1].isupper()):
        return surface  # "the head of the private Russian army Wagner": a description
    has_title = any(gz.is_title(t.rstrip(".,")) or gz.is_title(t) for t in prefix)

    def context(t: str) -> bool:
        b = _POSSESSIVE_TAIL.sub("", t.rstrip(".,"))
        return (
            gz.is_title(b)
            or gz.is_title_modifier(b)
            or gz.demonym(b) is not None
            or gz.place(b) is not None
            or gz.org(b) is not None
        )

    owned = bool(_POSSESSIVE_TAIL.search(prefix[-1]))
    if has_title or (all(context(t) for t in prefix) and (len(name) >= 2 or owned)):
        return " ".join(name)
    return surface


@lru_cache(maxsize=200_000)
def clean_name(name: str, label: str) -> str:
    """The name as it should be stored: no quotes, leading "the", possessive or title."""
    s = _EDGE_JUNK.sub("", name.strip())
    s = _TRAILING_DOT.sub("", s)
    s = re.sub(r"\s+", " ", s)
    if s[:4].lower() == "the ":
        s = s[4:]
    s = _POSSESSIVE_TAIL.sub("", s) if len(s) > 3 else s
    if label == "PERSON":
        s = strip_title(s)
    return s.strip()


@lru_cache(maxsize=200_000)
def _translit(tok: str) -> str:
    """Fold the common variants of Slavic transliteration ("Zelenskyy", "Zelenskiy", "Zelensky")."""
    if len(tok) < 4 or not tok.isalpha():
        return tok
    t = tok.replace("x", "ks")
    t = re.sub(r"sk(?:iy|yy|yi|ii|ij|i)$", "sky", t)
    t = re.sub(r"(?<=[a-z])(?:iy|yy|yi|ij|ii)$", "y", t)
    t = re.sub(r"(?<=[a-z])ei$", "ey", t)
    head, rest = t[0], t[1:]
    prev = None
    while prev != rest:
        prev = rest
        rest = re.sub(r"iy|yi|ii", "i", rest)
    return head + rest


@lru_cache(maxsize=500_000)
def match_key(k: str, label: str) -> str:
    """The normalised form names are merged on, given the name's key and label."""
    table = _transliterations()
    if label == "NORP":
        country = gz.demonym(k)
        return "norp " + gz.key(country) if country else k
    if label in {"GPE", "LOC"}:
        hit = gz.place(k)
        if hit is not None:
            return "place " + gz.key(hit[0])
    toks = k.split()
    if label == "ORG":
        canon = gz.org(k)
        if canon is not None:
            toks = gz.key(canon).split()
        toks = [_SPELLING.get(t, t) for t in toks]
        out: list[str] = []
        for t in toks:
            if t.endswith("'s"):
                adj = gz.demonym_of_country(t[:-2])
                t = gz.key(adj) if adj else t[:-2]
            out.append(t)
        toks = out
        owner = 0
        while owner < len(toks) - 1 and gz.demonym(toks[owner]) is not None:
            owner += 1
        body = toks[owner:]
        if len(body) >= 2 and body[-1] in _INVERTIBLE and "of" not in body:
            head = body[-1]
            what = body[:-1]
            if head == "ministry" and what == ["foreign"]:
                what = ["foreign", "affairs"]
            body = [head, "of", *what]
        while len(body) > 1 and body[-1] in _DESIGNATORS:
            body.pop()
        while len(body) > 1 and body[0] in _DESIGNATORS:
            body.pop(0)
        if owner and len(body) == 1 and body[0] not in gz.GENERIC_ORG_WORDS and body[0] not in gz.ORG_WORDS:
            toks = body
        else:
            toks = toks[:owner] + body
    elif label == "PERSON":
        toks = [t for i, t in enumerate(toks) if not (len(t) == 1 and 0 < i < len(toks) - 1)]
    toks = [table.get(t, t) if label != "PERSON" else t for t in toks]
    return " ".join(_translit(t) for t in toks)


def _bare_surname(words: Sequence[str]) -> bool:
    """A surname on its own, with the particles it starts with: "Scholz", "ten Hag", "von der Leyen"."""
    return len(words) == 1 or all(gz.is_name_particle(w) for w in words[:-1])


def _surname_tails(words: Sequence[str]) -> list[str]:
    """The particle-led surnames a full name ends with: "Erik ten Hag" -> ["ten hag"]."""
    return [
        " ".join(words[i:])
        for i in range(1, len(words) - 1)
        if all(gz.is_name_particle(w) for w in words[i:-1])
    ]


def _is_generic_org(mkey: str) -> bool:
    toks = mkey.split()
    return bool(toks) and all(t in gz.GENERIC_ORG_WORDS for t in toks)


def article_links(mentions: Sequence[Mention], text: str | None = None) -> list[tuple[str, str]]:
    """``(alias, target)`` pairs one article shows to be the same thing.

    Two kinds: an acronym defined in parentheses right after a name ("Institute for the
    Study of War (ISW)"), and a generic official name ("the Defense Ministry") in an article
    that names exactly one specific body of that kind ("Russia's Ministry of Defense").
    """
    links: list[tuple[str, str]] = []
    if text is not None:
        for m in mentions:
            if m.label == "PERSON":
                continue
            hit = _ACRONYM_RE.match(text, m.end)
            if hit and hit.group(1) != m.text and len(m.text.split()) >= 2:
                links.append((hit.group(1), m.text))
    orgs = [(m.text, match_key(gz.key(clean_name(m.text, "ORG")), "ORG")) for m in mentions if m.label == "ORG"]
    specific: dict[str, set[str]] = defaultdict(set)
    surface: dict[str, str] = {}
    for t, mk in orgs:
        toks = mk.split()
        if len(toks) >= 2 and gz.demonym(toks[0]) is not None and _is_generic_org(" ".join(toks[1:])):
            specific[" ".join(toks[1:])].add(mk)
            surface.setdefault(mk, t)
    done: set[str] = set()
    for t, mk in orgs:
        if mk in done or not _is_generic_org(mk):
            continue
        done.add(mk)
        owners = specific.get(mk, set())
        if len(owners) == 1:
            links.append((t, surface[next(iter(owners))]))
    return links


# --------------------------------------------------------------------------- the index


@dataclass(slots=True)
class _Node:
    key: str
    surfaces: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    roles: Counter[str] = field(default_factory=Counter)
    links: Counter[str] = field(default_factory=Counter)  # target node keys
    label: str = ""
    mkey: str = ""
    version: int = 0  # bumped on every change, so an unchanged group is not rebuilt

    @property
    def total(self) -> int:
        return sum(self.surfaces.values())

    @property
    def surface(self) -> str:
        return self.surfaces.most_common(1)[0][0]


class _UnionFind:
    __slots__ = ("parent",)

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class AliasIndex:
    """Names seen in the corpus, grouped into the things they refer to.

    ``add`` is cheap (a dictionary update); grouping runs on the next ``groups`` or
    ``canonical`` call and is cached until the next ``add``.
    """

    def __init__(self) -> None:
        self._nodes: dict[str, _Node] = {}
        self._raw: dict[str, str] = {}  # name as added -> node key, for names cleaning changed
        self._emitted: dict[str, tuple[str, str]] = {}  # name -> (canonical, label) last handed out
        self._pinned: list[list[str]] = []
        self._dirty = True
        self._groups: list[AliasGroup] = []
        self._group_of: dict[str, int] = {}  # node key -> index into _groups
        self._by_match: dict[tuple[str, str], int] = {}
        self._made: dict[object, AliasGroup] = {}
        # incremental state, updated only for names that changed since the last build
        self._changed: set[str] = set()
        self._ends_with: dict[str, set[str]] = defaultdict(set)  # last word -> multi-word node keys
        self._same: dict[tuple[str, str], set[str]] = defaultdict(set)  # (label, merge key) -> node keys
        #: typo blocks: name with one word left out -> first letter of that word -> word -> node keys
        self._blocks: dict[tuple[str, int, int, tuple[str, ...]], dict[str, dict[str, set[str]]]] = {}
        self._pairs: dict[tuple[str, str], tuple[str, int, int, tuple[str, ...]]] = {}  # typo candidates
        self._token_nodes: dict[str, set[str]] = defaultdict(set)  # merge-key word -> node keys

    # ------------------------------------------------------------------ input

    def _surname_neighbours(self, k: str) -> set[str]:
        """Names a change to ``k`` can regroup: its bare surname, or the full names ending in it."""
        words = k.split()
        if not _bare_surname(words):
            return {t for t in (words[-1], *_surname_tails(words)) if t in self._nodes}
        return set(self._ends_with.get(k, ()))

    def _node(self, surface: str) -> _Node:
        k = gz.key(surface)
        node = self._nodes.get(k)
        if node is None:
            node = self._nodes[k] = _Node(k)
            words = k.split()
            if not _bare_surname(words):
                self._ends_with[words[-1]].add(k)
                for tail in _surname_tails(words):
                    self._ends_with[tail].add(k)
        self._changed.add(k)
        return node

    def add(self, name: str, label: str, count: int = 1) -> None:
        """Record ``count`` mentions of ``name`` typed ``label``."""
        if label not in LABELS:
            return
        surface = clean_name(name, label)
        if len(surface) < 2 or not any(c.isalpha() for c in surface):
            return
        node = self._node(surface)
        node.surfaces[surface] += count
        node.labels[label] += count
        node.version += 1
        raw = re.sub(r"\s+", " ", name.strip())
        if raw != surface:
            self._raw[raw] = node.key
        self._dirty = True

    def add_role(self, name: str, role: str, count: int = 1) -> None:
        """Record that ``name`` was described as ``role`` ("Wagner chief")."""
        surface = clean_name(name, "PERSON")
        k = gz.key(surface)
        if k not in self._nodes:
            return
        r = clean_name(role, "ORG")
        if is_honorific(r.lower().rstrip(".")):
            return
        self._nodes[k].roles[r] += count
        self._nodes[k].version += 1
        self._changed.add(k)
        self._dirty = True

    def link(self, alias: str, target: str, count: int = 1) -> None:
        """Evidence from one article that ``alias`` named the same thing as ``target``.

        Merged when every link recorded for ``alias`` points into one group.
        """
        a = gz.key(clean_name(alias, "ORG"))
        t = gz.key(clean_name(target, "ORG"))
        if a == t or a not in self._nodes:
            return
        self._nodes[a].links[t] += count
        self._nodes[a].version += 1
        self._changed.add(a)
        self._dirty = True

    def add_article(
        self,
        mentions: Sequence[Mention],
        text: str | None = None,
        roles: Iterable[tuple[Mention, str]] = (),
    ) -> None:
        """Add one article's mentions, its acronym/generic-name links and its roles."""
        for m in mentions:
            self.add(m.text, m.label)
        label_of = {m.text: m.label for m in mentions}
        for alias, target in article_links(mentions, text):
            if gz.key(clean_name(alias, "ORG")) not in self._nodes:
                self.add(alias, label_of.get(target, "ORG"))
            self.link(alias, target)
        for m, role in roles:
            self.add_role(m.text, role)

    @classmethod
    def from_groups(cls, groups: Iterable[AliasGroup]) -> AliasIndex:
        """Rebuild an index from persisted groups; their members stay together."""
        index = cls()
        for g in groups:
            keys: list[str] = []
            for name in sorted(g.names):
                index.add(name, g.label, g.counts.get(name, 1))
                keys.append(gz.key(clean_name(name, g.label)))
            keys = [k for k in keys if k in index._nodes]
            if g.roles and keys:
                holder = index._nodes.get(gz.key(clean_name(g.canonical, g.label))) or index._nodes[keys[0]]
                holder.roles.update(g.roles)
            index._pinned.append(keys)
        return index

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str]], counts: Iterable[tuple[str, str, int]] = ()) -> AliasIndex:
        """Rebuild from persisted ``(name, canonical, label)`` rows (one per name).

        ``counts`` (``(name, label, mentions)``) restores how often each name was seen, so
        the canonical form stays the fullest *frequent* one after a restart.
        """
        seen = {(name, label): n for name, label, n in counts}
        grouped: dict[tuple[str, str], set[str]] = defaultdict(set)
        for name, canonical, label in rows:
            grouped[(canonical, label)].add(name)
        groups = [
            AliasGroup(canonical, label, names, {n: seen.get((n, label), 1) for n in names})
            for (canonical, label), names in grouped.items()
        ]
        index = cls.from_groups(groups)
        index._build()
        for name, canonical, label in rows:
            index._emitted[name] = (canonical, label)
        return index

    def drain_changes(self) -> list[tuple[str, str, str]]:
        """``(name, canonical, label)`` for every name whose group changed since the last call.

        This is what a store persists: new names, and old names whose canonical form or label
        moved because later articles merged their group or outvoted their label.
        """
        self._build()
        out: list[tuple[str, str, str]] = []
        for name, k in self._names():
            g = self._groups[self._group_of[k]]
            state = (g.canonical, g.label)
            if self._emitted.get(name) != state:
                self._emitted[name] = state
                out.append((name, g.canonical, g.label))
        return out

    def _names(self) -> Iterable[tuple[str, str]]:
        for k, node in self._nodes.items():
            for surface in node.surfaces:
                yield surface, k
        for raw, k in self._raw.items():
            yield raw, k

    # ------------------------------------------------------------------ output

    def groups(self) -> list[AliasGroup]:
        """All groups, the most mentioned first."""
        self._build()
        return list(self._groups)

    def group(self, name: str) -> AliasGroup | None:
        """The group ``name`` belongs to (or would belong to), or None."""
        self._build()
        idx = self._lookup(name)
        return None if idx is None else self._groups[idx]

    def canonical(self, name: str) -> str | None:
        """The canonical form of ``name``: "Kiev" -> "Kyiv", "President Zelensky" -> the full name."""
        g = self.group(name)
        return None if g is None else g.canonical

    def _lookup(self, name: str) -> int | None:
        cleaned = {label: clean_name(name, label) for label in LABELS}
        for surface in (cleaned["ORG"], cleaned["PERSON"]):
            hit = self._group_of.get(gz.key(surface))
            if hit is not None:
                return hit
        for label in LABELS:
            hit = self._by_match.get((label, match_key(gz.key(cleaned[label]), label)))
            if hit is not None:
                return hit
        return None

    # ------------------------------------------------------------------ grouping

    def _build(self) -> None:
        """Regroup. Labels, merge keys and typo candidates are only recomputed for names
        that changed (and the names whose label vote depends on them); the rest is a
        linear pass of union-find, so a rebuild after a batch of articles stays cheap."""
        if not self._dirty:
            return
        self._relabel()
        keys = list(self._nodes)
        index = {k: i for i, k in enumerate(keys)}
        nodes = [self._nodes[k] for k in keys]
        uf = _UnionFind(len(nodes))
        for members in self._same.values():
            if len(members) > 1:
                first, *rest = (index[k] for k in members)
                for i in rest:
                    uf.union(first, i)
        self._merge_typos(index, uf)
        self._merge_surnames(nodes, index, uf)
        self._merge_links(nodes, index, uf)
        for pinned in self._pinned:
            members = [index[k] for k in pinned if k in index]
            for a in members[1:]:
                uf.union(members[0], a)
        comps: dict[int, list[int]] = defaultdict(list)
        for i in range(len(nodes)):
            comps[uf.find(i)].append(i)
        groups: list[AliasGroup] = []
        group_of: dict[str, int] = {}
        by_match: dict[tuple[str, str], int] = {}
        made: dict[object, AliasGroup] = {}
        ordered = sorted(comps.values(), key=lambda ms: -sum(nodes[i].total for i in ms))
        for members in ordered:
            gi = len(groups)
            if len(members) == 1:
                n = nodes[members[0]]
                stamp: object = (n.key, n.version, n.label)
            else:
                stamp = tuple(sorted((nodes[i].key, nodes[i].version, nodes[i].label) for i in members))
            group = self._made.get(stamp) or self._make_group([nodes[i] for i in members])
            made[stamp] = group
            groups.append(group)
            for i in members:
                group_of[nodes[i].key] = gi
                by_match.setdefault((nodes[i].label, nodes[i].mkey), gi)
        self._groups, self._group_of, self._by_match, self._made = groups, group_of, by_match, made
        self._dirty = False

    def _relabel(self) -> None:
        """Vote labels again for changed names and the names that share a surname with them."""
        if not self._changed:
            return
        affected: set[str] = set()
        for k in self._changed:
            if k in self._nodes:
                affected.add(k)
                affected |= self._surname_neighbours(k)
        context = set(affected)
        for k in affected:
            context |= self._surname_neighbours(k)
        voted = vote_labels({self._nodes[k].surface: self._nodes[k].labels for k in context}, fuzzy=False)
        for k in affected:
            n = self._nodes[k]
            label = voted.get(n.surface) or n.labels.most_common(1)[0][0]
            mkey = match_key(n.key, label)
            if (label, mkey) != (n.label, n.mkey):
                self._unindex(n)
                n.label, n.mkey = label, mkey
                self._index(n)
        self._changed.clear()

    def _unindex(self, n: _Node) -> None:
        if not n.label:
            return
        self._same[(n.label, n.mkey)].discard(n.key)
        words = n.mkey.split()
        for t in words:
            self._token_nodes[t].discard(n.key)
        for bk in _block_keys(n.label, words):
            word = words[bk[2]]
            block = self._blocks.get(bk, {}).get(word[0])
            if block is not None and word in block:
                block[word].discard(n.key)
                if not block[word]:
                    del block[word]

    def _index(self, n: _Node) -> None:
        self._same[(n.label, n.mkey)].add(n.key)
        words = n.mkey.split()
        for t in words:
            self._token_nodes[t].add(n.key)
        for bk in _block_keys(n.label, words):
            word = words[bk[2]]
            block = self._blocks.setdefault(bk, {}).setdefault(word[0], {})
            same_letter = [t for t in block if t != word]
            if same_letter:
                for other, _, _ in process.extract(word, same_letter, scorer=fuzz.ratio, score_cutoff=85, limit=None):
                    for ok in block[other]:
                        pair = (min(n.key, ok), max(n.key, ok))
                        self._pairs[pair] = bk
            block.setdefault(word, set()).add(n.key)

    def _freq(self, word: str) -> int:
        return sum(self._nodes[k].total for k in self._token_nodes.get(word, ()))

    def _merge_typos(self, index: dict[str, int], uf: _UnionFind) -> None:
        """Multi-word names that differ in one word by a typo (candidates kept by ``_index``)."""
        stale: list[tuple[str, str]] = []
        for (a, b), bk in self._pairs.items():
            na, nb = self._nodes.get(a), self._nodes.get(b)
            label, size, pos, rest = bk
            if na is None or nb is None or na.label != label or nb.label != label:
                stale.append((a, b))
                continue
            wa, wb = na.mkey.split(), nb.mkey.split()
            if (
                len(wa) != size
                or len(wb) != size
                or wa[:pos] + wa[pos + 1 :] != list(rest)
                or wb[:pos] + wb[pos + 1 :] != list(rest)
            ):
                stale.append((a, b))
                continue
            if _typo(wa[pos], wb[pos], label, pos == size - 1, self._freq):
                uf.union(index[a], index[b])
        for pair in stale:
            del self._pairs[pair]

    @staticmethod
    def _merge_surnames(nodes: list[_Node], index: dict[str, int], uf: _UnionFind) -> None:
        """A bare surname joins the full name it shortens, if only one full name has it."""
        by_last: dict[str, set[int]] = defaultdict(set)
        singles: list[int] = []
        for i, n in enumerate(nodes):
            if n.label != "PERSON":
                continue
            words = n.mkey.split()
            if not words:
                continue
            if _bare_surname(words):
                singles.append(i)
            else:
                by_last[words[-1]].add(i)
                for tail in _surname_tails(words):
                    by_last[tail].add(i)
        for i in singles:
            fulls = by_last.get(nodes[i].mkey)
            if not fulls:
                continue
            roots = {uf.find(j) for j in fulls}
            if len(roots) == 1:
                uf.union(i, next(iter(roots)))

    @staticmethod
    def _merge_links(nodes: list[_Node], index: dict[str, int], uf: _UnionFind) -> None:
        """Acronyms and generic names join the group every article linked them to."""
        for i, n in enumerate(nodes):
            if not n.links:
                continue
            targets = [index[t] for t in n.links if t in index]
            if not targets or len(targets) != len(n.links):
                continue
            roots = {uf.find(t) for t in targets}
            if len(roots) == 1 and all(nodes[t].label == n.label for t in targets):
                uf.union(i, next(iter(roots)))

    @staticmethod
    def _make_group(members: list[_Node]) -> AliasGroup:
        counts: Counter[str] = Counter()
        roles: Counter[str] = Counter()
        labels: Counter[str] = Counter()
        for n in members:
            counts.update(n.surfaces)
            roles.update(n.roles)
            labels[n.label] += n.total
        label = labels.most_common(1)[0][0]
        fullness = {surface: _fullness(surface, n.mkey) for n in members for surface in n.surfaces}
        return AliasGroup(
            canonical=_pick_canonical(counts, label, fullness),
            label=label,
            names=set(counts),
            counts=dict(counts),
            roles=dict(roles),
        )


def _block_keys(label: str, words: list[str]) -> list[tuple[str, int, int, tuple[str, ...]]]:
    """Blocks for the typo search: the name with one word left out, for each word."""
    if len(words) < 2 or len(words) > 6:
        return []
    return [(label, len(words), pos, tuple(words[:pos] + words[pos + 1 :])) for pos in range(len(words))]


def _typo(a: str, b: str, label: str, is_last: bool, freq: Callable[[str], int]) -> bool:
    """Whether two words in the same slot of otherwise equal names are one word misspelt."""
    if a[0] != b[0] or min(len(a), len(b)) < 4 or not a.isalpha() or not b.isalpha():
        return False
    if Levenshtein.distance(a, b) > 2 or fuzz.ratio(a, b) < 85:
        return False
    g = gz.load()
    for w in (a, b):
        if gz.demonym(w) is not None or (gz.place(w) is not None and label != "PERSON"):
            return False
    if a in g.first_names and b in g.first_names:
        return False  # Maria / Mario, Daniel / Daniela: different people
    if label == "PERSON" and not is_last:
        return True  # first names of one surname: Yevgeny / Yevgeniy / Evgeny
    lo, hi = sorted((freq(a), freq(b)))
    return lo <= 3 and hi >= 2 * lo


def _fullness(surface: str, mkey: str) -> int:
    """How many words of ``surface`` carry meaning: those its merge key kept.

    "Russian Wagner Group" counts 1 like "Wagner"; "ISW" counts 0 next to "Institute for
    the Study of War" (6), because the gazetteer expanded it; "Russia's Ministry of
    Defense" counts 3 next to "Russian Ministry of Defense" (4).
    """
    kept = set(mkey.split())
    return sum(1 for w in gz.key(surface).split() if w in kept or _translit(_SPELLING.get(w, w)) in kept)


def _pick_canonical(counts: Counter[str], label: str, fullness: dict[str, int] | None = None) -> str:
    """The fullest frequent form, preferring the gazetteer's spelling of a place.

    "Fullest" counts the words that carry meaning (the merge key's words), so "Wagner Group
    PMC" is no fuller than "Wagner"; ties go to the more frequent form, then to the form
    whose words are most used across the group (the correct spelling outvotes a typo).
    """
    if len(counts) == 1:
        return next(iter(counts))
    if label in {"GPE", "LOC"}:
        preferred = {gz.key(hit[0]) for hit in map(gz.place, counts) if hit is not None}
        spelled = [s for s in counts if gz.key(s) in preferred]
        if spelled:
            return max(spelled, key=lambda s: (counts[s], s))
    top = max(counts.values())
    eligible = [s for s, c in counts.items() if c >= max(1, 0.02 * top)]
    support: Counter[str] = Counter()
    for s, c in counts.items():
        for t in gz.key(s).split():
            support[t] += c
    full = fullness or {}

    def rank(s: str) -> tuple[int, int, int, int, str]:
        toks = gz.key(s).split()
        plain = not any(_POSSESSIVE_TAIL.search(t) for t in s.split()[:-1])
        return (full.get(s, len(toks)), plain, counts[s], sum(support[t] for t in toks), s)

    return max(eligible, key=rank)
