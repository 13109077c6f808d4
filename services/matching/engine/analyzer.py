"""Japanese-aware text features, and the TF-IDF postings the index scores them with.

Features (表記ゆれ-proof), prefixed so the two kinds never meet by name:

* ``w:`` words: Sudachi normalised forms from the platform's search pipeline
  (``services.common.jptext``: split mode B, content words only, casefolded and
  hiragana-folded), so 子ども / 子供 / こども / ｺﾄﾞﾓ all give ``w:子供``; plus the
  mode-A parts of compounds (鹿児島市 → 鹿児島), as the search index does, so a
  query for the part still meets the whole. One-character parts (市, 会) are left
  out: they match everything and explain nothing.
* ``c:`` character 2- and 3-grams of the normalised, hiragana-folded text, within
  runs of letters and digits (never across spaces or punctuation): they catch
  words Sudachi does not know (団体名, ローマ字) and partial overlaps.

Analysis is cached per text (the same issue is ranked again and again), within bounds:
hundreds of small strings per text add up.
Thread-safe: jptext keeps one tokenizer per thread; ``lru_cache`` can be shared.

TF-IDF: words are hashed into columns ``0 .. 2**19`` and n-grams into
``2**19 .. 2**20`` by two stateless ``HashingVectorizer``\\ s, so adding a doc
needs no refit and word columns can be weighted ``WORD_WEIGHT``× (a collision
can only ever mix two words or two n-grams). Sublinear tf, smooth idf
(``ln((1 + n) / (1 + df)) + 1``, scikit-learn's), rows l2-normalised, float32.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize as l2_normalize

# The platform's own tokenizer pipeline, with term counts: search_terms() would
# deduplicate them, and TF-IDF wants the counts.
from services.common.jptext import (
    _content_morphemes,
    _finer_parts,
    _term,
    normalize,
    to_hiragana,
)

try:  # scipy's compiled CSC mat-vec, to read only the query's columns without copying them
    from scipy.sparse._sparsetools import csc_matvec
except ImportError:  # pragma: no cover - a future scipy; the slicing fallback is correct too
    csc_matvec = None
try:  # the guts of FeatureHasher.transform, without its per-call validation (a third of
    # the cost of adding one doc); the same hashes, checked by the tests
    from sklearn.feature_extraction._hashing_fast import transform as _hash_pairs
except ImportError:  # pragma: no cover - a future scikit-learn: the public path below
    _hash_pairs = None

__all__ = [
    "CHAR_PREFIX",
    "N_FEATURES",
    "WORD_PREFIX",
    "WORD_WEIGHT",
    "Postings",
    "TextStore",
    "analyze",
    "words",
]

WORD_PREFIX = "w:"
CHAR_PREFIX = "c:"
N_WORD_FEATURES = 2**19
N_FEATURES = 2**20
WORD_WEIGHT = 3.0
"""Word columns weigh this much more than n-gram columns (before l2 normalisation).
nDCG@10 on the labelled set (``kyodo eval matching``): 0.875 / 0.880 / 0.892 for
×1 / ×2 / ×3 with text relative to the best match, 0.896 / 0.896 with text / 0.5."""
_NGRAM_SIZES = (2, 3)
# Cached per text: the features themselves only briefly (hundreds of small strings per
# text), what is derived from them (hashed columns, a query's words) longer.
_FEATURE_CACHE, _TEXT_CACHE = 512, 4096

# Runs of letters and digits (any script) after NFKC: n-grams never cross
# whitespace, punctuation or symbols.
_RUN = re.compile(r"[^\W_]+")


# --- features ---------------------------------------------------------------------


def analyze(text: str) -> list[str]:
    """The features of ``text``: ``w:`` words (with repeats) then ``c:`` n-grams."""
    return [*_word_features(text), *_char_features(text)]


def words(text: str) -> list[str]:
    """The content words of ``text`` (normalised forms, deduplicated, in order of appearance)."""
    return list(_words(text))


@lru_cache(maxsize=_FEATURE_CACHE)
def _word_features(text: str) -> tuple[str, ...]:
    return tuple(WORD_PREFIX + term for term in _word_tokens(text))


@lru_cache(maxsize=_FEATURE_CACHE)
def _char_features(text: str) -> tuple[str, ...]:
    grams: list[str] = []
    for run in _RUN.findall(to_hiragana(normalize(text))):
        for size in _NGRAM_SIZES:
            grams.extend(CHAR_PREFIX + run[i : i + size] for i in range(len(run) - size + 1))
    return tuple(grams)


@lru_cache(maxsize=_TEXT_CACHE)
def _words(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(feature[len(WORD_PREFIX) :] for feature in _word_features(text)))


def _word_tokens(text: str) -> list[str]:
    """Every content word with repeats, each followed by its mode-A parts (two characters up)."""
    tokens: list[str] = []
    for morpheme in _content_morphemes(text):
        term = _term(morpheme)
        if term:
            tokens.append(term)
            if len(term) > 2:  # shorter words have no part of two characters besides another
                tokens.extend(p for p in map(_term, _finer_parts(morpheme)) if len(p) > 1)
    return tokens


_HASHED = {"alternate_sign": False, "norm": None, "dtype": np.float32}
_word_hasher = HashingVectorizer(analyzer=_word_features, n_features=N_WORD_FEATURES, **_HASHED)
_char_hasher = HashingVectorizer(
    analyzer=_char_features, n_features=N_FEATURES - N_WORD_FEATURES, **_HASHED
)
# HashingVectorizer hashes its analyzer's output with a FeatureHasher: the same
# columns for single features (a query's words, for matched terms).
_feature_hasher = FeatureHasher(
    n_features=N_WORD_FEATURES, input_type="string", alternate_sign=False, dtype=np.float32
)


def term_counts(texts: Sequence[str]) -> sp.csr_matrix:
    """Raw feature counts, words then n-grams (``len(texts)`` × ``N_FEATURES``), sorted."""
    return sp.hstack([_word_hasher.transform(texts), _char_hasher.transform(texts)], "csr")


@lru_cache(maxsize=_TEXT_CACHE)
def sublinear_tf(text: str) -> tuple[np.ndarray, np.ndarray]:
    """One text's columns (ascending) and ``1 + ln(count)``, read-only (cached)."""
    if _hash_pairs is None:
        counts = term_counts([text])
        cols, values = counts.indices.astype(np.int32), counts.data
    else:
        cols, values = _one_text_counts(text)
    tf = np.log(values).astype(np.float32) + np.float32(1.0)
    cols.flags.writeable = tf.flags.writeable = False
    return cols, tf


