"""A month of the events calendar from 10 000 events (30 % recurring), as ratios.

One run builds an events database (SQLite, in a temp dir) of valid rows, then
measures, each several times, for the month 2027-01 (Japan time):

  (a) baseline: the SQL candidate query of that window (``repository.candidate_events``,
      paged in batches of 200 as the calendar does) + each row serialised to a dict,
      with no recurrence expansion;
  (b) ``GET /v1/events/occurrences`` for the month, paging through every occurrence
      (cold: no cached timeline; and warm)
      (limit 200) — the events app in process, through ``httpx.ASGITransport``;
  (c) ``GET /v1/events.ics`` for the month (one response, RRULEs kept) — same transport;

and, for context, (b0) the expansion alone: ``calendar.matching_events`` over the
window with no HTTP and no JSON, and (b1) the first page of (b) alone (every page
re-expands the whole window, so (b) grows with the number of pages).

Rows are inserted directly for speed, but each is an ``EventCreate`` the service
would accept, with its RRULE in the service's normal form
(``recurrence.validate_rrule``) and ``series_ends_at`` from
``recurrence.series_end``, exactly as ``service.create_event`` stores them.

    .venv/bin/python bench/events_calendar.py [--events 10000] [--repeat 7] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message=".*httpx2.*")

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402

from migrations.runner import upgrade  # noqa: E402
from services.common.ids import new_id  # noqa: E402
from services.common.jptext import index_text  # noqa: E402
from services.common.settings import KyodoSettings  # noqa: E402
from services.events import calendar, repository  # noqa: E402
from services.events.config import EventsSettings  # noqa: E402
from services.events.filters import EventFilters  # noqa: E402
from services.events.main import create_app  # noqa: E402
from services.events.models import Event, OrganizationRef  # noqa: E402
from services.events.recurrence import series_end, validate_rrule  # noqa: E402
from services.events.router import FEED_CAP  # noqa: E402
from services.events.schemas import EVENT_KINDS, EventCreate  # noqa: E402

JST = timezone(timedelta(hours=9))
MONTH = (datetime(2027, 1, 1, tzinfo=JST), datetime(2027, 2, 1, tzinfo=JST))
ORGANIZATIONS = 300
RECURRING_SHARE = 0.30
PAGE = 200
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_TITLES = ("こども食堂", "子育てサロン", "清掃活動", "日本語教室", "体操教室", "防災講座",
           "円卓会議", "協働会議", "読み聞かせ", "フードドライブ", "認知症カフェ")  # fmt: skip
_PLACES = ("市民活動センター", "公民館", "コミュニティセンター", "ふれあい会館", "図書館")


# --- the database ---------------------------------------------------------------------


def _rule(start: datetime, rng: random.Random) -> str:
    """A weekly or monthly rule that starts on ``start``: COUNT, UNTIL or unbounded."""
    if rng.random() < 0.6:
        interval = rng.choice((1, 1, 1, 2))
        rule = f"FREQ=WEEKLY;BYDAY={_WEEKDAYS[start.weekday()]}"
        if interval > 1:
            rule += f";INTERVAL={interval}"
    else:
        nth = min((start.day - 1) // 7 + 1, 4)
        rule = f"FREQ=MONTHLY;BYDAY={nth}{_WEEKDAYS[start.weekday()]}"
        if start.day > 28:
            rule = f"FREQ=MONTHLY;BYMONTHDAY={min(start.day, 28)}"
    bound = rng.random()
    if bound < 0.40:
        return f"{rule};COUNT={rng.randint(3, 52)}"
    if bound < 0.75:
        until = start + timedelta(days=rng.randint(30, 540))
        return f"{rule};UNTIL={until:%Y%m%d}"
    return rule  # unbounded: in every window from its start on


def _body(i: int, rng: random.Random, organizers: list[str]) -> dict[str, Any]:
    recurring = rng.random() < RECURRING_SHARE
    if recurring:  # series begun within the year before the month, or in it
        day = datetime(2026, 1, 1, tzinfo=JST) + timedelta(days=rng.randint(0, 395))
    else:  # one-offs over 19 months around it
        day = datetime(2026, 6, 1, tzinfo=JST) + timedelta(days=rng.randint(0, 578))
    start = day.replace(hour=rng.choice((9, 10, 13, 14, 18, 19)), minute=rng.choice((0, 30)))
    if recurring and "BYMONTHDAY" in (rule := _rule(start, rng)) and start.day > 28:
        start = start.replace(day=28)
    end = start + timedelta(minutes=rng.choice((60, 90, 120, 180)))
    place = rng.choice(_PLACES)
    body: dict[str, Any] = {
        "title": f"{rng.choice(_TITLES)} 第{i}回",
        "description": f"ベンチマーク用のイベント {i}。どなたでも参加できます。",
        "kind": rng.choice(EVENT_KINDS),
        "organizer_ids": rng.sample(organizers, rng.choice((1, 1, 1, 2))),
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "municipality_code": "102997",
        "fields": ["community_development"],
        "fee_jpy": rng.choice((0, 0, 0, 500)),
        "capacity": rng.choice((None, 20, 40)),
        "status": "cancelled" if rng.random() < 0.03 else "published",
        "venue": {
            "name": f"桜ヶ丘{place}",
            "address": "群馬県桜ヶ丘市本町一丁目2番3号",
            "municipality_code": "102997",
        },
    }
    if rng.random() < 0.15:
        body["online_url"] = f"https://meet.sakuragaoka.example.jp/{i}"
    if recurring:
        body["recurrence"] = {"rrule": rule, "cancelled_occurrences": []}
    return body


def _row(data: EventCreate, now: datetime) -> dict[str, Any]:
    """The row ``service.create_event`` would store for ``data``."""
    values = data.model_dump(mode="json")
    for name in ("starts_at", "ends_at", "registration_deadline"):
        values[name] = getattr(data, name)
    rule = (values.get("recurrence") or {}).get("rrule")
    if rule is not None:
        rule = validate_rrule(rule, data.starts_at, tz=data.timezone)
        values["recurrence"] = {**values["recurrence"], "rrule": rule}
    values["series_ends_at"] = series_end(
        starts_at=data.starts_at, ends_at=data.ends_at, rrule=rule, tz=data.timezone
    )
    venue = values.get("venue") or {}
    values["search_text"] = index_text(
        data.title, data.description, data.target_audience, venue.get("name"), venue.get("address")
    )
    return {"id": new_id(), **values, "created_at": now, "updated_at": now, "version": 1}


def build(engine: sa.Engine, count: int, seed: int = 2027) -> dict[str, int]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    organizers = [new_id() for _ in range(ORGANIZATIONS)]
    refs = [
        {"id": oid, "name": f"ベンチ団体{i}", "kind": "npo_corporation", "sector": "civil",
         "municipality_code": "102997", "version": 1, "deleted": False}
        for i, oid in enumerate(organizers)
    ]  # fmt: skip
    rows = [_row(EventCreate.model_validate(_body(i, rng, organizers)), now) for i in range(count)]
    with Session(engine) as session:
        session.execute(sa.insert(OrganizationRef), refs)
        for chunk in range(0, len(rows), 1000):
            session.execute(sa.insert(Event), rows[chunk : chunk + 1000])
        session.commit()
    recurring = [r for r in rows if r["recurrence"]]
    return {
        "events": len(rows),
        "recurring": len(recurring),
        "unbounded": sum(r["series_ends_at"] is None for r in recurring),
    }


# --- the measurements -----------------------------------------------------------------

WINDOW = {"date_from": MONTH[0].isoformat(), "date_to": MONTH[1].isoformat()}


def baseline(engine: sa.Engine) -> int:
    """(a) the same SQL candidates, no expansion, each row to a dict."""
    filters = EventFilters(date_from=MONTH[0], date_to=MONTH[1])
    rows: list[dict[str, Any]] = []
    after: str | None = None
    with Session(engine) as session:
        while True:
            batch = repository.candidate_events(session, filters, after, PAGE)
            rows.extend(event.model_dump(mode="json") for event in batch)
            if len(batch) < PAGE:
                return len(rows)
            after = batch[-1].id


def expansion_only(engine: sa.Engine) -> int:
    """(b0) the calendar's expansion of the same candidates, no HTTP, no JSON."""
    filters = EventFilters(date_from=MONTH[0], date_to=MONTH[1])
    with Session(engine) as session:
        return sum(len(hits) for _, hits in calendar.matching_events(session, filters, None, 10**9))


