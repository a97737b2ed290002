"""The gate: secrets never come out in any form they travel in, plain text does, and every input is scanned fast."""

from __future__ import annotations

import base64
import hashlib
import html
import html.entities
import json
import quopri
import re
import string
import textwrap
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3_presigned.core.failures.base import Asked, HoldsSecret
from s3_presigned.core.gate import LINE_CHARS, MARKER, SHORT_SECRET, Gate, Knowledge
from s3_presigned.core.text import LINE_LIMIT
from s3_presigned.s3.answers import Answer, error_of, server_value
from s3_presigned.s3.causes import failure
from s3_presigned.steps.envelope import error_line

TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+Fake/Token+With/Slashes=="
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
CONTAINER_TOKEN = "Basic dXNlcjpjb250YWluZXItdG9rZW4tc2VjcmV0"
SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _lower_hex(value: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda found: found.group().lower(), value)


def _json_ascii(value: str) -> str:
    return json.dumps(value)[1:-1]


def _json_slashes(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1].replace("/", "\\/")


def _decimal_references(value: str) -> str:
    return "".join(f"&#{ord(char)};" for char in value)


def _hex_references(value: str) -> str:
    return "".join(f"&#x{ord(char):X};" for char in value)


# Each form in which a secret travels: in a query, a form, a JSON document, an XML document, or nested.
ENCODINGS: dict[str, Callable[[str], str]] = {
    "raw": lambda value: value,
    "percent": _quote,
    "percent, lower-case hex": lambda value: _lower_hex(_quote(value)),
    "percent twice": lambda value: _quote(_quote(value)),
    "percent twice, lower-case hex": lambda value: _lower_hex(_quote(_quote(value))),
    "form, + for space": urllib.parse.quote_plus,
    "form, %20 for space": lambda value: urllib.parse.quote(value, safe="+"),
    "JSON, ASCII only": _json_ascii,
    "JSON, escaped slashes": _json_slashes,
    "XML": lambda value: html.escape(value, quote=True),
    "XML, decimal references": _decimal_references,
    "XML, hex references": _hex_references,
    "percent, then JSON": lambda value: _json_ascii(_quote(value)),
    "percent twice, then XML": lambda value: html.escape(_quote(_quote(value))),
    "XML, then percent": lambda value: _quote(html.escape(value)),
}

secrets = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=SHORT_SECRET, max_size=60)
surroundings = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
# Text that ends where an escape begins, so that the escape takes the first characters of what follows.
escape_starts = st.sampled_from(["%", "%2", "%25", "\\", "\\u", "\\u00", "&", "&#", "&#x", "&a", "&#1"])
before_secret = surroundings | st.builds(str.__add__, surroundings, escape_starts)
base64_like = st.text(string.ascii_letters + string.digits + "+/=-_", min_size=SHORT_SECRET, max_size=60)


@given(
    secret=secrets | base64_like,
    encoding=st.sampled_from(sorted(ENCODINGS)),
    before=before_secret,
    after=surroundings,
    whole=st.booleans(),
)
def test_a_known_secret_never_comes_out_in_any_encoding(
    secret: str, encoding: str, before: str, after: str, whole: bool
) -> None:
    encode = ENCODINGS[encoding]
    # The secret alone encoded, as a value in a query; or the whole message, as a server quotes a request.
    text = encode(before + secret + after) if whole else before + encode(secret) + after
    scrubbed = Gate([secret]).scrub(text)
    assert MARKER in scrubbed
    scrubbed = scrubbed.replace(MARKER, "\0")  # a secret may be a part of the marker, but never of the rest
    assert secret not in scrubbed
    assert encode(secret) not in scrubbed
    for decode in (urllib.parse.unquote, html.unescape):
        assert secret not in decode(decode(scrubbed))