def _one_text_counts(text: str) -> tuple[np.ndarray, np.ndarray]:
    """``term_counts([text])`` as (columns, counts), hashed like HashingVectorizer does."""
    hashed = [
        _hash_pairs([Counter(features).items()], n, np.float32, False, 0)
        for features, n in (
            (_word_features(text), N_WORD_FEATURES),
            (_char_features(text), N_FEATURES - N_WORD_FEATURES),
        )
    ]
    indices = np.concatenate([hashed[0][0], hashed[1][0] + N_WORD_FEATURES])
    values = np.concatenate([hashed[0][2], hashed[1][2]])
    cols, where = np.unique(indices, return_inverse=True)  # two features, one column
    return cols.astype(np.int32), np.bincount(where, weights=values, minlength=len(cols))


@dataclass(frozen=True, slots=True)
class QueryWords:
    """A query's words for matched terms: each word's column, and the words containing it."""

    terms: tuple[str, ...]
    cols: np.ndarray
    inside: tuple[frozenset[int], ...]
    """For each word, the other words it is part of (鹿児島 in 鹿児島市): shown only alone."""


@lru_cache(maxsize=_TEXT_CACHE)
def query_words(text: str) -> QueryWords:
    terms = _words(text)
    cols = np.zeros(0, np.int32)
    if terms:
        hashed = _feature_hasher.transform([[WORD_PREFIX + t] for t in terms])
        cols = hashed.indices.astype(np.int32)
    inside = tuple(
        frozenset(j for j, other in enumerate(terms) if j != i and term in other)
        for i, term in enumerate(terms)
    )
    return QueryWords(terms, cols, inside)


def tfidf(texts: Sequence[str], weights: np.ndarray) -> sp.csr_matrix:
    """l2-normalised rows of sublinear tf × ``weights`` (idf × word weight), float32."""
    rows = term_counts(texts)
    np.log(rows.data, out=rows.data)
    rows.data += np.float32(1.0)
    rows.data *= weights[rows.indices]
    return l2_normalize(rows, copy=False)