async def occurrences(client: httpx.AsyncClient) -> tuple[int, int]:
    """(b) every occurrence of the month through the API, page by page."""
    params: dict[str, Any] = {**WINDOW, "limit": PAGE}
    found, pages = 0, 0
    while True:
        response = await client.get("/v1/events/occurrences", params=params)
        response.raise_for_status()
        page = response.json()
        found, pages = found + len(page["items"]), pages + 1
        if not page["next_cursor"]:
            return found, pages
        params["cursor"] = page["next_cursor"]


async def first_page(client: httpx.AsyncClient) -> int:
    """(b1) only the first page of (b): what one page costs."""
    response = await client.get("/v1/events/occurrences", params={**WINDOW, "limit": PAGE})
    response.raise_for_status()
    return len(response.json()["items"])


async def ics(client: httpx.AsyncClient) -> int:
    """(c) the month's iCalendar feed."""
    response = await client.get("/v1/events.ics", params=WINDOW)
    response.raise_for_status()
    return len(response.content)


def cold(run: Callable[[], Any]) -> Any:
    """Run with the occurrence timelines of the events router forgotten."""
    for app in _APPS:
        app.state.timelines = None
    return run()


def timed(run: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    run()  # warm-up: imports, caches, SQLite pages
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - began) * 1000)
    return times, result


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered), 2), "p90_ms": round(p90, 2)}


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{model}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="1 000 events, 5 repeats")
    args = parser.parse_args()
    count, repeat = (1_000, 5) if args.quick else (args.events, args.repeat)

    work = Path(tempfile.mkdtemp(prefix="kyodo-bench-events-"))
    try:
        settings = KyodoSettings(
            data_dir=work, admin_key="bench-admin-key-0123456789", log_level="WARNING"
        )
        app = create_app(settings, EventsSettings(database_url=f"sqlite:///{work / 'events.db'}"))
        engine: sa.Engine = app.state.engine
        upgrade(engine, "events")
        began = time.perf_counter()
        shape = build(engine, count)
        shape["build_seconds"] = round(time.perf_counter() - began, 1)
        results = measure(app, engine, repeat)
        engine.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(shape, results, repeat, args.quick)