def _decodes_to(text: str, secret: bytes) -> bool:
    """Decode every run of base64 characters in the text, from each of its four alignments, and look for the secret."""
    for run in re.findall(r"[A-Za-z0-9+/_-]+", text):
        standard = run.translate(str.maketrans("-_", "+/"))
        for offset in range(4):
            part = standard[offset:]
            decoded = base64.b64decode(part + "A" * (-len(part) % 4))  # zero bits complete the last group
            if secret in decoded:
                return True
    return False


@given(
    secret=secrets | base64_like,
    before=st.binary(max_size=8),
    after=st.binary(max_size=8),
    urlsafe=st.booleans(),
    text_before=st.text(string.ascii_letters + " ", max_size=10),
)
def test_a_known_secret_never_comes_out_in_base64_at_any_offset(
    secret: str, before: bytes, after: bytes, urlsafe: bool, text_before: str
) -> None:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    data = secret.encode()
    blob = encode(before + data + after).decode("ascii")
    assert _decodes_to(blob, data)  # the check can see the secret when it is there
    scrubbed = Gate([secret]).scrub(f"{text_before} {blob} end")
    assert not _decodes_to(scrubbed.replace(MARKER, " "), data)
    assert scrubbed.endswith(" end")


@given(secret=st.text(string.ascii_letters + string.digits, min_size=1, max_size=SHORT_SECRET - 1))
def test_a_credential_too_short_to_tell_from_data_is_not_looked_for(secret: str) -> None:
    text = f"said ({secret}) and {_quote(secret)}: {secret}/app-1.2.0.tgz"
    assert Gate([secret]).scrub(text) == text
    assert Gate([secret]).exact(text, "the key") == text


def test_localstack_keys_leave_words_and_keys_alone() -> None:
    line = "a key test/app-1.2.0.tgz is a test: b"
    assert Gate(["test", "a", "b"]).scrub(line) == line


def test_data_that_holds_a_secret_is_refused_never_rewritten() -> None:
    gate = Gate([SECRET])
    assert gate.exact("releases/AKIAIOSFODNN7EXAMPLE/x-amz-date.txt", "the key") == (
        "releases/AKIAIOSFODNN7EXAMPLE/x-amz-date.txt"  # a key shaped like a credential is still a key
    )
    for held in (SECRET, _quote(SECRET), SECRET.encode().hex()):
        with pytest.raises(HoldsSecret) as raised:
            gate.exact(f"releases/{held}.tgz", "the key")
        assert raised.value.what == "the key"


def test_data_that_names_the_access_key_id_is_written_and_lines_still_blank_it() -> None:
    # Every link carries the access key id: an uploader who holds one can name a file after it.
    access_key = "AKIAIOSFODNN7EXAMPLE"
    gate = Gate([SECRET], [access_key])
    assert gate.exact(f"inbox/{access_key}.txt", "the key") == f"inbox/{access_key}.txt"
    assert access_key not in gate.scrub(f"signed with {access_key} here")
    with pytest.raises(HoldsSecret) as raised:
        gate.exact(f"inbox/{SECRET}.txt", "the key")
    assert raised.value.what == "the key"


# Lines such as S3 and the step write: the gate must leave them readable.
PLAIN = [
    "AccessDenied: Access Denied",
    "NoSuchKey: The specified key does not exist. key: releases/app-1.2.3.tgz",
    (
        "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method."
    ),
    "s3://my-bucket/user@example.com/report.pdf",
    "https://s3.eu-west-1.amazonaws.com/my-bucket/folder/file.txt",
    "source.endpoint: got 'ftp://x'; expected an http:// or https:// URL",
    "the bucket policy: denies s3:GetObject",
    "the endpoint serves a link with an altered signature: what answered checks no signature",
    "credentials: none found; set source.access_key_id and source.secret_access_key",
    "AuthorizationHeaderMalformed: The authorization header is malformed; the region 'us-east-1' is wrong",
    "params.expires_in: 100% of 7 days is the most S3 accepts; &amp; is not a unit",
    'params: unknown field "expiry"; did you mean "expires_in"?',
    '{"bucket": "b", "key": "a/b.txt", "etag": "d41d8cd98f00b204e9800998ecf8427e"}',
]