def tfidf_vector(text: str, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One text's columns (ascending) and l2-normalised tf-idf values."""
    cols, tf = sublinear_tf(text)
    vals = tf * weights[cols]
    norm = np.sqrt(np.dot(vals, vals))
    if norm > 0:
        vals /= norm
    return cols, vals


def fitted_weights(df: np.ndarray, n: int, word_weight: float) -> np.ndarray:
    """Smooth idf from document frequencies, word columns × ``word_weight``."""
    weights = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    weights[:N_WORD_FEATURES] *= np.float32(word_weight)
    return weights


# --- postings ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Recent rows ``start .. start + n`` as plain arrays: by row (CSR: for merging and
    their words) and by column over only the columns they use (a small inverted index,
    without an ``N_FEATURES``-long pointer array)."""

    start: int
    indptr: np.ndarray  # rows: int64
    indices: np.ndarray  # int32 columns, ascending within a row
    data: np.ndarray  # float32
    cols: np.ndarray  # the columns used, ascending (empty: not indexed)
    col_ptr: np.ndarray  # each column's range in
    col_rows: np.ndarray  # local rows (int32, ascending within a column)
    col_data: np.ndarray

    @classmethod
    def of(
        cls,
        start: int,
        indptr: np.ndarray,
        indices: np.ndarray,
        data: np.ndarray,
        *,
        indexed: bool = True,
    ) -> _Chunk:
        indices, data = indices.astype(np.int32, copy=False), data.astype(np.float32, copy=False)
        if not indexed:  # about to be merged into main: no postings needed
            empty = np.zeros(0, np.int32)
            return cls(start, indptr, indices, data, empty, np.zeros(1, np.int32), empty, data[:0])
        if len(indptr) == 2:  # one row: its columns are already ascending and distinct
            local = np.zeros(len(indices), np.int32)
            col_ptr = np.arange(len(indices) + 1, dtype=np.int32)
            return cls(start, indptr, indices, data, indices, col_ptr, local, data)
        order = np.argsort(indices, kind="stable")  # rows stay ascending within a column
        by_col = indices[order]
        first = np.flatnonzero(np.diff(by_col, prepend=-1))
        rows = np.repeat(np.arange(len(indptr) - 1, dtype=np.int32), np.diff(indptr))
        col_ptr = np.append(first, len(order)).astype(np.int32)
        return cls(start, indptr, indices, data, by_col[first], col_ptr, rows[order], data[order])

    @classmethod
    def merged(cls, older: _Chunk, newer: _Chunk) -> _Chunk:
        indptr = np.concatenate([older.indptr, newer.indptr[1:] + older.indptr[-1]])
        indices = np.concatenate([older.indices, newer.indices])
        return cls.of(older.start, indptr, indices, np.concatenate([older.data, newer.data]))

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    def rows(self) -> sp.csr_matrix:
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=(self.n, N_FEATURES))

    def scores(self, cols: np.ndarray, vals: np.ndarray, out: np.ndarray) -> None:
        if not len(self.cols):
            return
        pos = np.minimum(np.searchsorted(self.cols, cols), len(self.cols) - 1)
        found = self.cols[pos] == cols
        postings = (self.col_ptr, self.col_rows, self.col_data)
        column_product(postings, pos[found], vals[found], out[self.start :][: self.n])

    def words_of(self, row: int) -> np.ndarray:
        local = row - self.start
        cols = self.indices[self.indptr[local] : self.indptr[local + 1]]
        return cols[cols < N_WORD_FEATURES]


@dataclass(frozen=True, slots=True)
class Postings:
    """The text side of a snapshot: main rows ``0 .. main.shape[0]``, then the chunks."""

    main: sp.csc_matrix
    main_words: tuple[np.ndarray, np.ndarray]
    """Word columns of each main row (indptr, indices): matched terms without a CSR copy."""
    chunks: tuple[_Chunk, ...]
    weights: np.ndarray
    vectors: dict
    """Per query text, for these weights: its vector and its words' plan (cached)."""

    def query_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The query's columns (ascending) and l2-normalised tf-idf values (cached until
        the weights change: the dict belongs to these weights)."""
        found = self.vectors.get(text)
        if found is None:
            found = tfidf_vector(text, self.weights)
            found[1].flags.writeable = False  # shared by every ranking of this text
            if len(self.vectors) >= 1024:
                self.vectors.clear()
            self.vectors[text] = found
        return found

    def scores(
        self, cols: np.ndarray, vals: np.ndarray, count: int, out: np.ndarray | None = None
    ) -> np.ndarray:
        """Cosine of every row with the query, from the query's columns only (float32),
        into ``out`` (``count`` long) if given."""
        if out is None:
            out = np.zeros(count, dtype=np.float32)
        else:
            out.fill(0.0)
        main = (self.main.indptr, self.main.indices, self.main.data)
        column_product(main, cols, vals, out[: self.main.shape[0]])
        for chunk in self.chunks:
            chunk.scores(cols, vals, out)
        return out

    def matched_terms(self, text: str, rows: Sequence[int], limit: int) -> list[list[str]]:
        """For each row, the query's words it contains, highest idf first, at most ``limit``;
        a word inside another matched one (鹿児島 beside 鹿児島市) is left out."""
        plan = self._words_plan(text)
        if plan is None or not len(rows):
            return [[] for _ in rows]
        sorted_cols, order, rank, query = plan
        owner, cols = self._word_columns(rows)
        # Every row's word columns at once, matched against the query's (sorted) columns.
        at = np.minimum(np.searchsorted(sorted_cols, cols), len(sorted_cols) - 1)
        hit = sorted_cols[at] == cols
        hits: list[set[int]] = [set() for _ in rows]
        for row, term in zip(owner[hit].tolist(), order[at[hit]].tolist(), strict=True):
            hits[row].add(term)
        inside, terms = query.inside, query.terms
        return [
            [terms[i] for i in sorted(mine, key=rank.__getitem__) if not inside[i] & mine][:limit]
            for mine in hits
        ]

    def _words_plan(self, text: str) -> tuple[np.ndarray, np.ndarray, list[int], QueryWords] | None:
        """The query's word columns sorted, their order, and each word's rank by idf (cached
        with the query vectors: it depends on the weights)."""
        key = ("words", text)
        found = self.vectors.get(key)
        if found is None:
            query = query_words(text)
            if not query.terms:
                return None
            order = np.argsort(query.cols, kind="stable")
            rank = np.argsort(np.argsort(-self.weights[query.cols], kind="stable")).tolist()
            found = (query.cols[order], order, rank, query)
            self.vectors[key] = found
        return found

    def _word_columns(self, rows: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """The word columns of ``rows``, concatenated, and the position of each one's row."""
        rows = np.asarray(rows)
        n_main = self.main.shape[0]
        if len(rows) and rows.max() < n_main:  # main rows only: one gather
            indptr, indices = self.main_words
            starts, ends = indptr[rows], indptr[rows + 1]
            lengths = ends - starts
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
            cols = indices[offsets + np.arange(int(lengths.sum()))]
            return np.repeat(np.arange(len(rows)), lengths), cols
        found = [self._words_of(int(row)) for row in rows]
        return np.repeat(np.arange(len(rows)), [len(f) for f in found]), np.concatenate(found)

    def _words_of(self, row: int) -> np.ndarray:
        if row < self.main.shape[0]:
            indptr, indices = self.main_words
            return indices[indptr[row] : indptr[row + 1]]
        chunk = next(c for c in self.chunks if c.start <= row < c.start + c.n)
        return chunk.words_of(row)

    def stacked(self) -> sp.csr_matrix:
        """Every row, main then chunks, as one CSR matrix."""
        return sp.vstack([self.main.tocsr(), *(chunk.rows() for chunk in self.chunks)], "csr")

    def nbytes(self) -> int:
        held = _matrix_bytes(self.main) + self.weights.nbytes
        held += sum(array.nbytes for array in self.main_words)
        for chunk in self.chunks:
            held += sum(getattr(chunk, name).nbytes for name in _Chunk.__slots__[1:])
        return held


