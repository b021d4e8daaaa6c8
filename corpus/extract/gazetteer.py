"""Small world knowledge the statistical model lacks: places, organisations, demonyms, names.

The small spaCy model tags Avdiivka and Kiev as people and Scholz as a country; a compact
list of places, organisations and first names fixes most of that without a bigger model.
The data lives in ``gazetteer.json`` beside this module and is loaded once, lazily, so
importing the extractors stays cheap for processes that never use them.

Two kinds of vocabulary live elsewhere:

* roles and titles ("manager", "President", "Mr") are the language layer's one role
  vocabulary (:mod:`corpus.language`, ``roles.json``); :func:`is_title` and
  :func:`is_title_modifier` only ask it;
* story-specific words, such as the weapon names of war reporting, come from optional
  *domain packs* (``corpus/domains/*.json``). Each pack may hold ``products`` (equipment
  names that are not named entities); with no pack installed everything still works.

Every lookup goes through :func:`key`, which folds case, accents, curly apostrophes, dots
and hyphens, so "U.S." and "US", "St. Petersburg" and "St Petersburg" meet.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from corpus import language

DATA_PATH = Path(__file__).with_name("gazetteer.json")
#: Optional story-specific packs: every ``*.json`` file here is read if the folder exists.
DOMAINS_DIR = Path(__file__).resolve().parents[1] / "domains"

#: Administrative suffixes that keep the place type: "Donetsk region", "Kharkiv Oblast".
REGION_SUFFIXES = frozenset({"region", "oblast", "province", "district", "raion", "krai", "governorate", "county"})

#: Words that make a span an organisation whatever the model said ("Wagner Group").
ORG_WORDS = frozenset(
    """
    ministry department agency service services institute institution council committee commission group pmc
    company corporation corp inc ltd llc plc bank university college academy school party union federation
    organization organisation office administration court parliament assembly congress senate fund foundation
    association society centre center network radio television tv media news times post journal press daily
    herald gazette tribune club church army navy forces force corps brigade battalion regiment division command
    guard police directorate bureau authority airlines airways railways energy oil gas industries holdings
    alliance coalition front movement cabinet government embassy mission staff
    """.split()  # noqa: SIM905
)

#: Words an official body's name can consist of entirely ("Ministry of Defense", "Armed
#: Forces"): such a name says nothing about *which* country's body is meant.
GENERIC_ORG_WORDS = frozenset(
    """
    ministry department agency service services office council committee commission directorate bureau
    authority administration government cabinet parliament assembly court supreme high constitutional federal
    national state central general joint chiefs staff armed forces force army navy air ground naval military
    defense defence foreign affairs interior home internal security intelligence foreign counterintelligence
    emergency emergencies situations finance economy economic trade justice health energy culture education
    digital transformation presidential press information affairs border guard police special operations
    command of for the and on in public prosecutor prosecutor's general's office secret reconnaissance
    strategic communications center centre main operational headquarters forces' people's republic embassy
    mission
    """.split()  # noqa: SIM905
)

_PUNCT_RE = re.compile(r"[.\u00b7]")
_SPACE_RE = re.compile(r"[\s\-\u2010-\u2015_]+")
_POSSESSIVE_RE = re.compile(r"(?:'s|')$")


def fold(text: str) -> str:
    """Lower-case ASCII with straight apostrophes, for comparisons that ignore typography."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower()


@lru_cache(maxsize=200_000)
def key(surface: str) -> str:
    """Lookup key of a name: folded, without a leading "the", a possessive, dots or hyphens."""
    k = fold(surface).strip()
    k = k.removeprefix("the ")
    k = _POSSESSIVE_RE.sub("", k)
    k = _PUNCT_RE.sub("", k)
    k = k.replace(",", " ")
    k = _SPACE_RE.sub(" ", k).strip()
    return k