@pytest.mark.parametrize("line", PLAIN)
def test_plain_text_passes_unchanged(line: str) -> None:
    assert Gate([TOKEN, SECRET, SIGNATURE, KEY_ID, "ci"]).scrub(line) == line


@given(text=st.text(string.ascii_lowercase.replace("x", "") + string.digits + " .,:/-_()%&#;=\"'<>", max_size=200))
def test_text_without_a_secret_passes_unchanged(text: str) -> None:
    # No upper case: no access key id; no x: no x-amz-; no ?: no query. Names such as "signature" are rare enough.
    if re.search("signature|credential|securitytoken|policy|https?://|socks", text):
        return
    assert Gate([TOKEN, SECRET, SIGNATURE.upper(), "Zq"]).scrub(text) == text


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # The session token percent-encoded, quoted without its parameter name.
        (f"<Error><Message>token {_quote(TOKEN)} is not valid</Message></Error>", "token [redacted] is not valid"),
        # The query echoed as elements, with a token the step never knew.
        ("<X-Amz-Security-Token>Zm9vYmFyYmF6cXV4</X-Amz-Security-Token><Code>X</Code>", "[redacted]<Code>X</Code>"),
        ("<x-amz-signature>0123</x-amz-signature> and <AWSAccessKeyId>k</AWSAccessKeyId>", "[redacted] and [redacted]"),
        ("<q:X-Amz-Credential>AKID/1</q:X-Amz-Credential><SignatureProvided>0123</SignatureProvided>", "[redacted]"),
        # The access key id, bare and inside a quoted X-Amz-Credential.
        ("the key AKIAIOSFODNN7EXAMPLE is unknown", "the key [redacted] is unknown"),
        ('"X-Amz-Credential": "ASIAY34FZKBOKMUTVV7A/20261201/us-east-1/s3/aws4_request"', '"[redacted]"'),
        ("X-Amz-Credential%3DASIAY34FZKBOKMUTVV7A%2F20261201%2Fus-east-1", "[redacted]"),
        ("&quot;X-Amz-Credential&quot;:&quot;unknown/2026&quot;", "&quot;[redacted]&quot;"),
        # A container authorization token quoted in a 500 answer from the credentials endpoint.
        (f'500 from 169.254.170.2: {{"error": "bad Authorization: {CONTAINER_TOKEN}"}}', 'bad [redacted]"}'),
        # Signed URLs, SigV4 and SigV2, whole or percent-encoded inside another.
        (
            "GET https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261201T000000Z failed",
            "GET https://b.s3.amazonaws.com/k?[redacted] failed",
        ),
        ("see http://h/b/k?AWSAccessKeyId=x&Expires=1&Signature=abc%2B then", "see http://h/b/k?[redacted] then"),
        (f"redirect=https%3A%2F%2Fh%2Fk%3FX-Amz-Signature%3D{SIGNATURE} done", "redirect=https%3A%2F%2Fh%2Fk%3F"),
        ("Authorization: AWS4-HMAC-SHA256 Credential=unknown/2026, Signature=abc", "[redacted]"),
        ("GET /k HTTP/1.1\r\nAuthorization: AWS AKID:frJIUN8DYpKDtOLCwo//yllqDzg=\r\n", "[redacted]\r\n"),
        ("Signature = abc; Credential=def", "[redacted]; [redacted]"),
        # A POST policy's fields, as JSON, as a form and as multipart.
        ('{"policy": "eyJleHBpcmF0aW9uIjoiMjAyNyJ9", "x-amz-signature": "abc"}', '{"[redacted]", "[redacted]"}'),
        ("key=a&policy=eyJleHBpcmF0aW9uIjoiMjAyNyJ9&x-amz-signature=abc", "key=a&[redacted]&[redacted]"),
        ('name="policy"\r\n\r\neyJleHBpcmF0aW9uIjoiMjAyNyJ9\r\n--b', "[redacted]\r\n--b"),
        # A proxy's password, which may hold a slash.
        ("proxy http://ci:pa/ss@proxy:3128 refused", "proxy http://[redacted]@proxy:3128 refused"),
    ],
)
def test_attacks_from_the_field_are_blanked(text: str, kept: str) -> None:
    scrubbed = Gate([TOKEN, SECRET, CONTAINER_TOKEN, SIGNATURE]).scrub(text)
    assert kept in scrubbed
    leaks = (TOKEN, _quote(TOKEN), CONTAINER_TOKEN, SIGNATURE, "AKIA", "ASIA", "X-Amz", "0123", "eyJ", "pa/ss", "AKID")
    for leak in (*leaks, "abc", "def", "unknown/"):
        assert leak not in scrubbed


