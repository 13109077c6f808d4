"""Free-text search over index_text() columns, on SQLite and (when running) PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from services.common.jptext import index_text, query_terms
from services.common.search import MAX_QUERY_WORDS, contains, escape_like, text_matches

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

metadata = sa.MetaData()
records = sa.Table(
    "records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False, unique=True),
    sa.Column("search_text", sa.Text, nullable=False),
)

# name -> (title, description)
RECORDS: dict[str, tuple[str, str | None]] = {
    "kodomo_shokudo": (
        "子ども食堂ボランティア募集",
        "毎週土曜日に地域の子どもたちへ夕食を提供します。",
    ),
    "mimamori": ("高齢者の見守り", "一人暮らしの高齢者を訪問し、安否を確認する活動です。"),
    "support_centre": ("市民活動支援センター", "NPO法人かごしま21が運営する中間支援組織。"),
    "kagoshima": ("鹿児島市の防災訓練", None),
    "romaji": ("Kyodo Hackathon 2025", "Tanaka-san and friends"),
    "percent": ("参加率100%を目指す", None),
    "hundred": ("100人の合唱", None),
    "underscore": ("file_name の整理", None),
    "filexname": ("filexname の整理", None),
    "backslash": ("C:\\kyodo の共有フォルダ", None),
}


@contextmanager
def _sqlite_engine() -> Iterator[sa.Engine]:
    engine = sa.create_engine("sqlite://")
    yield engine
    engine.dispose()


@contextmanager
def _postgres_engine() -> Iterator[sa.Engine]:
    try:
        server = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
        with server.connect():
            pass
    except Exception as error:  # no server, or no driver: nothing to test against
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not available: {error}")
    database = f"kyodo_test_search_{uuid.uuid4().hex[:12]}"
    with server.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE \"{database}\" ENCODING 'UTF8'"))
    engine = sa.create_engine(server.url.set(database=database))
    try:
        yield engine
    finally:
        engine.dispose()
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}"'))
        server.dispose()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite"),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ],
)
def engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    make = _sqlite_engine if request.param == "sqlite" else _postgres_engine
    with make() as engine:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(
                records.insert(),
                [
                    {"name": name, "search_text": index_text(title, description)}
                    for name, (title, description) in RECORDS.items()
                ],
            )
        yield engine


def found(engine: sa.Engine, q: str) -> set[str]:
    query = sa.select(records.c.name).where(text_matches(records.c.search_text, q))
    with engine.connect() as connection:
        return set(connection.scalars(query))


@pytest.mark.parametrize(
    "q", ["子供", "こども", "ｺﾄﾞﾓ", "コドモ", "子ども食堂", "食堂", "子供　食堂"]
)
def test_record_about_kodomo_shokudo_is_found_by_every_spelling(engine: sa.Engine, q: str) -> None:
    assert "kodomo_shokudo" in found(engine, q)


def test_record_about_watching_over_the_elderly_is_not_found_by_kodomo(engine: sa.Engine) -> None:
    assert found(engine, "子供") == {"kodomo_shokudo"}


def test_every_word_of_the_query_must_match(engine: sa.Engine) -> None:
    assert found(engine, "高齢者 見守り") == {"mimamori"}
    assert found(engine, "高齢者 食堂") == set()


def test_inflected_and_kana_forms_find_the_same_record(engine: sa.Engine) -> None:
    assert found(engine, "見守る") == {"mimamori"}
    assert found(engine, "ぼらんてぃあ") == {"kodomo_shokudo"}


def test_part_of_a_compound_word_is_found(engine: sa.Engine) -> None:
    assert found(engine, "鹿児島") == {"kagoshima"}
    assert found(engine, "支援センター") == {"support_centre"}
    assert found(engine, "ｎｐｏ") == {"support_centre"}


def test_names_and_romaji_are_found_as_substrings(engine: sa.Engine) -> None:
    assert found(engine, "hackathon") == {"romaji"}
    assert found(engine, "TANAKA") == {"romaji"}
    assert found(engine, "かごしま21") == {"support_centre"}


def test_percent_in_the_query_is_a_literal_percent_sign(engine: sa.Engine) -> None:
    # Unescaped, "100%" would also find "100人の合唱".
    assert found(engine, "100%") == {"percent"}
    assert found(engine, "100") == {"percent", "hundred"}


def test_underscore_and_backslash_are_literal_in_contains(engine: sa.Engine) -> None:
    # The tokenizer drops _ and \\ from queries as punctuation, so check the
    # substring primitive text_matches is built on.
    def with_substring(needle: str) -> set[str]:
        query = sa.select(records.c.name).where(contains(records.c.search_text, needle))
        with engine.connect() as connection:
            return set(connection.scalars(query))

    assert with_substring("file_name") == {"underscore"}
    assert with_substring("c:\\kyodo") == {"backslash"}
    assert with_substring("%") == {"percent"}
    assert with_substring("\\") == {"backslash"}


@pytest.mark.parametrize("q", ["", "   ", "%", "_", "\\", "%_\\", "！？。、…", "の"])
def test_query_without_words_matches_everything(engine: sa.Engine, q: str) -> None:
    assert found(engine, q) == set(RECORDS)


def test_escape_like_makes_wildcards_and_the_escape_character_literal() -> None:
    assert escape_like("100%_a\\b") == "100\\%\\_a\\\\b"


def test_query_of_very_many_words_is_cut_to_the_first_ones(engine: sa.Engine) -> None:
    many_words = "子供 " + " ".join(f"word{number}" for number in range(1_000))
    assert len(query_terms(many_words)) > MAX_QUERY_WORDS
    clause = text_matches(records.c.search_text, many_words)
    assert len(list(clause.get_children())) == MAX_QUERY_WORDS
    assert found(engine, many_words) == set()  # and the database accepts the clause
