"""The shared kit on its own: cursors, outbox relay, body limits, request ids."""

from __future__ import annotations

import pytest
from conftest import AUTH, organization_body
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session

from services.common import outbox
from services.common.bus import InProcessBus
from services.common.outbox import OutboxRelay
from services.common.pagination import InvalidCursor, decode_cursor, encode_cursor

printable = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "S"), include_characters=" "), max_size=40
)
positions = st.fixed_dictionaries(
    {"id": printable, "seq": st.integers(min_value=0, max_value=2**63 - 1)}
)


@given(positions)
def test_cursor_round_trips(position):
    assert decode_cursor(encode_cursor(position), {"id": str, "seq": int}) == position


@given(st.text(max_size=600))
def test_any_string_is_a_cursor_or_a_clean_invalid_cursor(token):
    # Either a valid position comes back, or InvalidCursor (400) is raised: nothing else.
    try:
        position = decode_cursor(token, {"id": str})
    except InvalidCursor:
        return
    assert isinstance(position["id"], str)


@given(
    st.one_of(
        st.fixed_dictionaries({"id": printable, "seq": st.integers(max_value=-1)}),
        st.fixed_dictionaries({"id": printable, "seq": st.integers(min_value=2**63)}),
        st.fixed_dictionaries(
            {"id": st.text(min_size=1).filter(lambda t: not t.isprintable()), "seq": st.just(1)}
        ),
    )
)
def test_cursor_with_an_impossible_position_is_refused(position):
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor(position), {"id": str, "seq": int})


@given(positions)
def test_cursor_of_another_shape_is_refused(position):
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor(position), {"id": str})


def test_relay_publishes_in_order_and_survives_a_bus_outage(api, registry_engine):
    for name in ("一", "二", "三"):
        api.post("/v1/organizations", json=organization_body(name=name), headers=AUTH)
    received: list[str] = []
    bus = InProcessBus()
    down = True

    def consumer(event):
        if down:
            raise ConnectionError("bus down")
        received.append(event.data["name"])

    bus.subscribe(consumer)
    relay = OutboxRelay(registry_engine, bus, batch_size=2)
    with pytest.raises(ConnectionError):
        relay.relay_once()
    assert relay.pending() == 3
    down = False
    while relay.relay_once():
        pass
    assert received == ["一", "二", "三"]
    assert relay.pending() == 0


def test_nothing_is_recorded_for_a_rolled_back_transaction(api, registry_engine):
    with Session(registry_engine) as session:
        outbox.record(
            session, entity="organization", action="created", entity_id="x", version=1, payload={}
        )
        session.rollback()
    relay = OutboxRelay(registry_engine, InProcessBus())
    assert relay.pending() == 0


def test_declared_oversized_body_is_413_before_reading(api):
    body = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    response = api.post(
        "/v1/organizations", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_streamed_oversized_body_is_413(api):
    def chunks():
        for _ in range(40):
            yield b" " * 65536

    response = api.post(
        "/v1/organizations",
        content=chunks(),
        headers={**AUTH, "Content-Type": "application/json", "Idempotency-Key": "big-1"},
    )
    assert response.status_code == 413


def test_request_id_is_passed_through_or_made(api):
    given_id = api.get("/v1/organizations", headers={"X-Request-ID": "abc-123"})
    assert given_id.headers["x-request-id"] == "abc-123"
    made = api.get("/v1/organizations", headers={"X-Request-ID": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces"
    problem = api.get("/v1/organizations/nope-not-an-id", headers={"X-Request-ID": "trace-9"})
    assert problem.json()["request_id"] == "trace-9"


def test_health_and_readiness(api):
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["services"]["registry"]["checks"] == {"database": "ok", "migrations": "ok"}


def test_a_short_admin_key_is_refused_at_start(tmp_path):
    import pydantic

    from services.common.settings import KyodoSettings

    with pytest.raises(pydantic.ValidationError):
        KyodoSettings(data_dir=tmp_path, admin_key="guessable")
    generated = KyodoSettings(data_dir=tmp_path).admin_key_value()
    assert len(generated) >= 20
