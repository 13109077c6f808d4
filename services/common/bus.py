"""The in-process bus of the embedded platform.

Handlers are called synchronously, in publication order. The Redis Streams bus
of the distributed mode implements the same :class:`~services.common.outbox.Bus`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from services.common.outbox import EventEnvelope

__all__ = ["InProcessBus"]

Handler = Callable[[EventEnvelope], None]


class InProcessBus:
    """Delivers each published event to every subscribed handler."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def subscribe(self, handler: Handler) -> None:
        """Call ``handler`` for every event published from now on."""
        self._handlers.append(handler)

    def publish(self, events: Sequence[EventEnvelope]) -> None:
        """Hand the events to the handlers; a handler's error fails the publish."""
        for event in events:
            for handler in self._handlers:
                handler(event)
