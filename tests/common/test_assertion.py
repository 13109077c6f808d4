"""The gateway's signed word on the caller: believed only when whole, fresh and meant
for the service that reads it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.common.assertion import ASSERTION_TTL_SECONDS, sign_assertion, verify_assertion
from services.common.auth import Client

CLIENT = Client("client-1", frozenset({"events:write"}), frozenset({"org-a", "org-b"}))
SECRET = "internal-secret-for-tests"


def test_a_fresh_assertion_for_this_service_is_believed():
    token = sign_assertion(CLIENT, SECRET, audience="events", now=1000)
    assert verify_assertion(token, SECRET, audience="events", now=1001) == CLIENT


def test_an_assertion_is_worth_nothing_to_another_service_or_after_it_expires():
    token = sign_assertion(CLIENT, SECRET, audience="events", now=1000)
    assert verify_assertion(token, SECRET, audience="registry", now=1001) is None
    late = 1000 + ASSERTION_TTL_SECONDS + 1
    assert verify_assertion(token, SECRET, audience="events", now=late) is None
    assert verify_assertion(token, "another-secret", audience="events", now=1001) is None


def test_a_changed_claim_breaks_the_signature():
    import base64
    import json

    token = sign_assertion(CLIENT, SECRET, audience="events", now=1000)
    payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scp"] = ["admin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert verify_assertion(f"{forged}.{signature}", SECRET, audience="events", now=1001) is None


@given(st.text(max_size=300))
def test_garbage_is_never_believed(token):
    assert verify_assertion(token, SECRET, audience="events") is None
