"""BM25 among the lines a question may use (core/text_search.py): the film's own statistics, nothing from
beyond the window, the store's tokenizer (Porter stems, accents), FTS5 syntax in a question kept as words."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.question import fts_query
from core.text_search import LineSearch, LineSearchCache


@dataclass(frozen=True)
class Line:
    id: int
    text: str


FILM = [Line(1, "The lighthouse keeper rows to the island"), Line(2, "Storms again tonight"), Line(3, "Café closed")]


def test_scores_depend_only_on_the_lines_searched():
    alone = LineSearch(FILM).score(fts_query("Who rows to the lighthouse?"))
    crowded = [*FILM, *(Line(100 + i, f"lighthouse lighthouse number {i}") for i in range(50))]
    among_others = LineSearch(crowded).score(fts_query("Who rows to the lighthouse?"))
    assert set(alone) == {1}
    # the word is common among the other lines: BM25 over them all weighs it less
    assert among_others[1] != pytest.approx(alone[1])
    assert LineSearch(list(FILM)).score(fts_query("Who rows to the lighthouse?")) == alone


def test_stems_and_accents_match_as_the_store_does():
    found = LineSearch(FILM).score(fts_query("Is the cafe closing? A storm?"))
    assert set(found) == {2, 3}
    assert LineSearch(FILM).score("") == {} and LineSearch([]).score(fts_query("storm")) == {}


def test_query_syntax_in_a_question_is_read_as_words():
    search = LineSearch(FILM)
    for question in ('island" OR "storms', "NEAR(island storms)", "keeper*", "-island", "text: island"):
        search.score(fts_query(question))  # no sqlite3.OperationalError


def test_the_cache_rebuilds_only_for_other_lines():
    cache = LineSearchCache()
    first = cache.score(FILM, fts_query("storms"))
    assert cache.score(FILM[:1], fts_query("storms")) == {}  # the window no longer holds the line
    assert cache.score(FILM, fts_query("storms")) == first
