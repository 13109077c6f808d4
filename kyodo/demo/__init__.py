"""The demo data set of ``kyodo demo load``: the fictional city 桜ヶ丘市 (群馬県).

``demo_organizations`` generates the organisations and resources (deterministic
for a seed); ``load_demo`` puts them into a running platform through its HTTP
API, idempotently.
"""

from kyodo.demo.city import DemoOrganization, demo_organizations
from kyodo.demo.loader import DemoLoadError, LoadReport, load_demo

__all__ = ["DemoLoadError", "DemoOrganization", "LoadReport", "demo_organizations", "load_demo"]
