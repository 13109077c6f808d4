"""The demo data set of ``kyodo demo load``: the fictional city 桜ヶ丘市 (群馬県).

``demo_organizations`` generates the organisations and resources, and
``demo_season`` a season of events and volunteer opportunities they organise
(2026-12 to 2027-03), each deterministic for a seed; ``load_demo`` puts them
into a running platform through its HTTP API, idempotently.
"""

from kyodo.demo.city import DemoOrganization, demo_organizations
from kyodo.demo.loader import DemoLoadError, LoadReport, load_demo
from kyodo.demo.season import DemoSeason, demo_season

__all__ = [
    "DemoLoadError",
    "DemoOrganization",
    "DemoSeason",
    "LoadReport",
    "demo_organizations",
    "demo_season",
    "load_demo",
]