@dataclass(slots=True)
class Gazetteer:
    places: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (canonical, GPE|LOC)
    orgs: dict[str, str] = field(default_factory=dict)  # key -> canonical
    demonyms: dict[str, str] = field(default_factory=dict)  # key -> country canonical
    country_demonym: dict[str, str] = field(default_factory=dict)  # country key -> adjective
    ambiguous: frozenset[str] = frozenset()
    #: equipment names from the domain packs (empty without a pack)
    products: frozenset[str] = frozenset()
    first_names: frozenset[str] = frozenset()
    #: lower-case words inside personal names: "ten" in "Erik ten Hag"
    name_particles: frozenset[str] = frozenset()
    #: language keys of nouns only an organisation owns ("shares", "profits")
    org_context: frozenset[str] = frozenset()
    #: language keys of nouns that say what an organisation is ("carmaker", "retailer", "side")
    org_descriptors: frozenset[str] = frozenset()
    #: variant key -> canonical key, for places only (Kiev -> kyiv, Kharkov -> kharkiv)
    variants: dict[str, str] = field(default_factory=dict)
    #: country key -> every way a sentence may name it: name, variants, demonyms, capitals
    country_forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: key of any of those forms -> country key
    form_country: dict[str, str] = field(default_factory=dict)


def domain_packs() -> list[dict]:
    """The story-specific packs installed in :data:`DOMAINS_DIR`, in name order (none is required)."""
    if not DOMAINS_DIR.is_dir():
        return []
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DOMAINS_DIR.glob("*.json"))]


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    """Parse ``gazetteer.json`` and the domain packs once per process."""
    raw = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    g = Gazetteer()
    for name, demonyms, variants in raw["countries"]:
        canon_key = key(name)
        for v in [name, *variants]:
            g.places.setdefault(key(v), (name, "GPE"))
            g.variants.setdefault(key(v), canon_key)
        for d in demonyms:
            g.demonyms.setdefault(key(d), name)
        if demonyms:
            g.country_demonym[canon_key] = demonyms[0]
        forms = [name, *variants, *demonyms, *raw.get("capitals", {}).get(name, [])]
        g.country_forms[canon_key] = tuple(dict.fromkeys(forms))
        for f in forms:
            g.form_country.setdefault(key(f), canon_key)
    packs = domain_packs()
    pack_places = [entry for pack in packs for entry in pack.get("gpe", ())]
    for label, entries in (("GPE", raw["gpe"] + pack_places), ("LOC", raw["loc"])):
        for entry in entries:
            name, *variants = entry
            canon_key = key(name)
            for v in [name, *variants]:
                g.places.setdefault(key(v), (name, label))
                g.variants.setdefault(key(v), canon_key)
    for entry in raw["orgs"]:
        name, *variants = entry
        for v in [name, *variants]:
            g.orgs.setdefault(key(v), name)
    g.ambiguous = frozenset(key(a) for a in raw["ambiguous"])
    g.first_names = frozenset(key(n) for n in raw["first_names"])
    g.name_particles = frozenset(w.lower() for w in raw.get("name_particles", ()))
    g.org_context = language.lexicon(raw.get("org_context_nouns", ()))
    g.org_descriptors = language.lexicon(w for w in raw.get("org_descriptor_nouns", ()) if " " not in w)
    g.products = frozenset(key(p) for pack in packs for p in pack.get("products", ()))
    return g


def place(surface: str) -> tuple[str, str] | None:
    """``(canonical name, GPE|LOC)`` for a known place, also with a region suffix."""
    g = load()
    k = key(surface)
    hit = g.places.get(k)
    if hit is not None:
        return hit
    parts = k.rsplit(" ", 1)
    if len(parts) == 2 and parts[1] in REGION_SUFFIXES:
        base = g.places.get(parts[0])
        if base is not None:
            return base[0] + " " + surface.rsplit(" ", 1)[1], "GPE"
    return None


def org(surface: str) -> str | None:
    """Canonical name of a well-known organisation, or None."""
    return load().orgs.get(key(surface))


def demonym(surface: str) -> str | None:
    """The country a demonym or nationality word belongs to ("Ukrainians" -> "Ukraine")."""
    return load().demonyms.get(key(surface))


def demonym_of_country(surface: str) -> str | None:
    """The adjective for a country name ("Russia" -> "Russian"), used to align possessives."""
    g = load()
    k = key(surface)
    canon = g.variants.get(k, k)
    return g.country_demonym.get(canon)


def country_forms(surface: str) -> tuple[str, ...]:
    """Every way news names the country ``surface`` is a form of: its name, variants,
    demonyms and seat of government ("Germany" -> Germany, German, Germans, Berlin).
    Empty when ``surface`` is not a country form. A question that names one may be
    answered by a sentence that names another."""
    g = load()
    country = g.form_country.get(key(surface))
    return g.country_forms.get(country, ()) if country else ()


