"""What a step reads beyond its request, handed down to whatever reads it: the environment, the clock, its secrets."""

import datetime
from collections.abc import Callable, Mapping
from typing import NamedTuple

from s3_presigned.core.gate import Knowledge

Clock = Callable[[], datetime.datetime]
"""Tells the time now, in UTC, as an aware datetime."""


def utc_now() -> datetime.datetime:
    """Tell the time of this machine's clock, in UTC."""
    return datetime.datetime.now(datetime.UTC)


class StepContext(NamedTuple):
    """The surroundings of one step: made by the step's entry point, and nowhere else read from the process."""

    environ: Mapping[str, str]
    """The environment Concourse gave the step: proxies, CA paths, the region, the build's variables."""
    knowledge: Knowledge
    """What the step has come to know is secret, from which each gate is built."""
    clock: Clock = utc_now
    """What the step reads the time from."""

    @classmethod
    def of(cls, environ: Mapping[str, str], clock: Clock = utc_now) -> "StepContext":
        """Start a step that knows no secret yet but those of its environment."""
        return cls(environ, Knowledge(environ), clock)