def column_product(
    postings: tuple[np.ndarray, np.ndarray, np.ndarray],
    cols: np.ndarray,
    vals: np.ndarray,
    out: np.ndarray,
) -> None:
    """``out += X[:, cols] @ vals`` for CSC ``X = (indptr, indices, data)`` (``len(out)``
    rows) and ascending ``cols``, reading only those columns' postings, in place.

    scipy's compiled CSC mat-vec walks column ``j`` over ``indptr[j] .. indptr[j + 1]``
    and skips empty ranges. Handing it the query's columns in descending order as
    ``(start, end)`` pairs, every "column" between two pairs runs backwards (from a
    column's end down to a lower column's start) and is skipped: one pass over exactly
    the query's postings, without the copy ``X[:, cols]`` makes.
    """
    indptr, indices, data = postings
    if not len(cols) or not len(out):
        return
    usable = (
        csc_matvec is not None
        and indptr.dtype == indices.dtype
        and data.dtype == vals.dtype == out.dtype == np.float32
        and out.flags.c_contiguous
    )
    if not usable:
        matrix = sp.csc_matrix((data, indices, indptr), shape=(len(out), len(indptr) - 1))
        out += matrix[:, cols] @ vals
        return
    descending = cols[::-1]
    bounds = np.empty(2 * len(cols), dtype=indptr.dtype)
    bounds[0::2] = indptr[descending]
    bounds[1::2] = indptr[descending + 1]
    factors = np.zeros(2 * len(cols) - 1, dtype=np.float32)
    factors[0::2] = vals[::-1]
    csc_matvec(len(out), len(factors), bounds, indices, data, factors, out)