def is_ambiguous(surface: str) -> bool:
    """Place names that are also common person names or words (Jordan, Chad, Washington)."""
    return key(surface) in load().ambiguous


#: A model or series code: "F-16", "G-7", "A-380", "MH-17", "Su-25s", "M777", "2A6".
_CODE_RE = re.compile(r"^(?:[a-z]{1,4}-?\d{1,4}[a-z]{0,2}\d?s?|\d{1,4}[a-z]{1,2}\d{0,2})$")
_NUMBER_RE = re.compile(r"^\d{1,4}[a-z]{0,2}\d{0,2}$")


def is_product(surface: str) -> bool:
    """Equipment a domain pack names ("Leopard 2", "F-16s", "Abrams"): not a named entity.

    True when the name or one of its words is a product of an installed pack; without a
    pack nothing is a product, and model numbers stay names (see :func:`is_model_number`).
    """
    products = load().products
    return bool(products) and not products.isdisjoint(_product_keys(surface))


@lru_cache(maxsize=200_000)
def _product_keys(surface: str) -> frozenset[str]:
    """The keys a product name may be listed under: the whole name and each word."""
    toks = [x.strip(".,'") for x in fold(surface).split()]
    return frozenset([key(surface), *toks, *(key(t) for t in toks)])


@lru_cache(maxsize=200_000)
def is_model_number(surface: str) -> bool:
    """A model, series or flight code, or a name ending in a bare number: "F-150",
    "MH-17", "Airbus A-380", "Leopard 2", "G-7".

    Such a name is never a person (nor a place); whether it names an organisation, a
    meeting or a product is the model's call, so this only rules PERSON out.
    """
    toks = [t.strip(".,'\u2019") for t in fold(surface).split()]
    if not toks or not toks[-1]:
        return False
    last = toks[-1]
    if _CODE_RE.match(last) and any(c.isdigit() for c in last):
        return True
    return len(toks) >= 2 and bool(_NUMBER_RE.match(last))


def is_first_name(token: str) -> bool:
    return key(token) in load().first_names


@lru_cache(maxsize=65_536)
def is_title(token: str, tag: str | None = None) -> bool:
    """A word that marks the name after it as a person: a role ("President", "manager",
    "chief executive", "coaches") or an honorific ("Mr.", "Gen."), from the one role
    vocabulary in :mod:`corpus.language`.

    Inflected forms are matched by their language key. Given the token's part-of-speech
    ``tag``, a verb is never a title ("accused Western politicians", "heads the club") and
    only a noun gets the leeway of inflection, so "generous" and "heading" (which Porter
    conflates with "general" and "head") are not titles.
    """
    w = token.lower().strip()
    if not w:
        return False
    if language.is_honorific(w):
        return True
    if tag is not None and not tag.startswith(("NN", "JJ")):
        return False  # "accused", "heads", "hosts" as verbs
    if w in language.role_words():
        return True
    if tag is not None and not tag.startswith("NN"):
        return False
    return language.is_role(w)


def is_title_modifier(token: str) -> bool:
    """A word that may sit inside a title ("deputy", "foreign", "chief", "managing")."""
    return language.is_role_modifier(token)


def is_person_title(token: str, tag: str | None = None) -> bool:
    """A title that only people bear: "manager", "President", "Mr" but not "retailer",
    "member" or "rival", which describe companies and countries as often ("retailer Tesco",
    "NATO member Finland")."""
    return is_title(token, tag) and language.is_person_role(token)


def is_name_particle(token: str) -> bool:
    """A lower-case word inside a personal name: "ten" (Erik ten Hag), "von", "bin"."""
    return token in load().name_particles


def is_org_descriptor(noun: str) -> bool:
    """A noun that says what the organisation named after it is ("carmaker Nissan", "side Chelsea")."""
    return language.norm(noun) in load().org_descriptors


def is_org_context(noun: str) -> bool:
    """A noun only an organisation owns, so a name modifying it is one ("X shares")."""
    return language.norm(noun) in load().org_context


def canonical_place_key(k: str) -> str:
    """Map a place key to its canonical spelling's key ("kiev" -> "kyiv"); others unchanged."""
    return load().variants.get(k, k)
