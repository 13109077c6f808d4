"""Outcomes as feedback: accepted and declined matches teach the factor weights.

A match remembers the factor values its candidate had when it was proposed.
A match that ever reached an agreement (it has an ``agreed_at``) is a positive
outcome, even if it was withdrawn or declined later: the ranking found a partner
both sides wanted. A match declined before any agreement is a negative one. A
match withdrawn before any agreement says nothing about the candidate (the
proposer changed plans) and is left out, as are matches still under way.
Fitted weights are stored, and applied only when they ranked held-out feedback
better than the weights in use.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from services.common.db import write_session
from services.common.timefmt import utcnow
from services.matching.learning import FeedbackRow, FitResult, fit_weights
from services.matching.models import FittedWeights, Match
from services.matching.suggest import current_weights

__all__ = ["feedback_rows", "fit_and_store"]


def feedback_rows(session: Session) -> list[FeedbackRow]:
    """Every decided match that carries the factor values it was proposed with:
    ever agreed (label 1), or declined without agreeing (label 0)."""
    agreed = col(Match.agreed_at).is_not(None)
    declined = sa.and_(Match.status == "declined", col(Match.agreed_at).is_(None))
    query = select(Match).where(sa.or_(agreed, declined), col(Match.factor_values).is_not(None))
    return [
        FeedbackRow(
            issue_id=match.issue_id,
            values={k: float(v) for k, v in (match.factor_values or {}).items()},
            label=1 if match.agreed_at is not None else 0,
        )
        for match in session.exec(query.order_by(col(Match.id)))
    ]


def fit_and_store(engine: Engine, configured: dict[str, float]) -> FitResult:
    """Fit weights to the feedback; store the result, applied only when it is better."""
    with Session(engine) as session:
        rows = feedback_rows(session)
        current = current_weights(session, configured)
    result = fit_weights(rows, current)
    if result.train_size == 0:
        return result  # not enough feedback: nothing to record
    with write_session(engine) as session:
        session.add(
            FittedWeights(
                weights=result.weights,
                before=result.before,
                after=result.after,
                train_size=result.train_size,
                holdout_size=result.holdout_size,
                applied=result.improved,
                fitted_at=utcnow(),
            )
        )
        session.commit()
    return result