# --- the writer's side ------------------------------------------------------------


class TextStore:
    """The mutable text index of the single writer; ``postings()`` snapshots it."""

    def __init__(self, word_weight: float = WORD_WEIGHT) -> None:
        self.word_weight = word_weight
        self.weights = fitted_weights(np.zeros(N_FEATURES), 0, word_weight)
        self.vectors: dict = {}  # query vectors and word plans, for these weights
        self.main = _canonical(sp.csc_matrix((0, N_FEATURES), dtype=np.float32))
        self.main_words = (np.zeros(1, np.int64), np.zeros(0, np.int32))
        self.chunks: tuple[_Chunk, ...] = ()

    @property
    def delta_rows(self) -> int:
        return sum(chunk.n for chunk in self.chunks)

    def vectorize(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows of ``texts`` with the current weights, as CSR arrays (nothing changes)."""
        if len(texts) == 1:
            cols, vals = tfidf_vector(texts[0], self.weights)
            return np.array([0, len(cols)]), cols, vals
        rows = tfidf(texts, self.weights)
        return rows.indptr.astype(np.int64), rows.indices, rows.data

    def append(
        self, start: int, rows: tuple[np.ndarray, np.ndarray, np.ndarray], *, indexed: bool
    ) -> None:
        """``rows`` (from ``vectorize``) at ``start ..``, as a chunk. Like a binary counter,
        a chunk no larger than the one before is merged into it: O(log n) chunks, each row
        copied O(log n) times. ``indexed=False``: a merge into main follows, skip postings."""
        chunks = [*self.chunks, _Chunk.of(start, *rows, indexed=indexed)]
        while indexed and len(chunks) > 1 and chunks[-2].n <= chunks[-1].n:
            newer, older = chunks.pop(), chunks.pop()
            chunks.append(_Chunk.merged(older, newer))
        self.chunks = tuple(chunks)

    def merge(self, live: np.ndarray, *, refit: bool) -> None:
        """Rebuild main from the ``live`` rows (in order), refitting idf first if asked."""
        rows = self.postings().stacked()[live]
        if refit:
            self._refit(rows)
        self.main = _canonical(rows.tocsc())
        self.main_words = _word_part(rows)
        self.chunks = ()

    def _refit(self, rows: sp.csr_matrix) -> None:
        df = np.bincount(rows.indices, minlength=N_FEATURES)
        weights = fitted_weights(df, rows.shape[0], self.word_weight)
        if rows.nnz:  # (scikit-learn refuses to normalise zero rows)
            rows.data *= (weights / self.weights)[rows.indices]
            l2_normalize(rows, copy=False)
        self.weights, self.vectors = weights, {}

    def postings(self) -> Postings:
        return Postings(self.main, self.main_words, self.chunks, self.weights, self.vectors)


def _word_part(rows: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, indices) of the word columns of each row (they lead each sorted row)."""
    rows.sort_indices()
    is_word = rows.indices < N_WORD_FEATURES
    row_of = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    per_row = np.bincount(row_of[is_word], minlength=rows.shape[0])
    indptr = np.zeros(rows.shape[0] + 1, dtype=np.int64)
    np.cumsum(per_row, out=indptr[1:])
    return indptr, rows.indices[is_word].astype(np.int32)


def _canonical(matrix: sp.csc_matrix) -> sp.csc_matrix:
    """Sorted int32 indices: what the compiled mat-vec and ``searchsorted`` expect."""
    if matrix.nnz < 2**31 - 1:
        matrix.indptr = matrix.indptr.astype(np.int32, copy=False)
        matrix.indices = matrix.indices.astype(np.int32, copy=False)
    if not matrix.has_sorted_indices:
        matrix.sort_indices()
    return matrix


def _matrix_bytes(matrix: sp.spmatrix) -> int:
    return int(matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes)
