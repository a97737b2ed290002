"""A bound on the wall time of one request, however slowly a server sends its bytes.

The step's own bound is :mod:`s3_presigned.core.lifetime`'s, which holds even where no signal handler can run.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from types import FrameType


def shortened(seconds: float, variable: str, environ: Mapping[str, str]) -> float:
    """Return a bound, or less where a test asks for less so as not to wait for it.

    Only the environment sets it, which no pipeline reaches: neither source nor params become variables, and a
    resource's environment is its image's. It never lengthens a bound.

    :param seconds: The bound.
    :param variable: The environment variable a test sets.
    :param environ: The environment to read it from.
    """
    try:
        asked = float(environ.get(variable, seconds))
    except ValueError:
        return seconds
    return asked if 0 < asked < seconds else seconds


class TimeUp(BaseException):
    """A time limit passed.

    A :class:`BaseException`, like :class:`KeyboardInterrupt`, so that no ``except Exception`` in a library
    that was running at the time can swallow it.
    """

    def __init__(self, seconds: float, what: str) -> None:
        """Say which limit passed.

        :param seconds: The limit.
        :param what: What it bounded, such as ``the step``.
        """
        super().__init__(f"{what} took longer than {seconds:g} s")
        self.seconds = seconds
        self.what = what


@contextlib.contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Raise :class:`TimeUp` wherever the body is, once it has run for ``seconds``.

    A timer signal interrupts even a read that receives one byte a second, which a socket timeout never
    does. Limits nest: an inner one restores the outer one when it ends, and an outer one that passes first
    still fires. Signals reach only the main thread, so elsewhere the body runs without a limit.

    :param seconds: The limit, more than zero.
    :param what: What is bounded, for the message.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    started = time.monotonic()
    end = started + seconds
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, 0)
    outer_end = started + outer_delay if outer_delay else None
    outer_handler = signal.getsignal(signal.SIGALRM)

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        if outer_end is not None and time.monotonic() >= outer_end and callable(outer_handler):
            outer_handler(signum, frame)  # the outer limit passed first: it decides
        raise TimeUp(seconds, what)

    signal.signal(signal.SIGALRM, on_alarm)
    first = end if outer_end is None else min(end, outer_end)
    signal.setitimer(signal.ITIMER_REAL, max(first - time.monotonic(), 1e-6))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_end is not None:
            signal.setitimer(signal.ITIMER_REAL, max(outer_end - time.monotonic(), 1e-6), outer_interval)
