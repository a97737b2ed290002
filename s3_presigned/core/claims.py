"""What the watcher knows of the files a step claimed: read from the pipe the step tells them through."""

from __future__ import annotations

import contextlib
import os
import select
import time
from pathlib import Path


class Claims:
    """The files the step has claimed, as it tells them through the pipe: the watcher's record, to remove them."""

    def __init__(self, channel: int) -> None:
        self.channel = channel
        self._paths: dict[Path, None] = {}  # in the order claimed
        self._unread = b""

    def read(self) -> bool:
        """Read what the step told; return ``False`` once it has exited, and the pipe with it."""
        told = os.read(self.channel, 1 << 16)
        messages = (self._unread + told).split(b"\0")
        self._unread = messages.pop()
        for message in messages:
            path = Path(os.fsdecode(message[1:]))
            if message[:1] == b"+":
                self._paths[path] = None
            else:
                self._paths.pop(path, None)
        return bool(told)

    def read_until_closed(self, seconds: float) -> None:
        """Read every claim the step made until it is gone, for at most ``seconds``."""
        end = time.monotonic() + seconds
        while select.select([self.channel], [], [], max(end - time.monotonic(), 0))[0] and self.read():
            pass

    def remove(self) -> None:
        """Remove every claimed file, the last claimed first."""
        for path in reversed(self._paths):
            with contextlib.suppress(OSError):
                path.unlink()
        self._paths.clear()
