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
    assert dead["event"] == "die" and killed_or_wounded["event"] == "kill wound"
    assert "British intelligence" in reply.text
    assert "“hundreds of thousands”" in reply.text  # the source's words, not a range nobody wrote
    assert "200,000–999,999" in " ".join(reply.data["notes"])  # the range only where it is computed
    # Different measures are grouped apart, and the disagreement is called out.
    assert dead["measure"] != killed_or_wounded["measure"] == vague["measure"]
    assert "differ" in reply.text.splitlines()[0]
    assert len(reply.text.splitlines()[0]) <= 200
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
    request = _has(reply, 300, 300)
    pledges = [f for f in _figures(reply) if f["low"] in (14, 31)]
    assert request["event"] == "call" and all(f["event"] != "call" for f in pledges)
    assert all(request["measure"] != f["measure"] for f in pledges)  # a request is not a pledge
    assert "Abrams" in reply.text and "Leopard 2" in reply.text and "Challenger 2" in reply.text
    assert "dozens" in reply.text
    assert reply.image is not None and reply.image.data.startswith(b"\x89PNG")


async def test_a_typo_in_the_topic_is_corrected(seed_ctx):
    plan = await plan_topic(seed_ctx, "tnaks")
    assert plan.words == ["tanks"] and plan.corrected == {"tnaks": "tanks"}
    typo = await _compare(seed_ctx, "tnaks")
    right = await _compare(seed_ctx, "tanks")
    assert typo.answered
    assert {(f["low"], f["high"]) for f in _figures(typo)} == {(f["low"], f["high"]) for f in _figures(right)}
    assert "tanks" in typo.text


async def test_topic_words_become_parties_words_and_kinds(seed_ctx):
    plan = await plan_topic(seed_ctx, "Russian dead")
    assert (plan.parties, plan.words, plan.kinds) == (["Russia"], ["dead"], ())
    assert (await plan_topic(seed_ctx, "Kremlin losses")).parties == ["Russia"]
    assert (await plan_topic(seed_ctx, "transfer fee")).kinds == ("money",)


async def test_a_word_for_people_killed_or_wounded_finds_the_figures_that_count_them(seed_ctx):
    reply = await _compare(seed_ctx, "Russian casualties")
    # "200,000 soldiers have either been killed or wounded" never says "casualties"
    assert _has(reply, 200_000, 200_000)["thing"] == "soldiers killed or wounded"


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
    assert "“hundreds of thousands”" in differ and "200,000" in differ


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


# --------------------------------------------------------------------------- any story


async def test_seats_of_one_party_across_sources_and_their_disagreement(stories_ctx):
    reply = await _compare(stories_ctx, "Labour seats")
    assert reply.answered, reply.text
    assert {(f["low"], f["party"]) for f in _figures(reply)} == {(411, "Labour"), (412, "Labour")}
    differ = " ".join(reply.data["discrepancies"])
    assert "411" in differ and "412" in differ and "final results" in differ
    assert "differ" in reply.text.splitlines()[0]


async def test_seats_of_different_parties_or_won_and_lost_are_never_a_disagreement(stories_ctx):
    reply = await _compare(stories_ctx, "seats")
    values = {(f["low"], f["party"]) for f in _figures(reply)}
    assert {(411, "Labour"), (121, "Conservatives"), (72, "Liberal Democrats"), (251, "Conservatives")} <= values
    differ = " ".join(reply.data["discrepancies"])
    assert "121" not in differ and "72" not in differ and "251" not in differ
    won = next(f for f in _figures(reply) if f["low"] == 121)
    lost = next(f for f in _figures(reply) if f["low"] == 251)
    assert won["measure"] != lost["measure"]


async def test_a_bid_raised_is_a_disagreement_on_the_same_bidder_only(stories_ctx):
    reply = await _compare(stories_ctx, "London Stock Exchange bid")
    values = {f["low"] for f in _figures(reply)}
    assert {1.3e9, 1.35e9} <= values, reply.text
    differ = " ".join(reply.data["discrepancies"])
    assert "Deutsche Boerse" in differ or "analysts" in differ
    assert "1.4" not in differ  # Euronext's rival bid is another party's


async def test_a_kind_word_compares_amounts_of_money(stories_ctx):
    reply = await _compare(stories_ctx, "Tesco profits")
    assert reply.answered, reply.text
    assert any(f["party"] == "Tesco" and f["unit"] == "GBP" for f in _figures(reply))


async def test_a_figure_whose_sentence_leaves_the_name_to_the_title_is_compared(stories_ctx) -> None:
    # "Shares in the company have risen 8%": the title names Harlow Foods.
    reply = await _compare(stories_ctx, "Harlow Foods shares")
    assert reply.answered, reply.text
    assert any(f["low"] == 8 for f in _figures(reply)), reply.text


async def test_a_products_price_is_found_where_only_the_title_names_it(stories_ctx) -> None:
    reply = await _compare(stories_ctx, "Z5 price")
    assert reply.answered, reply.text
    lows = {f["low"] for f in _figures(reply)}
    assert 499 in lows, reply.text  # "The handset costs $499": the title says which handset


def test_words_around_a_figure_are_matched_like_a_question_s_terms() -> None:
    """compare reads the words around a number with the matcher ask and source use: a
    prefix ("re-elected" for "elected") or a typo in the topic still covers the word."""
    from corpus.models import ArticleSummary, Figure, FigureHit
    from handlers.compare import _covers, _structured_keys, _window

    sentence = "Labour was re-elected on Thursday with 355 seats in the Commons."
    start = sentence.index("355")
    figure = Figure(start, start + 3, "355", 355.0, 355.0, "exact", thing="seats", thing_head="seat")
    article = ArticleSummary(1, "Election", None, None, None, False, None, "t", "2024-01-01", 12)
    hit = FigureHit(1, figure, article, sentence)
    structured, window = _structured_keys(hit), _window(hit)
    assert _covers(hit, "seats", structured, window) == 2  # what it counts
    assert _covers(hit, "elected", structured, window) == 1  # "re-elected", beside the number
    assert _covers(hit, "Thursday", structured, window) == 1
    assert _covers(hit, "Conservatives", structured, window) == 0


def test_the_chart_library_is_loaded_before_the_first_chart() -> None:
    """After the start-up warm-up a chart costs its drawing only, not matplotlib's import."""
    import time

    from handlers.chart import Bar, render_chart, warm

    warm()
    started = time.perf_counter()
    png = render_chart([Bar(10.0, 12.0, "10–12", "Wire", "tanks"), Bar(14.0, 14.0, "14", "Ledger", "tanks")], "t")
    assert png.startswith(b"\x89PNG") and time.perf_counter() - started < 2.0
