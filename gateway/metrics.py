"""Prometheus metrics of the edge: requests, latency, upstream errors, rate limits.

Labels stay bounded whatever clients send: the route is the template from the
merged OpenAPI contract (``/v1/organizations/{organization_id}``), never the
raw path, and an unknown path or method is counted as ``unmatched`` or
``OTHER``. Each :class:`GatewayMetrics` has a registry of its own, so tests and
several apps in one process never collide on prometheus_client's global one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from starlette.responses import Response
from starlette.types import ASGIApp, Scope

from services.common.observed import ObservedRequestMiddleware

__all__ = [
    "LATENCY_BUCKETS",
    "UNMATCHED",
    "GatewayMetrics",
    "MetricsMiddleware",
    "RouteTemplates",
    "route_labels",
]

UNMATCHED = "unmatched"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds: from a cached read (5 ms) to the longest an upstream may take (10 s)."""
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class _Node:
    __slots__ = ("affixed", "literals", "param", "template")

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        self.affixed: list[tuple[str, str, _Node]] = []  # "{id}.ics": ("", ".ics", node)
        self.param: _Node | None = None
        self.template: str | None = None

    def child(self, segment: str) -> _Node:
        start, end = segment.find("{"), segment.rfind("}")
        if start < 0 or end < start:
            return self.literals.setdefault(segment, _Node())
        if (start == 0 and end == len(segment) - 1) or segment.count("{") > 1:
            self.param = self.param or _Node()
            return self.param
        prefix, suffix = segment[:start], segment[end + 1 :]
        for known_prefix, known_suffix, node in self.affixed:
            if (known_prefix, known_suffix) == (prefix, suffix):
                return node
        node = _Node()
        self.affixed.append((prefix, suffix, node))
        return node

    def find(self, parts: list[str], i: int) -> str | None:
        """Depth first, literal before affixed before bare parameter; backtracks."""
        if i == len(parts):
            return self.template
        part = parts[i]
        literal = self.literals.get(part)
        if literal is not None:
            found = literal.find(parts, i + 1)
            if found is not None:
                return found
        if not part:  # a parameter never matches an empty segment ("//", trailing "/")
            return None
        for prefix, suffix, node in self.affixed:
            if (
                len(part) > len(prefix) + len(suffix)
                and part.startswith(prefix)
                and part.endswith(suffix)
            ):
                found = node.find(parts, i + 1)
                if found is not None:
                    return found
        return self.param.find(parts, i + 1) if self.param is not None else None


class RouteTemplates:
    """Maps a concrete path to its OpenAPI path template, or None.

    A segment trie: a lookup costs one dict probe per segment, and a path
    longer than every template is refused before any work. Literal segments
    win over parameters (``/v1/organizations/import`` is not an organisation id).
    """

    def __init__(self, paths: Iterable[str]) -> None:
        self._root = _Node()
        self._depth = 0
        for template in paths:
            parts = template.split("/")
            self._depth = max(self._depth, len(parts))
            node = self._root
            for segment in parts:
                node = node.child(segment)
            node.template = node.template or template  # two spellings of one shape: the first

    @classmethod
    def from_contract(cls, contract: Mapping[str, Any]) -> RouteTemplates:
        """The templates of an OpenAPI document's ``paths``."""
        return cls(contract.get("paths", {}))

    def match(self, path: str) -> str | None:
        """The template ``path`` instantiates; None when it is no known route."""
        parts = path.split("/")
        if len(parts) > self._depth:
            return None
        return self._root.find(parts, 0)


def route_labels(
    templates: RouteTemplates, service_for: Callable[[str], str | None], *, own: str = "gateway"
) -> Callable[[str, str], tuple[str, str]]:
    """A ``route_of(method, path) -> (service, route)`` for :class:`MetricsMiddleware`.

    ``service_for`` is :func:`gateway.routing.service_for`; paths it does not
    route belong to ``own`` (the gateway's own app). A template's service is
    asked once and remembered (the routing table's prefixes and ``*`` segments
    treat a template like any path below it): a scan of the routing table costs
    more than the trie lookup itself.
    """
    services: dict[str, str] = {}

    def route_of(method: str, path: str) -> tuple[str, str]:
        route = templates.match(path)
        if route is None:
            return service_for(path) or own, UNMATCHED
        service = services.get(route)
        if service is None:
            service = services[route] = service_for(route) or own
        return service, route

    return route_of


class GatewayMetrics:
    """The edge's metrics on a registry of their own."""

    def __init__(self, namespace: str = "kyodo_gateway") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "requests",
            "Requests answered, by service, route template, method and status.",
            ["service", "route", "method", "status"],
            namespace=namespace,
            registry=self.registry,
        )
        self.latency = Histogram(
            "request_duration_seconds",
            "Time from the request's arrival to the end of its response.",
            ["service", "route", "method"],
            namespace=namespace,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.upstream_errors = Counter(
            "upstream_errors",
            "Failed calls to a service, by kind (connect_timeout, read_timeout, refused, ...).",
            ["service", "kind"],
            namespace=namespace,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "rate_limited_requests",
            "Requests refused with 429, by rate-limit policy.",
            ["policy"],
            namespace=namespace,
            registry=self.registry,
        )
        # The labelled children, looked up once per label set: ``labels()`` costs
        # more than the increment itself.
        self._series: dict[tuple[str, str, str, int], tuple[Any, Any]] = {}

    def observe_request(
        self, service: str, route: str, method: str, status: int, seconds: float
    ) -> None:
        """Count one answered request and its duration."""
        key = (service, route, method, status)
        series = self._series.get(key)
        if series is None:
            series = (
                self.requests.labels(service, route, method, str(status)),
                self.latency.labels(service, route, method),
            )
            self._series[key] = series
        series[0].inc()
        series[1].observe(seconds)

    def record_upstream_error(self, service: str, kind: str) -> None:
        """Count a failed upstream call (the proxy's ``on_upstream_error`` hook)."""
        self.upstream_errors.labels(service, kind).inc()

    def record_rate_limited(self, policy: str) -> None:
        """Count a 429 (the rate limiter's ``on_refusal`` hook)."""
        self.rate_limited.labels(policy).inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)

    def response(self) -> Response:
        """``/metrics``: the exposition, never cached.

        The classic text format (0.0.4), which every Prometheus version reads.
        """
        return Response(
            self.render(),
            media_type=CONTENT_TYPE_PLAIN_0_0_4,
            headers={"Cache-Control": "no-store"},
        )


class MetricsMiddleware(ObservedRequestMiddleware):
    """Counts and times every HTTP request, labelled by ``route_of(method, path)``.

    The route is resolved after the response, so it adds nothing to the time to
    first byte; a request that raised before answering counts as a 500.
    """

    def __init__(
        self,
        app: ASGIApp,
        metrics: GatewayMetrics,
        route_of: Callable[[str, str], tuple[str, str]],
    ) -> None:
        super().__init__(app)
        self.metrics = metrics
        self.route_of = route_of

    def finished(self, scope: Scope, status: int, elapsed: float) -> None:
        """Count and time the request under its route template."""
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        service, route = self.route_of(method, scope["path"])
        self.metrics.observe_request(service, route, method, status, elapsed)