_APPS: list[Any] = []


def measure(app: Any, engine: sa.Engine, repeat: int) -> dict[str, Any]:
    _APPS.append(app)
    loop = asyncio.new_event_loop()
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://events.bench")
    try:
        a_times, candidates = timed(lambda: baseline(engine), repeat)
        b0_times, expanded = timed(lambda: expansion_only(engine), repeat)
        # Cold: no timeline cached (a new window, or the calendar just changed);
        # warm: another client paging through the same window.
        b_times, (found, pages) = timed(
            lambda: cold(lambda: loop.run_until_complete(occurrences(client))), repeat
        )
        bw_times, _ = timed(lambda: loop.run_until_complete(occurrences(client)), repeat)
        b1_times, first = timed(
            lambda: cold(lambda: loop.run_until_complete(first_page(client))), repeat
        )
        c_times, size = timed(lambda: loop.run_until_complete(ics(client)), repeat)
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()
    with Session(engine) as session:
        filters = EventFilters(date_from=MONTH[0], date_to=MONTH[1])
        matching = sum(1 for _ in calendar.matching_events(session, filters, None, 10**9))
    return {
        "a": {**summary(a_times), "rows": candidates},
        "b0": {**summary(b0_times), "occurrences": expanded},
        "b": {**summary(b_times), "occurrences": found, "pages": pages},
        "b1": {**summary(b1_times), "occurrences": first},
        "bw": {**summary(bw_times), "occurrences": found, "pages": pages},
        "c": {**summary(c_times), "bytes": size},
        "events_with_occurrences": matching,
        "feed_cap": FEED_CAP,
    }


def report(shape: dict[str, Any], results: dict[str, Any], repeat: int, quick: bool) -> None:
    host = machine()
    base = results["a"]["median_ms"]
    print(f"\nEvents calendar, month 2027-01 (JST) ({host})")
    print(f"{shape['events']:,} events, {shape['recurring']:,} recurring "
          f"({shape['unbounded']:,} unbounded); {results['a']['rows']:,} SQL candidates, "
          f"{results['events_with_occurrences']:,} with an occurrence in the month; "
          f"median and p90 of {repeat} runs after a warm-up; in-process app via "
          f"httpx.ASGITransport\n")  # fmt: skip
    print("| measurement | median ms | p90 ms | × baseline | output |")
    print("| --- | ---: | ---: | ---: | --- |")
    rows = (
        ("a", "(a) SQL candidates + rows to dicts, no expansion", f"{results['a']['rows']:,} rows"),
        ("b0", "(b0) expansion only (calendar.matching_events)",
         f"{results['b0']['occurrences']:,} occurrences"),
        ("b", "(b) GET /v1/events/occurrences, every page",
         f"{results['b']['occurrences']:,} occurrences, {results['b']['pages']} pages"),
        ("b1", "(b1) GET /v1/events/occurrences, first page only",
         f"{results['b1']['occurrences']:,} occurrences"),
        ("bw", "(b, warm) every page again, timeline cached",
         f"{results['bw']['occurrences']:,} occurrences, {results['bw']['pages']} pages"),
        ("c", "(c) GET /v1/events.ics", f"{results['c']['bytes']:,} bytes"),
    )  # fmt: skip
    for key, label, output in rows:
        r = results[key]
        ratio = r["median_ms"] / base if base else float("nan")
        print(f"| {label} | {r['median_ms']:,.1f} | {r['p90_ms']:,.1f} | {ratio:.1f}× | {output} |")
    if results["events_with_occurrences"] > results["feed_cap"]:
        print(f"\nwarning: more than FEED_CAP={results['feed_cap']} events match; the API "
              "truncates the listing and the feed")  # fmt: skip
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    name = "events_calendar-quick.json" if quick else "events_calendar.json"
    ratios = {f"{k}/a": round(results[k]["median_ms"] / base, 2) for k in ("b0", "b", "b1", "c")}
    (out / name).write_text(json.dumps(
        {"machine": host, "month": [m.isoformat() for m in MONTH], "repeat": repeat,
         "data": shape, "results": results, "ratios_of_medians": ratios},
        indent=2, ensure_ascii=False) + "\n")  # fmt: skip


if __name__ == "__main__":
    main()
