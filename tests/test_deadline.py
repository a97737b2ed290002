"""Time limits on a request that hold however slowly bytes come: nested and restored. In process."""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from s3_presigned.core.deadline import TimeUp, time_limit


@pytest.fixture
def trickling_socket() -> Iterator[socket.socket]:
    """A socket that receives one byte every 0.1 s, forever: no read ever times out."""
    near, far = socket.socketpair()
    stop = threading.Event()

    def drip() -> None:
        while not stop.is_set():
            try:
                far.send(b"x")
            except OSError:
                return
            time.sleep(0.1)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    near.settimeout(5)
    yield near
    stop.set()
    thread.join()
    near.close()
    far.close()


def read_until_told(connection: socket.socket) -> None:
    while True:
        connection.recv(1)


def test_a_trickle_is_cut_at_the_limit(trickling_socket: socket.socket) -> None:
    started = time.monotonic()
    with pytest.raises(TimeUp) as raised, time_limit(0.5, "reading"):
        read_until_told(trickling_socket)
    assert (raised.value.what, raised.value.seconds) == ("reading", 0.5)
    assert str(raised.value) == "reading took longer than 0.5 s"
    assert 0.45 < time.monotonic() - started < 10  # cut at once, on a busy machine: not after the trickle ends


def test_the_inner_limit_fires_first_and_restores_the_outer(trickling_socket: socket.socket) -> None:
    with time_limit(30, "outer"):
        with pytest.raises(TimeUp) as raised, time_limit(0.3, "inner"):
            read_until_told(trickling_socket)
        assert raised.value.what == "inner"
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 20 < remaining <= 30


def test_an_outer_limit_that_passes_first_still_fires(trickling_socket: socket.socket) -> None:
    with pytest.raises(TimeUp) as raised, time_limit(0.3, "outer"), time_limit(30, "inner"):
        read_until_told(trickling_socket)
    assert raised.value.what == "outer"


def test_a_limit_restores_the_timer_and_handler_it_found() -> None:
    # pytest-timeout's own alarm may be running: it must come back as it was, less the time spent.
    before_handler = signal.getsignal(signal.SIGALRM)
    before_remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    with time_limit(5, "quick"):
        assert signal.getsignal(signal.SIGALRM) is not before_handler
        assert signal.getitimer(signal.ITIMER_REAL)[0] <= 5
    assert signal.getsignal(signal.SIGALRM) is before_handler
    remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    assert before_remaining - 1 < remaining <= before_remaining


def test_off_the_main_thread_the_body_runs_unbounded() -> None:
    finished: list[bool] = []

    def body() -> None:
        with time_limit(0.05, "elsewhere"):
            time.sleep(0.2)
        finished.append(True)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert finished == [True]