def test_signatures_sent_are_blanked_in_either_case_inside_longer_hex_and_escaped() -> None:
    sent = [hashlib.sha256(str(number).encode()).hexdigest() for number in range(2000)]
    escaped = "".join(f"%{ord(char):02X}" for char in sent[3])
    scrubbed = Gate(sent).scrub(f"a {sent[7].upper()} b 00{sent[1999]}ff c {escaped} d {SIGNATURE}")
    assert scrubbed == f"a {MARKER} b 00{MARKER}ff c {MARKER} d {SIGNATURE}"


def test_a_secret_at_the_cut_is_blanked_whole() -> None:
    text = "x" * (LINE_CHARS - 5) + TOKEN + "y" * 100
    scrubbed = Gate([TOKEN]).scrub(text)
    assert scrubbed == "x" * (LINE_CHARS - 5) + f"{MARKER}... (100 more characters)"


def test_a_long_text_is_cut_and_says_how_much_was_left_out() -> None:
    scrubbed = Gate([TOKEN]).scrub("z" * 100_000)
    assert scrubbed == "z" * LINE_CHARS + f"... ({100_000 - LINE_CHARS} more characters)"
    assert Gate([]).scrub("short", limit=5) == "short"


# Inputs built to make a naive scrubber backtrack or rescan, each as repeated units.
ADVERSARIAL = [
    "a.",
    "%25",
    "%41",
    "%2525",
    "&#",
    "&amp;",
    "\\u00",
    "\\u0041",
    "QUJD",
    "AKIA",
    "X-Amz-",
    "?X-Amz-",
    "<X-Amz-a>",
    "http://a:",
    'name="policy"\n\n',
    TOKEN,
    _quote(TOKEN),
    TOKEN[:30],
    SIGNATURE[:40],
    "0f",
]
MEGABYTE = 1 << 20
BUDGET_SECONDS = 10  # a megabyte takes well under a second here; the budget allows for a busy machine


def _cpu_seconds(gate: Gate, text: str) -> float:
    started = time.process_time()  # the process's own time: other work on the machine does not count
    gate.scrub(text, limit=len(text))
    return time.process_time() - started


