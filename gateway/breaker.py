"""A circuit breaker per upstream service: fail fast while a service is down.

Closed: requests pass, consecutive failures are counted and any success resets
the count. After ``threshold`` consecutive failures the circuit opens: requests
are refused at once (503 with ``Retry-After``) for ``reset_seconds``. Then it is
half-open: exactly one trial request goes through; its success closes the
circuit, its failure opens it again for another ``reset_seconds``.

What counts as a failure is the proxy's decision (see :mod:`gateway.proxy`).
Nothing here awaits, so the state needs no lock within one event loop.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["PASS", "REFUSED", "TRIAL", "CircuitBreaker"]

# What :meth:`CircuitBreaker.allow` answers (falsy when refused).
REFUSED, PASS, TRIAL = 0, 1, 2


class CircuitBreaker:
    """The state of one service's circuit."""

    __slots__ = ("_clock", "_failures", "_opened_at", "_trial", "reset_seconds", "threshold")

    def __init__(
        self,
        threshold: int,
        reset_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None  # None: closed
        self._trial = False  # a half-open trial request is under way

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half-open`` (for probes and metrics)."""
        if self._opened_at is None:
            return "closed"
        if self._trial or self._clock() - self._opened_at >= self.reset_seconds:
            return "half-open"
        return "open"

    def allow(self) -> int:
        """Whether a request may go to the service now: ``PASS``, ``TRIAL`` (the one
        request of a half-open circuit) or ``REFUSED`` (0).

        A caller that is let through must end with :meth:`succeeded`,
        :meth:`failed` or :meth:`abandoned`.
        """
        if self._opened_at is None:
            return PASS
        if self._trial or self._clock() - self._opened_at < self.reset_seconds:
            return REFUSED
        self._trial = True
        return TRIAL

    def retry_after(self) -> int:
        """Whole seconds until the next trial may go through (at least 1)."""
        if self._opened_at is None:
            return 1
        left = self.reset_seconds - (self._clock() - self._opened_at)
        return max(1, math.ceil(left))

    def succeeded(self) -> None:
        """The service answered: close the circuit."""
        self._failures = 0
        self._opened_at = None
        self._trial = False

    def failed(self) -> None:
        """The service did not answer: count it, open the circuit at the threshold
        (or again, when it was the half-open trial)."""
        self._failures += 1
        if self._trial or self._failures >= self.threshold:
            self._opened_at = self._clock()
            self._trial = False

    def abandoned(self, ticket: int) -> None:
        """A request let through with ``ticket`` ended without a verdict on the
        service (the client left): a trial's slot goes to the next request."""
        if ticket == TRIAL:
            self._trial = False
