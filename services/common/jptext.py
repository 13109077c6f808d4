"""Japanese-aware text normalisation for search (表記ゆれ: 子ども, 子供, こども, ｺﾄﾞﾓ).

Records store one ``search_text`` string built by :func:`index_text`; queries are
turned into terms by :func:`query_terms` / :func:`parse_query` and matched with
``services.common.search.text_matches``.

Design, decided by trying the sudachidict-core dictionary on the platform's vocabulary:

* **Split mode B for both documents and queries.** Mode A cuts too fine: 見守り
  becomes 見る + 守る, 高齢者 becomes 高齢 + 者, so a query for 見守り would match any
  text that merely contains 見る and 守る. Mode C glues compounds (NPO法人,
  ゴミ拾い) so a query for the parts misses. Mode B keeps words whole and already
  splits 市民活動支援センター into 市民 / 活動 / 支援 / センター.
* **Documents also index the mode-A parts** of each mode-B word (鹿児島市 → 鹿児島,
  市; 子供会 → 子供, 会). Sudachi's modes nest, so this only adds terms: a query for
  鹿児島 or こども still meets a whole term in a document about 鹿児島市 or 子供会.
* **Terms are normalised forms**, casefolded and folded to hiragana, so spelling
  variants meet (子ども/こども/コドモ → 子供, 障がい者 → 障害者, ゴミ/ごみ → ごみ).
* **No readings.** Indexing readings (こども for 子供) would add homophone matches
  (はし → 橋/箸/端, かだい → 課題/過大), and a long kana-only query is mis-segmented
  anyway (こうれいしゃ → こう/零/しゃ), whose fragments would then match unrelated short
  words. The normalised form already maps kana spellings of dictionary words to
  their kanji form (こども, ふくし, ひとり親); the substring fallback covers the rest.
* **Function words are not terms:** particles, auxiliaries, symbols, whitespace,
  affixes (お, たち, 者), pronouns, conjunctions, interjections, light verbs
  (する, いる, できる) and kana formal nouns (こと, ため). Otherwise a query for
  子どもたちのための見守りをしている would require 達, 為, 為る and 居る in every hit.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from sudachipy import Dictionary, Morpheme, SplitMode, Tokenizer

__all__ = [
    "MAX_TEXT_CHARS",
    "QueryTerm",
    "index_text",
    "normalize",
    "parse_query",
    "query_terms",
    "search_terms",
    "to_hiragana",
    "to_katakana",
]

MAX_TEXT_CHARS = 20_000
"""Characters of each text that are analysed; the rest is ignored (a guard, not a limit
callers should meet: API fields are far shorter)."""

# Sudachi refuses inputs over 49,149 UTF-8 bytes; 4,000 characters is at most 16,000
# bytes, with room to spare, and keeps each call short.
_CHUNK_CHARS = 4_000

# Joins the term part and the full-text part of an index string. normalize() turns
# every newline into a space and terms never contain whitespace, so it is unambiguous.
_SECTION_SEPARATOR = "\n"

_SKIPPED_POS = frozenset(
    {
        "助詞",  # particles
        "助動詞",  # auxiliary verbs
        "補助記号",  # punctuation, brackets
        "記号",  # symbols
        "空白",  # whitespace
        "接頭辞",  # お, ご: a query for お年寄り must find 年寄り
        "接尾辞",  # たち, 者, 隊
        "代名詞",  # これ, 私
        "連体詞",  # この, あらゆる
        "接続詞",  # そして
        "感動詞",  # ありがとう, あっ
    }
)
_LIGHT_WORD_POS = frozenset({"動詞", "形容詞"})  # with 非自立可能: する, いる, できる, ない
# Formal nouns (形式名詞) carry grammar, not topic, when written in kana: …のための…,
# …ということ. Their kanji spellings (事, 物, 時) stay terms.
_FORMAL_NOUNS = frozenset(
    {"こと", "もの", "ため", "ところ", "とき", "わけ", "うち", "ほう", "はず", "まま", "よう"}
)

# Control characters (NUL included: PostgreSQL text rejects it) and lone surrogates
# (they cannot be encoded for the tokenizer) are treated as whitespace.
_UNSAFE_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_WHITESPACE_RUN = re.compile(r"\s+")
_CHUNK_BOUNDARY = re.compile(r"[\s。、．，.,!?！？]")

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)} | {
    0x30FD: 0x309D,  # ヽ → ゝ
    0x30FE: 0x309E,  # ヾ → ゞ
}
_HIRAGANA_TO_KATAKANA = {hira: kata for kata, hira in _KATAKANA_TO_HIRAGANA.items()}

_dictionary: Dictionary | None = None
_dictionary_lock = threading.Lock()
_per_thread = threading.local()


class QueryTerm(NamedTuple):
    """One word of a search query, in the two forms the matcher needs."""

    term: str
    """The normalised form (子供 for 子ども): matched as a whole term of the index."""
    text: str
    """The word as typed, normalize()d and hiragana-folded (子ども): matched as a substring."""


def normalize(text: str) -> str:
    """NFKC, casefold, control characters to spaces, whitespace runs collapsed, stripped."""
    text = _UNSAFE_CHARS.sub(" ", text)
    # NFKC again after casefold: casefolding can produce strings NFKC would still
    # change, and normalize() must be idempotent.
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return _WHITESPACE_RUN.sub(" ", text).strip()


def to_katakana(text: str) -> str:
    """Fold hiragana to full-width katakana, after NFKC (so half-width ｺﾄﾞﾓ works too)."""
    return unicodedata.normalize("NFKC", text).translate(_HIRAGANA_TO_KATAKANA)


def to_hiragana(text: str) -> str:
    """Fold katakana (full- or half-width) to hiragana, after NFKC.

    ヷヸヹヺ have no hiragana counterpart and stay as they are.
    """
    return unicodedata.normalize("NFKC", text).translate(_KATAKANA_TO_HIRAGANA)


def search_terms(text: str) -> list[str]:
    """The content words of ``text`` as search terms: normalised form, casefolded,
    hiragana-folded, deduplicated, in order of appearance (split mode B)."""
    return _unique(_term(morpheme) for morpheme in _content_morphemes(text))


def query_terms(q: str) -> list[str]:
    """The terms a user query must all match; the same pipeline as documents."""
    return [query_term.term for query_term in parse_query(q)]


def parse_query(q: str) -> list[QueryTerm]:
    """The words of a query, each with its index term and its typed text.

    The typed text lets the matcher fall back to a substring search for words
    Sudachi does not know (names, romaji) or splits differently in context.
    """
    seen: set[str] = set()
    parsed: list[QueryTerm] = []
    for morpheme in _content_morphemes(q):
        term = _term(morpheme)
        if term and term not in seen:
            seen.add(term)
            # An empty substring would match every row; fall back to the term itself.
            parsed.append(QueryTerm(term=term, text=_fold(morpheme.surface()) or term))
    return parsed


def index_text(*parts: str | None) -> str:
    """The ``search_text`` to store for a record made of ``parts`` (title, body, ...).

    Two sections joined by a newline: the terms, space-separated and wrapped in
    spaces (`` 子供 食堂 ``) for whole-term matching, plus the mode-A parts of each
    term; then the normalize()d, hiragana-folded full texts for substring matching.
    """
    texts = [part[:MAX_TEXT_CHARS] for part in parts if part]
    terms: list[str] = []
    for text in texts:
        for morpheme in _content_morphemes(text):
            terms.append(_term(morpheme))
            terms.extend(_term(part) for part in _finer_parts(morpheme))
    term_section = " " + "".join(f"{term} " for term in _unique(terms))
    full_text_section = " ".join(_fold(text) for text in texts)
    return term_section + _SECTION_SEPARATOR + full_text_section


def _fold(text: str) -> str:
    return to_hiragana(normalize(text))


def _term(morpheme: Morpheme) -> str:
    # Whitespace inside a term would break the " term " framing of the index.
    return "".join(to_hiragana(morpheme.normalized_form().casefold()).split())


def _unique(terms: Iterable[str]) -> list[str]:
    return [term for term in dict.fromkeys(terms) if term]


def _is_content(morpheme: Morpheme) -> bool:
    pos = morpheme.part_of_speech()
    if pos[0] in _SKIPPED_POS or morpheme.surface() in _FORMAL_NOUNS:
        return False
    return not (pos[0] in _LIGHT_WORD_POS and pos[1] == "非自立可能")


def _content_morphemes(text: str) -> Iterator[Morpheme]:
    tokenizer = _tokenizer()
    cleaned = unicodedata.normalize("NFKC", _UNSAFE_CHARS.sub(" ", text[:MAX_TEXT_CHARS]))
    for chunk in _chunks(cleaned):
        yield from (morpheme for morpheme in tokenizer.tokenize(chunk) if _is_content(morpheme))


def _finer_parts(morpheme: Morpheme) -> list[Morpheme]:
    parts = morpheme.split(SplitMode.A, add_single=False)
    return [part for part in parts if _is_content(part)] if len(parts) > 1 else []


def _chunks(text: str) -> Iterator[str]:
    """Pieces of at most _CHUNK_CHARS, cut after a space or punctuation where possible."""
    start = 0
    while len(text) - start > _CHUNK_CHARS:
        window = text[start : start + _CHUNK_CHARS]
        boundaries = [match.end() for match in _CHUNK_BOUNDARY.finditer(window)]
        cut = boundaries[-1] if boundaries and boundaries[-1] > _CHUNK_CHARS // 2 else len(window)
        yield window[:cut]
        start += cut
    if start < len(text):
        yield text[start:]


def _tokenizer() -> Tokenizer:
    # A Tokenizer must not be used by two threads at once; the Dictionary (the
    # expensive part, loaded on first use rather than at import) can be shared.
    tokenizer: Tokenizer | None = getattr(_per_thread, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _shared_dictionary().tokenizer(mode=SplitMode.B)
        _per_thread.tokenizer = tokenizer
    return tokenizer


def _shared_dictionary() -> Dictionary:
    global _dictionary
    with _dictionary_lock:
        if _dictionary is None:
            _dictionary = Dictionary(dict="core")
        return _dictionary
