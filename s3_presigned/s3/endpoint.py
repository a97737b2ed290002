"""The endpoint spelled as browsers and curl send it, so that the host a link is signed for is the host it is sent to.

SigV4 signs the ``Host`` header. botocore signs the host as the endpoint writes it, while browsers lower-case it
and rewrite an IPv4 address such as ``127.1`` as ``127.0.0.1``, curl rewrites the address but keeps the case,
and urllib3 lower-cases but keeps the address. An endpoint in the one spelling they all keep is signed and sent
alike; what they would read differently is refused.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.core.text import describe
from s3_presigned.s3.facts import DEFAULT_PORTS

FIELD = "source.endpoint"
_LABELS = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
# RFC 3986's characters of a path, and percent escapes: what every client sends as it is written.
_PATH = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*")
_ESCAPE = re.compile(r"%[0-9a-f]{2}")
_DOT_SEGMENTS = frozenset({".", "..", "%2e", ".%2e", "%2e.", "%2e%2e"})  # browsers read %2e as a dot here
_IPV4_PARTS = 4
_OCTET_MAX = 255
# As the URL standard decides that a host is an IPv4 address: its last label is a number, decimal or hex.
_NUMBER = re.compile(r"[0-9]+|0x[0-9a-f]*")


def normalized_endpoint(url: str, field: str = FIELD) -> str:
    """Spell an endpoint URL as browsers and curl send it.

    The scheme and host are lower-cased; an IPv4 address in a short or numeric form, such as ``127.1``,
    ``2130706433`` or ``0x7f.1``, becomes four decimal parts, as browsers and curl read it; an IPv6 address
    takes its shortest form; a default port and a final ``/`` are dropped.

    :param url: An ``http://`` or ``https://`` URL with a host, and no user, query or fragment, as
        ``source.endpoint``'s checks leave it.
    :param field: The field to name in errors.
    :raises ConfigError: For a host or path that clients would read differently: not ASCII, holding a ``%``,
        an IPv6 zone or an empty label, ending in a dot, an IPv4 address out of range, port 0, or ``.`` segments.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a bracketed host that is not an IPv6 address, or a port that is not a number up to 65535
        raise ConfigError(field, "is not a URL whose host and port can be read") from None
    if port == 0:  # no server listens on port 0: a link for it could never be fetched
        raise ConfigError(field, "has port 0; give the port the store listens on, from 1 to 65535, or none")
    scheme = parts.scheme.lower()
    host = _host(parts.netloc.rpartition("@")[2], field)
    shown_port = "" if port is None or port == DEFAULT_PORTS.get(scheme) else f":{port}"
    return f"{scheme}://{host}{shown_port}{_path(parts.path, field)}"


def _host(netloc: str, field: str) -> str:
    if netloc.startswith("["):
        return f"[{_ipv6(netloc[1:].partition(']')[0], field)}]"
    written = netloc.rpartition(":")[0] if ":" in netloc else netloc
    if not written.isascii():
        raise ConfigError(
            field, f"the host {describe(written)} is not ASCII; write its IDNA form, as in xn--bcher-kva.de"
        )
    if written.endswith("."):
        raise ConfigError(
            field, f"the host {describe(written)} ends in a dot; write it without, as {describe(written.rstrip('.'))}"
        )
    host = written.lower()
    if _NUMBER.fullmatch(host.rpartition(".")[2]):
        return _ipv4(host, written, field)
    if not _LABELS.fullmatch(host):
        raise ConfigError(
            field,
            f"the host {describe(written)} is neither an IP address nor a name of letters, digits, - and _ "
            "in dotted parts",
        )
    return host


def _ipv6(address: str, field: str) -> str:
    if "%" in address:
        raise ConfigError(
            field, f"the IPv6 address {describe(address)} has a zone, which browsers refuse; leave it out"
        )
    try:
        return ipaddress.IPv6Address(address).compressed
    except ValueError:
        raise ConfigError(field, f"the host {describe(address)} in brackets is not an IPv6 address") from None


def _ipv4(host: str, written: str, field: str) -> str:
    """Read an IPv4 address as the URL standard and curl do: up to four parts, each decimal, 0x hex or 0 octal."""
    labels = host.split(".")
    numbers = [_ipv4_number(label) for label in labels]
    if len(labels) > _IPV4_PARTS or None in numbers:
        raise ConfigError(field, f"the host {describe(written)} ends in a number but is not an IPv4 address")
    *leading, last = [number for number in numbers if number is not None]
    if any(number > _OCTET_MAX for number in leading) or last > 256 ** (_IPV4_PARTS + 1 - len(labels)) - 1:
        raise ConfigError(field, f"the IPv4 address {describe(written)} is out of range")
    value = last + sum(number << (8 * (3 - index)) for index, number in enumerate(leading))
    return str(ipaddress.IPv4Address(value))


def _ipv4_number(label: str) -> int | None:
    if label.startswith("0x"):
        digits, base = label[2:] or "0", 16
    elif label.startswith("0") and len(label) > 1:
        digits, base = label[1:], 8
    else:
        digits, base = label, 10
    try:
        return int(digits, base) if digits.isascii() and digits.isalnum() else None
    except ValueError:
        return None


def _path(path: str, field: str) -> str:
    path = path.rstrip("/")
    if not _PATH.fullmatch(path):
        raise ConfigError(field, "the path holds characters that clients send differently; percent-encode them")
    path = _ESCAPE.sub(lambda escape: escape.group().upper(), path)
    if any(segment.lower() in _DOT_SEGMENTS for segment in path.split("/")):
        raise ConfigError(field, "the path has a '.' or '..' segment, which browsers and curl remove; leave it out")
    return path