@pytest.mark.parametrize("unit", ADVERSARIAL)
def test_a_megabyte_of_adversarial_text_is_scanned_in_linear_time(unit: str) -> None:
    gate = Gate([TOKEN, SECRET, SIGNATURE, "aaaaaaaaaaaa", "ci"])
    # Doubling the text at most doubles the time, give or take: a quadratic scan would show it at any length.
    one = unit * (MEGABYTE // 32 // len(unit))
    two = one * 2
    # The fastest of three runs of each size, taken in turns, so that a pause of the machine counts for neither.
    runs = [(_cpu_seconds(gate, one), _cpu_seconds(gate, two)) for _ in range(3)]
    fastest_one = min(first for first, _ in runs)
    fastest_two = min(second for _, second in runs)
    assert fastest_two < 2.5 * fastest_one + 0.02, (
        f"{fastest_one:.3f} s for {len(one)} characters, {fastest_two:.3f} s for twice"
    )
    # So the time grows as the text does, and a megabyte, sixteen times the larger, stays within the budget.
    assert fastest_two * MEGABYTE / len(two) < BUDGET_SECONDS


def test_a_secret_in_hex_or_a_signature_in_base64_is_blanked() -> None:
    signature = "66841fec7bd448cd74" + "0" * 46
    gate = Gate([SECRET, "MYACCESSKEY123", signature])
    for encoded in (
        b"MYACCESSKEY123".hex(),
        b"MYACCESSKEY123".hex().upper(),
        SECRET.encode().hex(),
        base64.b64encode(signature.encode()).decode(),
    ):
        scrubbed = gate.scrub(f"ETag: {encoded}!")
        assert scrubbed.startswith(f"ETag: {MARKER}"), scrubbed
        assert len(scrubbed) < len(f"ETag: {MARKER}!") + 4, scrubbed  # at most base64's padding is left


def test_a_signature_written_as_a_number_bytes_or_base64_or_a_key_in_lower_case_is_blanked() -> None:
    signature = "7dc5a01fb415b7fcf388a2fa0d23aa4710b8e3e5e3b2ce17dfe4896d15fd85ce"
    digest = bytes.fromhex(signature)
    gate = Gate(["AKIAIOSFODNN7EXAMPLE", signature])
    for written in (
        str(int(signature, 16)),
        " ".join(f"{byte:02x}" for byte in digest),
        base64.b64encode(digest).decode(),
        "akiaiosfodnn7example",
    ):
        assert written[:12] not in gate.scrub(f"said: {written}."), written


def test_a_megabyte_is_cut_before_it_is_scanned() -> None:
    gate = Gate([TOKEN, SECRET])
    started = time.process_time()  # the process's own time, as above
    scrubbed = gate.scrub("%25" * MEGABYTE)
    assert time.process_time() - started < 1
    assert len(scrubbed) < LINE_CHARS + 40


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("etag", '"d41d8cd98f00b204e9800998ecf8427e"'),
        ("etag", "d41d8cd98f00b204e9800998ecf8427e-12"),
        ("version_id", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo"),
        ("version_id", "null"),
        ("version_id", "a" * 1024),
        ("storage_class", "STANDARD"),
        ("storage_class", "DEEP_ARCHIVE"),
        ("content_type", "application/octet-stream"),
        ("content_type", "text/plain; charset=utf-8"),
        ("content_type", "application/vnd.api+json"),
    ],
)
def test_a_value_of_the_shape_s3_gives_is_kept(field: str, value: str) -> None:
    assert server_value(field, value) == value  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("etag", f'"X-Amz-Signature={SIGNATURE}"'),
        ("etag", '"' + "a" * 101 + '"'),
        ("etag", '"abc'),
        ("etag", ""),
        ("version_id", f"X-Amz-Signature={SIGNATURE}&X-Amz-Credential=AKID"),
        ("version_id", "a%2Fb"),
        ("version_id", "a b"),
        ("version_id", "a" * 1025),
        ("storage_class", "standard"),
        ("storage_class", "X_AMZ_SIGNATURE"),
        ("content_type", "text/plain; X-Amz-Signature=abc"),
        ("content_type", "text/plain; policy=eyJhIjoiYiJ9"),
        ("content_type", "text/plain?X-Amz-Signature=abc"),
        ("content_type", "text/plain\r\nSet-Cookie: a=b"),
        ("content_type", "text/" + "a" * 300),
        ("content_type", 'text/plain; a="%41"'),
        # What a proxy that reflects the request could carry: any parameter but a charset, quoted or not.
        ("content_type", 'multipart/form-data; boundary="a b"'),
        ("etag", '"0a1b2c3d-4e5f"'),
        ("etag", '"3542254664507dba3f02cbbbde423ccc-396203b9bc6e34723b8fd033e3452db9"'),
        ("content_type", 'text/plain; a="NjY4NDFmZWM3YmQ0NDhjZDc0"; b="NTBkYjBiOTEzZjlhZGE2"'),
    ],
)
def test_a_value_of_another_shape_is_left_out(field: str, value: str) -> None:
    assert server_value(field, value) is None  # type: ignore[arg-type]


