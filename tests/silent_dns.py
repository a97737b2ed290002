"""Run a command where DNS never answers: ``unshare --net --mount python -m tests.silent_dns COMMAND...``, as root.

In the new namespaces it brings loopback up, listens for DNS on 127.0.0.1:53 without ever answering, and mounts a
resolv.conf over /etc/resolv.conf that names only that server. Every lookup of a name that /etc/hosts does not hold
then blocks in ``getaddrinfo`` until the resolver gives up, minutes later. Nothing is visible outside the namespaces.
"""

from __future__ import annotations

import fcntl
import socket
import struct
import subprocess
import sys
import tempfile

_GET_FLAGS = 0x8913  # SIOCGIFFLAGS
_SET_FLAGS = 0x8914  # SIOCSIFFLAGS
_UP = 0x1  # IFF_UP
_REQUEST = "16sH22x"  # struct ifreq: the interface's name, then its flags
_RESOLV_CONF = "nameserver 127.0.0.1\noptions timeout:30 attempts:5\n"


def bring_loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as control:
        answer = fcntl.ioctl(control, _GET_FLAGS, struct.pack(_REQUEST, b"lo", 0))
        flags = struct.unpack(_REQUEST, answer)[1]
        fcntl.ioctl(control, _SET_FLAGS, struct.pack(_REQUEST, b"lo", flags | _UP))


def main(command: list[str]) -> int:
    bring_loopback_up()
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent,
        tempfile.NamedTemporaryFile("w", suffix=".conf") as resolv_conf,
    ):
        silent.bind(("127.0.0.1", 53))  # queries wait in its buffer, never read
        resolv_conf.write(_RESOLV_CONF)
        resolv_conf.flush()
        subprocess.run(["mount", "--bind", resolv_conf.name, "/etc/resolv.conf"], check=True)
        code = subprocess.run(command, check=False).returncode
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
