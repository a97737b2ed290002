"""The endpoint spelled as browsers and curl send it: pure logic, in process."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.s3.endpoint import normalized_endpoint


@pytest.mark.parametrize(
    ("written", "spelled"),
    [
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("https://s3.example.com", "https://s3.example.com"),
        # Browsers lower-case the scheme and the host; curl keeps the host's case, so only lower case agrees.
        ("HTTP://LOCALHOST:9000", "http://localhost:9000"),
        ("https://S3.Example.COM", "https://s3.example.com"),
        # IPv4 in the forms browsers and curl read as an address, in decimal, hex and octal parts.
        ("http://127.1:9000", "http://127.0.0.1:9000"),
        ("http://2130706433:9000", "http://127.0.0.1:9000"),
        ("http://0x7f.1:9000", "http://127.0.0.1:9000"),
        ("http://0X7F.0.0.1:9000", "http://127.0.0.1:9000"),
        ("http://0177.0.0.1:9000", "http://127.0.0.1:9000"),
        ("http://127.0.1:9000", "http://127.0.0.1:9000"),
        ("http://1.16777215", "http://1.255.255.255"),
        ("http://0x.0x.0", "http://0.0.0.0"),
        # IPv6 in its shortest form, in lower case.
        ("http://[0:0:0:0:0:0:0:1]:9000", "http://[::1]:9000"),
        ("http://[::FFFF:127.0.0.1]:9000", "http://[::ffff:7f00:1]:9000"),
        # A default port is left out, as clients leave it out of the Host header; a port's zeros are only zeros.
        ("http://localhost:80", "http://localhost"),
        ("https://localhost:443", "https://localhost"),
        ("http://localhost:443", "http://localhost:443"),
        ("http://localhost:09000", "http://localhost:9000"),
        ("http://localhost:", "http://localhost"),
        # A path is kept, without a final /, its escapes in upper case as every client sends them.
        ("http://localhost:9000/", "http://localhost:9000"),
        ("http://localhost:9000/s3/", "http://localhost:9000/s3"),
        ("http://localhost:9000/a%7eb", "http://localhost:9000/a%7Eb"),
        ("http://storage_1.internal:9000", "http://storage_1.internal:9000"),
    ],
)
def test_an_endpoint_is_spelled_as_clients_send_it(written: str, spelled: str) -> None:
    assert normalized_endpoint(written) == spelled


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("http://bücher.example", "the host 'bücher.example' is not ASCII; write its IDNA form"),
        ("http://localhost.:9000", "the host 'localhost.' ends in a dot; write it without, as 'localhost'"),
        ("http://127.0.0.1.:9000", "ends in a dot"),
        ("http://a..b", "is neither an IP address nor a name of letters, digits, - and _ in dotted parts"),
        ("http://%6cocalhost", "is neither an IP address nor a name"),
        ("http://1.2.3.4.5", "the host '1.2.3.4.5' ends in a number but is not an IPv4 address"),
        ("http://example.1", "ends in a number but is not an IPv4 address"),
        ("http://08.0.0.1", "ends in a number but is not an IPv4 address"),
        ("http://1_0.0.0.1", "ends in a number but is not an IPv4 address"),
        ("http://256.0.0.1", "the IPv4 address '256.0.0.1' is out of range"),
        ("http://4294967296", "out of range"),
        ("http://1.16777216", "out of range"),
        ("http://[fe80::1%25eth0]:9000", "the IPv6 address 'fe80::1%25eth0' has a zone, which browsers refuse"),
        ("http://[1::2::3]", "is not a URL whose host and port can be read"),
        ("http://[v1.fe]:9000", "the host 'v1.fe' in brackets is not an IPv6 address"),
        ("http://localhost:99999", "is not a URL whose host and port can be read"),
        ("http://localhost:0", "has port 0; give the port the store listens on, from 1 to 65535, or none"),
        ("http://localhost/a/./b", "the path has a '.' or '..' segment"),
        ("http://localhost/a/%2E%2e/b", "the path has a '.' or '..' segment"),
        ("http://localhost/a b", "the path holds characters that clients send differently"),
        ("http://localhost/a\\b", "the path holds characters that clients send differently"),
    ],
)
def test_what_clients_would_read_differently_is_refused_in_one_line(written: str, said: str) -> None:
    with pytest.raises(ConfigError) as raised:
        normalized_endpoint(written)
    assert raised.value.field == "source.endpoint"
    assert said in str(raised.value)
    assert "\n" not in str(raised.value)


def ipv4_forms(address: int) -> st.SearchStrategy[str]:
    """The ways to write one IPv4 address that inet_aton, curl and browsers all read: 1 to 4 parts, any base."""

    def written(number: int, base: str) -> str:
        return {"dec": str(number), "hex": hex(number), "oct": f"0{number:o}" if number else "0"}[base]

    def form(parts: int, bases: list[str]) -> str:
        octets = address.to_bytes(4, "big")
        leading = list(octets[: parts - 1])
        last = int.from_bytes(octets[parts - 1 :], "big")
        return ".".join(written(number, base) for number, base in zip([*leading, last], bases, strict=True))

    return st.integers(1, 4).flatmap(
        lambda parts: st.lists(st.sampled_from(["dec", "hex", "oct"]), min_size=parts, max_size=parts).map(
            lambda bases: form(parts, bases)
        )
    )


@given(data=st.data(), address=st.integers(0, 2**32 - 1), port=st.integers(1, 65535))
def test_an_ipv4_address_in_any_form_is_read_as_the_c_library_reads_it(
    data: st.DataObject, address: int, port: int
) -> None:
    host = data.draw(ipv4_forms(address))
    expected = socket.inet_ntoa(socket.inet_aton(host))
    assert expected == str(ipaddress.IPv4Address(address))
    shown_port = "" if port == 80 else f":{port}"
    assert normalized_endpoint(f"http://{host}:{port}") == f"http://{expected}{shown_port}"


hosts = st.one_of(
    st.from_regex(r"[A-Za-z0-9_-]{1,8}(\.[A-Za-z0-9_-]{1,8}){0,3}", fullmatch=True),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda address: f"[{address.exploded.upper()}]"),
)


@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "Https"]),
    host=hosts,
    port=st.one_of(st.none(), st.integers(0, 65535)),
    path=st.from_regex(r"(/[A-Za-z0-9._~-]{0,6}){0,3}/?", fullmatch=True),
)
def test_a_spelled_endpoint_is_spelled_again_the_same(scheme: str, host: str, port: int | None, path: str) -> None:
    written = f"{scheme}://{host}{'' if port is None else f':{port}'}{path}"
    try:
        spelled = normalized_endpoint(written)
    except ConfigError:
        return  # refused: nothing to spell again
    assert normalized_endpoint(spelled) == spelled
    origin = "/".join(spelled.split("/", 3)[:3])
    assert origin == origin.lower()
    # The scheme's own port is left out, as clients send it; another scheme's is a port like any other.
    default = ":80" if origin.startswith("http://") else ":443"
    assert not origin.endswith(default) or origin.startswith(("http://[", "https://["))
