"""``who NAME``: the role as the articles state it, with the sentence it comes from."""

from __future__ import annotations

import handlers.who  # noqa: F401  (registers the command)
from handlers.registry import dispatch
from handlers.types import Request


async def _who(ctx, name: str):
    return await dispatch(ctx, Request("who", {"name": name}))


def _roles(reply) -> list[str]:
    return [r["text"] for r in reply.data["roles"]]


async def test_every_role_is_verbatim_in_its_cited_sentence(seed_ctx):
    for name in ("Prigozhin", "Scholz", "Stoltenberg", "Yermak", "Syrskyi", "Soledar"):
        reply = await _who(seed_ctx, name)
        assert reply.answered, (name, reply.text)
        cited = {c.sentence for c in reply.citations}
        for r in reply.data["roles"]:
            assert r["text"] in r["sentence"] and r["sentence"] in cited


async def test_misspelled_prigozhin_is_the_head_of_wagner(seed_ctx):
    reply = await _who(seed_ctx, "Prigozin")
    assert reply.answered
    assert reply.data["label"] == "PERSON"
    roles = " | ".join(_roles(reply))
    assert "Wagner" in roles, roles
    assert reply.data["mentions"] >= 3 and reply.data["articles"] >= 2


async def test_zelenskiy_alias_is_ukrainian_president(seed_ctx):
    reply = await _who(seed_ctx, "Zelenskiy")
    assert reply.answered
    assert any("President" in r for r in _roles(reply)), _roles(reply)
    assert "Latest quotes" in [f.name for f in reply.fields]


async def test_stoltengerg_typo_in_the_article_is_nato_chief(seed_ctx):
    reply = await _who(seed_ctx, "Stoltengerg")
    assert reply.answered
    assert any("NATO" in r for r in _roles(reply)), _roles(reply)


async def test_apposition_after_the_name(seed_ctx):
    reply = await _who(seed_ctx, "Andriy Yermak")
    assert "the head of Ukraine’s presidential administration" in _roles(reply)


async def test_place_is_described_as_the_articles_describe_it(seed_ctx):
    reply = await _who(seed_ctx, "Soledar")
    assert reply.answered
    assert reply.data["label"] in ("GPE", "LOC")
    assert any("town" in r for r in _roles(reply)), _roles(reply)


async def test_unknown_name_is_not_answered(seed_ctx):
    reply = await _who(seed_ctx, "Angela Merkel")
    assert not reply.answered
    assert reply.text.startswith("No indexed article mentions")


# --------------------------------------------------------------------------- beyond the war


def test_roles_come_from_the_one_role_vocabulary():
    from handlers.who import roles_in

    assert roles_in(
        "Manchester United manager Erik ten Hag said the club would not sell Rashford.", ["Erik ten Hag"], "PERSON"
    ) == ["Manchester United manager"]
    assert roles_in("Wayne Rooney, a former Manchester United striker, said he was sad.", ["Wayne Rooney"],
                     "PERSON") == ["a former Manchester United striker"]
    assert roles_in("Chief executive Clara Furse told reporters the exchange would stay independent.",
                     ["Clara Furse"], "PERSON") == ["Chief executive"]
    assert roles_in("Judge Lewis Kaplan said the trial would begin in October.", ["Lewis Kaplan"], "PERSON") == [
        "Judge"
    ]


def test_a_relative_clause_is_not_a_role():
    from handlers.who import roles_in

    text = (
        "Rishi Sunak, who has already announced plans to send 14 Challenger 2 tanks to Ukraine, "
        "said more would follow."
    )
    assert roles_in(text, ["Rishi Sunak"], "PERSON") == []


def test_a_name_or_a_phrase_beside_a_place_is_not_its_description():
    """Appositions that belong to another name in the sentence, or to nobody: "with Russia,
    the US said" does not describe Russia as "the US"."""
    from handlers.who import roles_in

    russia = ["Russia"]
    for text in (
        "While pinpointing several areas of difficulty in the work with Russia, the US said the meeting went well.",
        "To settle the bill, Russia forced Yukos to sell off Yuganskneftegas.",
        "Through the heavy fighting, Russia has sustained hundreds of thousands of casualties.",
        "Mr Makarov joined the KGB in 1970s Russia, as an idealistic 20 year-old.",
    ):
        assert roles_in(text, russia, "GPE") == [], text
    # what a description of a place or a body does look like stays
    assert roles_in("Soledar, a salt-mining town in the Donetsk region, was taken.", ["Soledar"], "GPE") == [
        "a salt-mining town in the Donetsk region"
    ]
    assert roles_in("The fighting moved to the strategic town of Soledar.", ["Soledar"], "GPE") == [
        "the strategic town of Soledar"[: -len(" of Soledar")]
    ]
    assert roles_in("Harlow Foods, a family-owned grocer, rejected the offer.", ["Harlow Foods"], "ORG") == [
        "a family-owned grocer"
    ]
    assert roles_in("The head of the UN human rights office in Ukraine, Matilda Bogner, said it was grave.",
                    ["Matilda Bogner"], "PERSON") == ["The head of the UN human rights office in Ukraine"]


async def test_a_company_chairman_is_described_by_the_article(stories_ctx):
    reply = await _who(stories_ctx, "Jane Ellis")
    assert reply.answered, reply.text
    assert any("chairman" in r.lower() for r in _roles(reply)), reply.text
    assert any("said Jane Ellis, chairman of Harlow Foods" in c.sentence for c in reply.citations)


async def test_who_answers_the_same_after_a_restart(tmp_path) -> None:
    """The alias groups a running bot built while ingesting and the ones rebuilt from the
    database on the next start give the same answers."""
    from corpus.extract.pipeline import Extractor
    from corpus.service import Corpus
    from handlers.context import Context
    from tests.conftest import STORIES

    db = tmp_path / "restart.db"
    corpus = await Corpus.open(db, extractor=Extractor(workers=0), seed=False)
    try:
        for text in STORIES.values():
            await corpus.ingest_text(text, added_by="tests")
        names = sorted({canonical for _, canonical, label in await corpus.store.entity_names()
                        if label in ("PERSON", "ORG")})
        assert len(names) >= 5
        before = {n: (await _who(Context(corpus), n)).text for n in names}
    finally:
        await corpus.close()
    reopened = await Corpus.open(db, extractor=Extractor(workers=0), seed=False)
    try:
        after = {n: (await _who(Context(reopened), n)).text for n in names}
    finally:
        await reopened.close()
    changed = {n: (before[n][:80], after[n][:80]) for n in names if before[n] != after[n]}
    assert not changed, changed