def test_a_value_not_given_stays_not_given() -> None:
    assert server_value("etag", None) is None


def test_base64_check_finds_what_it_looks_for() -> None:
    # The decoding check of the base64 property must see a secret that is there, at every offset.
    for prefix in (b"", b"a", b"ab"):
        assert _decodes_to(base64.b64encode(prefix + b"secret-value").decode(), b"secret-value")
    assert not _decodes_to(base64.b64encode(b"other-value").decode(), b"secret-value")


# A hostile server: it quotes a secret the step never told the gate of, in an encoding, split and wrapped as it
# likes, inside an error's message. What the step prints of it is the message's shape, through the gate.
def _named_entities(value: str) -> str:
    names = {char: name for name, char in html.entities.html5.items() if name.endswith(";") and len(char) == 1}
    return "".join(f"&{names[char]}" if char in names else char for char in value)


HOSTILE: dict[str, Callable[[str], str]] = {
    "raw": lambda value: value,
    "wrapped at 30 columns": lambda value: "\n".join(textwrap.wrap(value, 30)),
    "quoted-printable": lambda value: quopri.encodestring(value.encode()).decode(),
    "quoted-printable, every byte": lambda value: "".join(f"={byte:02X}" for byte in value.encode()),
    "hex bytes with spaces": lambda value: " ".join(f"{byte:02x}" for byte in value.encode()),
    "base32": lambda value: base64.b32encode(value.encode()).decode(),
    "MIME base64 wrapped at 76": lambda value: base64.encodebytes(value.encode()).decode(),
    "UTF-16 hex": lambda value: value.encode("utf-16-be").hex(),
    "UTF-16 hex, spaced": lambda value: " ".join(f"{ord(char):04X}" for char in value),
    "zero-width joiners": "\u200d".join,
    "HTML named entities": _named_entities,
    "full-width forms": lambda value: "".join(chr(ord(char) + 0xFEE0) if char.isascii() else char for char in value),
    "CSS escapes": lambda value: "".join(f"\\{ord(char):x} " for char in value),
    "octal escapes": lambda value: "".join(f"\\{ord(char):03o}" for char in value),
    "ascii85": lambda value: base64.a85encode(value.encode()).decode(),
    "plain reversal": lambda value: value[::-1],
    "percent-encoded": lambda value: "".join(f"%{byte:02X}" for byte in value.encode()),
    "JSON unicode escapes": lambda value: "".join(f"\\u{ord(char):04x}" for char in value),
}
MESSAGES = [
    ("The provided token is malformed or otherwise invalid: ", "."),
    ("the session token ", " is unknown"),
    ("Access Denied for ", ""),
    ("", " does not match the signature you provided. Check your key and signing method."),
]
ASKED = Asked("checking the link to s3://bucket/a.txt", "bucket", "access key AKIA (source)", "http://127.0.0.1:9")


def _hostile_line(quoted: str, gate: Gate, before: str = "the session token ", after: str = " is unknown") -> str:
    """The line a step prints when a server's error quotes this text: S3's XML, read, worded, folded and gated."""
    body = f"<Error><Code>InvalidRequest</Code><Message>{before}{xml_escape(quoted)}{after}</Message></Error>"
    answer = Answer(400, "Bad Request", {"content-type": "application/xml"}, body.encode())
    return error_line(str(failure(ASKED, answer, error_of(answer))), gate)


def _leaks(line: str, *forms: str, run: int = 12) -> list[str]:
    """Every run of ``run`` characters of a form of the secret that the line shows, spaces taken out of both."""
    shown = "".join(line.split())
    return [
        joined[start : start + run]
        for form in forms
        if len(joined := "".join(form.split())) >= run
        for start in range(len(joined) - run + 1)
        if joined[start : start + run] in shown
    ]


