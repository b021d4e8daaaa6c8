"""``compare``: figures side by side, grouped by measure, with who claims what and a chart."""

from __future__ import annotations

import handlers.compare  # noqa: F401  (registers the command)
from handlers.compare import plan_topic
from handlers.registry import dispatch
from handlers.types import Request


async def _compare(ctx, topic: str):
    return await dispatch(ctx, Request("compare", {"topic": topic}))


def _figures(reply) -> list[dict]:
    return reply.data["figures"]


def _has(reply, low: float, high: float) -> dict | None:
    return next((f for f in _figures(reply) if f["low"] == low and f["high"] == high), None)


async def test_russian_casualties_sets_disagreeing_sources_side_by_side(seed_ctx):
    reply = await _compare(seed_ctx, "Russian casualties")
    assert reply.answered, reply.text
    dead = _has(reply, 40_000, 60_000)
    killed_or_wounded = _has(reply, 200_000, 200_000)
    vague = _has(reply, 200_000, 999_999)
    assert dead and killed_or_wounded and vague, _figures(reply)
    assert dead["category"] == "killed"
    assert "British intelligence" in reply.text
    assert "hundreds of thousands" in reply.text  # the vague wording is kept beside its range
    assert "200,000–999,999" in reply.text
    # Different measures are grouped apart, and the disagreement is called out.
    assert len({f["category"] for f in _figures(reply)}) >= 2
    assert "differ" in reply.text or "different things" in reply.text
    assert reply.image is not None and reply.image.data.startswith(b"\x89PNG")
    assert reply.image.filename == "compare-russian-casualties.png"


async def test_russian_casualties_leaves_out_ukrainian_losses(seed_ctx):
    reply = await _compare(seed_ctx, "Russian casualties")
    assert _has(reply, 100, 999) is None, "Kiev's daily 'three-digit number' is not a Russian casualty figure"


async def test_every_compared_figure_and_claimant_is_in_a_cited_sentence(seed_ctx):
    reply = await _compare(seed_ctx, "Russian casualties")
    cited = [c.sentence for c in reply.citations]
    for f in _figures(reply):
        assert f["surface"] in f["sentence"]
        assert f["sentence"] in cited
        if f["claimant"]:
            assert any(f["claimant"].lower() in s.lower() for s in cited), f["claimant"]
        if f["party"]:
            assert f["party"] in f["sentence"]


async def test_tanks_lists_each_pledge_and_kyivs_request(seed_ctx):
    reply = await _compare(seed_ctx, "tanks")
    assert reply.answered, reply.text
    values = {(f["low"], f["high"]) for f in _figures(reply)}
    for expected in [(31, 31), (14, 14), (300, 300), (24, 99)]:
        assert expected in values, (expected, values)
    categories = {f["category"] for f in _figures(reply)}
    assert "equipment_pledged" in categories and "equipment_requested" in categories
    request = _has(reply, 300, 300)
    assert request["category"] == "equipment_requested"
    assert "Abrams" in reply.text and "Leopard 2" in reply.text and "Challenger 2" in reply.text
    assert "dozens" in reply.text
    assert reply.image is not None and reply.image.data.startswith(b"\x89PNG")


async def test_a_typo_in_the_topic_is_corrected(seed_ctx):
    plan = await plan_topic(seed_ctx, "tnaks")
    assert plan.things == ["tanks"]
    typo = await _compare(seed_ctx, "tnaks")
    right = await _compare(seed_ctx, "tanks")
    assert typo.answered
    assert {(f["low"], f["high"]) for f in _figures(typo)} == {(f["low"], f["high"]) for f in _figures(right)}
    assert "tanks" in typo.text


async def test_topic_words_map_to_measures(seed_ctx):
    plan = await plan_topic(seed_ctx, "Russian dead")
    assert plan.side == "russia" and "killed" in plan.categories
    assert "displaced" in (await plan_topic(seed_ctx, "refugees")).categories
    assert "personnel_mobilized" in (await plan_topic(seed_ctx, "mobilized")).categories


async def test_nothing_to_compare_says_so_and_draws_nothing(seed_ctx):
    reply = await _compare(seed_ctx, "submarines")
    assert not reply.answered
    assert reply.text.startswith("No indexed article")
    assert reply.image is None


async def test_no_chart_for_a_single_figure(seed_ctx):
    reply = await _compare(seed_ctx, "Abrams")
    assert reply.answered
    assert [(f["low"], f["thing"]) for f in _figures(reply)] == [(31, "Abrams tanks")]
    assert reply.image is None


async def test_a_specific_weapon_leaves_out_the_others(seed_ctx):
    reply = await _compare(seed_ctx, "Leopard tanks")
    things = {f["thing"] for f in _figures(reply)}
    assert things and all("Leopard" in t for t in things), things


async def test_pledges_by_different_countries_are_not_a_disagreement(seed_ctx):
    reply = await _compare(seed_ctx, "tanks")
    assert not reply.data["discrepancies"], reply.data["discrepancies"]


async def test_disagreement_is_reported_with_both_claimants(seed_ctx):
    reply = await _compare(seed_ctx, "Russian casualties")
    differ = " ".join(reply.data["discrepancies"])
    assert "British intelligence" in differ and "White House National Security Council" in differ
    assert "200,000–999,999" in differ


async def test_other_wars_and_other_armies_stay_out_of_russian_casualties(full_ctx):
    reply = await _compare(full_ctx, "Russian casualties")
    assert reply.answered
    for f in _figures(reply):
        assert "Sudan" not in f["sentence"] and "German troops" not in f["sentence"], f["sentence"]


async def test_a_sentence_syndicated_to_two_articles_is_one_row(full_ctx):
    reply = await _compare(full_ctx, "Russian casualties")
    rows = [(f["low"], f["high"], " ".join(f["sentence"].split())) for f in _figures(reply)]
    assert len(rows) == len(set(rows))
    copied = [f for f in _figures(reply) if f["also_in"]]
    assert copied and all(f["article_id"] not in f["also_in"] for f in copied)
