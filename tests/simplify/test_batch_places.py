"""The batch's places at the server, attacked: a place is held only while a request is at the backend (the guard's
check and the call-log row happen outside it); a failed request's place is kept by its section until the call ends,
so a cut stream's retry is sent in it and a failure closes the batch before the place is given up. (Over the wire:
tests/simplify/test_batch_saving.py and test_batch_wire.py.)"""

from __future__ import annotations

import threading

import pytest

from drafter.backends.base import StreamInterrupted
from drafter.errors import BackendError
from drafter.service.simplification import _Slots, _Stopped

RULES = "\n\n".join(f"§ {i}.1 Rule {i}.\nThe applicant must pay £{i * 10} within {i + 1} days." for i in range(1, 11))


def _free(slots: _Slots) -> int:
    """How many places are free now (taken and given back at once)."""
    taken = 0
    while slots._places.acquire(blocking=False):
        taken += 1
    for _ in range(taken):
        slots._places.release()
    return taken


def test_a_place_is_held_only_while_sending() -> None:
    slots = _Slots(2)
    with slots.call():
        assert _free(slots) == 2  # the guard's work before sending holds nothing
        with slots.sending():
            assert _free(slots) == 1
        assert _free(slots) == 2  # nor does the call log after it
    assert _free(slots) == 2 and not slots._closed.is_set()


def test_a_failed_request_keeps_its_place_for_the_retry_and_gives_it_up_after() -> None:
    slots = _Slots(1)
    with slots.call():
        with pytest.raises(StreamInterrupted), slots.sending():
            raise StreamInterrupted("cut", partial="")
        assert _free(slots) == 0  # kept: nobody else takes it between the cut and the retry
        with slots.sending():  # the retry: no wait for a place (there is only one, and it is this one)
            assert _free(slots) == 0
        assert _free(slots) == 0  # still kept until the call ends
    assert _free(slots) == 1 and not slots._closed.is_set()  # a retry that succeeded stops nothing


def test_a_failure_closes_the_batch_before_its_place_is_given_up() -> None:
    slots = _Slots(1)
    waiting, outcome = threading.Event(), []

    def other() -> None:
        waiting.set()
        try:
            with slots.call(), slots.sending():
                outcome.append("sent")
        except _Stopped:
            outcome.append("stopped")

    with pytest.raises(BackendError), slots.call(), slots.sending():
        thread = threading.Thread(target=other)
        thread.start()
        waiting.wait(5)
        raise BackendError("The server fell over.")
    thread.join(10)
    assert outcome == ["stopped"] and _free(slots) == 1


def test_nothing_is_prepared_once_the_batch_has_stopped() -> None:
    slots = _Slots(2)
    slots.close()
    with pytest.raises(_Stopped), slots.call():
        pytest.fail("a stopped batch prepared a request")  # pragma: no cover
