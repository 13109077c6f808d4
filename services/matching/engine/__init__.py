"""The matching engine: pure ranking of resources for issues and issues for resources.

No database and no web: the service builds :class:`Doc`\\ s from its read model,
keeps them in a :class:`MatchIndex` and asks it :class:`Query`\\ s.

* ``types``: Doc, Query, Scored, the factors;
* ``analyzer``: Japanese-aware features (Sudachi words, character n-grams) and the
  TF-IDF postings they are scored with;
* ``index``: MatchIndex, the factors and how a ranking runs;
* ``geo``: area codes, points and the geography factor;
* ``coalitions``: small sets of partners that together cover an issue's needs.
"""

from .analyzer import analyze, words
from .coalitions import Coalition, Member, propose_coalitions
from .index import DEFAULT_WEIGHTS, MatchIndex, normalize_weights
from .types import FACTORS, Doc, Query, Scored, Weights

__all__ = [
    "DEFAULT_WEIGHTS",
    "FACTORS",
    "Coalition",
    "Doc",
    "MatchIndex",
    "Member",
    "Query",
    "Scored",
    "Weights",
    "analyze",
    "normalize_weights",
    "propose_coalitions",
    "words",
]