SESSION_TOKEN = base64.b64encode(hashlib.sha512(b"a session token").digest() * 3).decode()


@pytest.mark.parametrize("encoding", HOSTILE)
def test_a_token_a_server_quotes_never_comes_out(encoding: str) -> None:
    encoded = HOSTILE[encoding](SESSION_TOKEN)
    for gate in (Gate([]), Gate([SESSION_TOKEN])):  # shown by shape even when the step never knew the token
        line = _hostile_line(encoded, gate)
        assert not _leaks(line, SESSION_TOKEN, encoded, SESSION_TOKEN[::-1]), line
        assert line.startswith("error: checking the link to s3://bucket/a.txt: S3 answered 400 Bad Request, ")
        assert "InvalidRequest: the session token [redacted] is unknown" in line, line


secret_bytes = st.binary(min_size=20, max_size=200).filter(lambda data: len(set(data)) >= len(data) // 2)
SECRET_FORMS: dict[str, Callable[[bytes], str]] = {
    "base64": lambda data: base64.b64encode(data).decode(),
    "base64url": lambda data: base64.urlsafe_b64encode(data).decode().rstrip("="),
    "hex": bytes.hex,
    "HEX": lambda data: data.hex().upper(),
}


@given(
    data=secret_bytes,
    form=st.sampled_from(sorted(SECRET_FORMS)),
    encoding=st.sampled_from(sorted(HOSTILE)),
    width=st.integers(min_value=1, max_value=100),
    joint=st.sampled_from(["", " ", "\n", "\r\n", "\t", " \n ", "\u200b", "=\r\n"]),
    message=st.sampled_from(MESSAGES),
    known=st.booleans(),
)
def test_a_hostile_server_never_gets_a_secret_out(
    data: bytes, form: str, encoding: str, width: int, joint: str, message: tuple[str, str], known: bool
) -> None:
    secret = SECRET_FORMS[form](data)
    encoded = HOSTILE[encoding](secret)
    split = joint.join(encoded[start : start + width] for start in range(0, len(encoded), width))
    line = _hostile_line(split, Gate([secret] if known else []), *message)
    assert not _leaks(line, secret, encoded, secret[::-1]), line
    assert line.startswith("error: checking the link to s3://bucket/a.txt: S3 answered 400 Bad Request, ")


@pytest.mark.parametrize("unit", ["A", "a1+/", "%41", "&#65;", "\\101", "=41", " \u200d", "<x>", SESSION_TOKEN])
def test_a_megabyte_from_a_hostile_server_is_shown_within_the_budget(unit: str) -> None:
    gate = Gate([TOKEN, SECRET, SIGNATURE])
    quoted = unit * (MEGABYTE // len(unit))
    started = time.process_time()
    line = _hostile_line(quoted, gate)
    assert time.process_time() - started < BUDGET_SECONDS
    assert len(line) < LINE_LIMIT + 100


def test_what_one_step_learns_stays_with_that_step(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("container-token-of-the-step\n")
    environ = {"AWS_SECRET_ACCESS_KEY": "secret-of-the-environment", "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file)}
    first, second = Knowledge(environ), Knowledge({})
    first.remember("signature-the-first-step-sent", None, "")
    first.identify("AKIAIOSFODNN7EXAMPLE")
    text = "signature-the-first-step-sent secret-of-the-environment container-token-of-the-step AKIAIOSFODNN7EXAMPLE"
    assert first.gate().scrub(text) == " ".join([MARKER] * 4)
    assert second.gate().scrub(text) == text.replace("AKIAIOSFODNN7EXAMPLE", MARKER)  # by its shape alone
    assert first.gate().exact("AKIAIOSFODNN7EXAMPLE", "a key") == "AKIAIOSFODNN7EXAMPLE"
