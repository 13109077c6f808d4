"""Free-text search clauses over a ``search_text`` column built by ``jptext.index_text``.

Plain ``LIKE`` with an explicit ``ESCAPE``, so the same clause runs on SQLite
(embedded mode) and PostgreSQL (distributed mode) without extensions.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, true

from services.common.jptext import QueryTerm, parse_query

__all__ = ["LIKE_ESCAPE", "MAX_QUERY_WORDS", "contains", "escape_like", "text_matches"]

LIKE_ESCAPE = "\\"
"""The escape character written into every ``LIKE ... ESCAPE`` clause built here."""

MAX_QUERY_WORDS = 32
"""Words of a query that are matched; any further words are ignored."""


def escape_like(value: str) -> str:
    """``value`` with the LIKE wildcards (``%``, ``_``) and the escape character made literal."""
    return (
        value.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def contains(column: ColumnElement[str], needle: str) -> ColumnElement[bool]:
    """``column`` contains ``needle`` literally (no wildcards, whatever the input)."""
    return column.like(f"%{escape_like(needle)}%", escape=LIKE_ESCAPE)


def text_matches(column: ColumnElement[str], q: str) -> ColumnElement[bool]:
    """A clause true for rows whose ``column`` matches every word of the query ``q``.

    Each word matches as a whole index term (`` 子供 `` also finds 子ども and こども) or,
    failing that, as a substring of the indexed text (names, romaji and words the
    dictionary does not know). A query with no words (empty, punctuation only)
    matches every row. Only the first MAX_QUERY_WORDS words count.
    """
    # A hostile query of thousands of words would otherwise build thousands of LIKEs
    # (SQLite refuses expressions nested deeper than 1,000).
    words = parse_query(q)[:MAX_QUERY_WORDS]
    if not words:
        return true()
    return and_(*(_word_matches(column, word) for word in words))


def _word_matches(column: ColumnElement[str], word: QueryTerm) -> ColumnElement[bool]:
    as_substring = contains(column, word.text)
    if word.text in word.term:
        # Every row holding the whole term also holds the typed text: one LIKE suffices.
        return as_substring
    # The index wraps every term in spaces, so this finds whole terms only.
    return or_(contains(column, f" {word.term} "), as_substring)
