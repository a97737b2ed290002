"""Reading what S3 said: every field parsed defensively, errors and regions found, non-XML named. In process."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3_presigned.core.failures.listings import BrokenXml, DoctypeSent, EntryWithoutKey, NotS3Xml, NotXml, WrongRoot
from s3_presigned.core.gate import Gate
from s3_presigned.core.text import LINE_LIMIT, one_line
from s3_presigned.s3.answers import (
    Answer,
    error_of,
    http_date,
    iso_date,
    object_info,
    parse_list_page,
    region_named,
)

UTC = datetime.UTC
LISTING = """<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>{truncated}
  <Contents><Key>{first}</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>
    <ETag>&quot;abc&quot;</ETag><Size>{size}</Size><StorageClass>GLACIER</StorageClass></Contents>
  <Contents><Key>p/second</Key></Contents>{encoding}
</ListBucketResult>"""


def answer(status: int, body: str | bytes = b"", **headers: str) -> Answer:
    data = body.encode() if isinstance(body, str) else body
    return Answer(status, "Reason", {name.replace("_", "-"): value for name, value in headers.items()}, data)


def listing(
    first: str = "p/first", size: str = "7", truncated: str = "<IsTruncated>false</IsTruncated>", encoding: str = ""
) -> Answer:
    return answer(200, LISTING.format(first=first, size=size, truncated=truncated, encoding=encoding))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Thu, 01 Jan 2026 00:00:00 GMT", datetime.datetime(2026, 1, 1, tzinfo=UTC)),
        ("Thu, 01 Jan 2026 01:00:00 +0100", datetime.datetime(2026, 1, 1, tzinfo=UTC)),
        # -0000 and no zone at all are read as UTC, which HTTP dates are.
        ("Thu, 01 Jan 2026 00:00:00 -0000", datetime.datetime(2026, 1, 1, tzinfo=UTC)),
        ("Thu, 01 Jan 2026 00:00:00", datetime.datetime(2026, 1, 1, tzinfo=UTC)),
        # Duplicate headers arrive joined with a comma: no one date.
        ("Thu, 01 Jan 2026 00:00:00 GMT, Thu, 01 Jan 2026 00:00:00 GMT", None),
        ("yesterday", None),
        ("", None),
        (None, None),
        ("Thu, 99 Jan 2026 00:00:00 GMT", None),
    ],
)
def test_http_dates_are_read_or_left_out(value: str | None, expected: datetime.datetime | None) -> None:
    assert http_date(value) == expected


@given(st.text(max_size=40))
def test_no_header_value_crashes_the_date_parser(value: str) -> None:
    parsed = http_date(value)
    assert parsed is None or parsed.tzinfo is UTC


def test_iso_dates_of_listings() -> None:
    assert iso_date("2026-01-02T03:04:05.000Z") == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert iso_date("2026-01-02T03:04:05") == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert iso_date("last tuesday") is None
    assert iso_date(None) is None


def test_object_info_from_a_ranged_get() -> None:
    info = object_info(
        {
            "content-range": "bytes 0-0/12345",
            "content-length": "1",
            "etag": '"abc"',
            "last-modified": "Thu, 01 Jan 2026 00:00:00 GMT",
            "content-type": "text/plain",
            "x-amz-version-id": "v1",
            "x-amz-storage-class": "STANDARD_IA",
        }
    )
    assert (info.size, info.etag, info.content_type, info.version_id) == (12345, "abc", "text/plain", "v1")
    assert info.last_modified == datetime.datetime(2026, 1, 1, tzinfo=UTC)
    assert info.storage_class == "STANDARD_IA"


@pytest.mark.parametrize(
    ("headers", "size"),
    [
        ({"content-length": "5"}, 5),  # a server that ignored the range sends the whole object
        ({"content-length": "abc"}, None),
        ({"content-length": "-1"}, None),
        ({"content-length": "1", "content-range": "bytes */0"}, 0),
        ({"content-length": "1", "content-range": "bytes 0-0/x"}, 1),
        ({}, None),
    ],
)
def test_odd_sizes_are_left_out(headers: dict[str, str], size: int | None) -> None:
    assert object_info(headers).size == size


def test_missing_headers_leave_fields_out() -> None:
    info = object_info({"etag": '""', "last-modified": "not a date"})
    assert (info.size, info.etag, info.last_modified, info.content_type, info.version_id) == (None,) * 5


def test_an_error_with_its_code_message_and_region() -> None:
    body = "<Error><Code>AuthorizationQueryParametersError</Code><Message>m</Message><Region>eu-west-2</Region></Error>"
    error = error_of(answer(400, body))
    assert (error.code, error.message.raw, error.region) == ("AuthorizationQueryParametersError", "m", "eu-west-2")


@pytest.mark.parametrize(
    ("response", "region"),
    [
        (answer(301, b"", x_amz_bucket_region="eu-west-2"), "eu-west-2"),
        (answer(400, "<Error><Code>X</Code><Region>ap-south-1</Region></Error>"), "ap-south-1"),
        (
            answer(
                400,
                "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is wrong; "
                "expecting 'eu-central-1'</Message></Error>",
            ),
            "eu-central-1",
        ),
        (answer(301, "<html>moved</html>", content_type="text/html", x_amz_bucket_region="us-west-2"), "us-west-2"),
        (answer(301, "<html>moved</html>", content_type="text/html"), None),
        (answer(400, b"", x_amz_bucket_region="evil.example.com/x"), None),
        (answer(200, b"", x_amz_bucket_region="eu-west-2"), None),
    ],
)
def test_the_region_an_answer_names(response: Answer, region: str | None) -> None:
    assert region_named(response) == region


def test_a_region_named_in_capitals_or_with_spaces_is_read() -> None:
    assert region_named(answer(301, b"", x_amz_bucket_region=" EU-WEST-2 ")) == "eu-west-2"


def test_an_html_page_is_not_an_s3_error_even_when_it_parses() -> None:
    with pytest.raises(WrongRoot) as raised:
        error_of(answer(407, "<html><body>Proxy Authentication Required</body></html>", content_type="text/html"))
    assert (raised.value.answered, raised.value.tag, raised.value.wanted) == ("407 Reason", "html", "an S3 error")


def test_a_doctype_is_refused_before_any_entity_is_expanded() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Error>&b;</Error>'
    with pytest.raises(DoctypeSent):
        error_of(answer(403, bomb, content_type="application/xml"))
    with pytest.raises(NotXml) as raised:
        error_of(answer(403, bomb))
    assert raised.value.content_type == "no content type"


def test_an_html_page_with_a_doctype_is_named_as_html() -> None:
    page = "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"
    with pytest.raises(NotXml) as raised:
        error_of(answer(502, page, content_type="text/html; charset=utf-8"))
    assert (raised.value.answered, raised.value.content_type) == ("502 Reason", "text/html")


def test_an_error_without_a_body_is_its_status() -> None:
    error = error_of(answer(403))
    assert (error.code, error.message.raw, error.region) == ("403", "", None)


@pytest.mark.parametrize(
    ("body", "content_type", "cause", "said"),
    [
        ("<html><body>Sign in", "text/html", NotXml, {"content_type": "text/html"}),
        ("{}", "application/json", NotXml, {"content_type": "application/json"}),
        ("plain", "", NotXml, {"content_type": "no content type"}),
    ],
)
def test_a_body_that_is_not_s3_xml_is_named(
    body: str, content_type: str, cause: type[NotS3Xml], said: dict[str, str]
) -> None:
    with pytest.raises(cause) as raised:
        error_of(answer(403, body, content_type=content_type))
    assert raised.value.answered == "403 Reason"
    assert {name: getattr(raised.value, name) for name in said} == said


def test_broken_xml_is_named_with_the_parser_s_problem() -> None:
    with pytest.raises(BrokenXml) as raised:
        error_of(answer(403, "<Error><Code>", content_type="application/xml"))
    assert raised.value.problem.startswith("no element found")


def test_a_listing_page_with_every_field() -> None:
    page = parse_list_page(
        listing(truncated="<IsTruncated>true</IsTruncated><NextContinuationToken>t+/=</NextContinuationToken>")
    )
    assert [item.key for item in page.objects] == ["p/first", "p/second"]
    first, second = page.objects
    assert (first.size, first.etag, first.last_modified, first.storage_class) == (
        7,
        "abc",
        "2026-01-02T03:04:05.000Z",
        "GLACIER",
    )
    assert (second.size, second.etag, second.last_modified, second.storage_class) == (None, None, None, None)
    assert (page.truncated, page.next_token) == (True, "t+/=")


def test_odd_listing_fields_are_left_out() -> None:
    assert parse_list_page(listing(size="abc")).objects[0].size is None
    assert parse_list_page(listing(size="")).objects[0].size is None
    assert parse_list_page(listing(truncated="")).truncated is False
    assert parse_list_page(listing(truncated="<IsTruncated>TRUE</IsTruncated>")).truncated is True


def test_keys_are_decoded_once_when_the_store_says_it_encoded_them() -> None:
    encoded = parse_list_page(listing(first="p/100%2525+a%2Bb", encoding="<EncodingType>url</EncodingType>"))
    assert encoded.objects[0].key == "p/100%25 a+b"
    plain = parse_list_page(listing(first="p/100%25 a+b"))
    assert plain.objects[0].key == "p/100%25 a+b"


def test_a_listing_entry_without_a_key_is_an_error() -> None:
    with pytest.raises(EntryWithoutKey):
        parse_list_page(listing(first=""))


def test_an_error_document_is_not_a_listing() -> None:
    with pytest.raises(WrongRoot) as raised:
        parse_list_page(answer(200, "<Error><Code>X</Code></Error>"))
    assert (raised.value.tag, raised.value.wanted) == ("Error", "a listing")


def report(message: str, secrets: list[str] | None = None) -> str:
    """A message as a failed step prints it: folded onto one line, then through the gate, which cuts it."""
    return Gate(secrets or []).scrub(one_line(message), limit=LINE_LIMIT)


@pytest.mark.parametrize(
    "quoted",
    [
        "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=A&X-Amz-Credential=AKID%2F1&X-Amz-Signature=deadbeef",
        "GET /b/k?X-Amz-Signature=deadbeef&X-Amz-Credential=AKID/1",
        "Authorization: AWS4-HMAC-SHA256 Credential=AKID/2026/us-east-1/s3/aws4_request, Signature=deadbeef",
        "X-Amz-Security-Token=deadbeef",
        "x-amz-signature%3Ddeadbeef",
        "X-Amz-Credential: AKID/20261121/us-east-1/s3/aws4_request, X-Amz-Signature: deadbeef",
        '{"X-Amz-Signature": "deadbeef", "X-Amz-Credential": "AKID/1"}',
        "https%3A%2F%2Fh%2Fk%3FX-Amz-Signature%253Ddeadbeef%2526X-Amz-Credential%253DAKID",
    ],
)
def test_signatures_are_scrubbed_from_any_message(quoted: str) -> None:
    scrubbed = report(f"S3 said: {quoted}")
    assert "deadbeef" not in scrubbed
    assert "AKID" not in scrubbed
    assert scrubbed.startswith("S3 said: ")


def test_a_long_line_is_cut_only_after_secrets_are_blanked() -> None:
    secret = "s" * 100
    line = report("x" * 1990 + secret + "y" * 5000, [secret])
    assert line.startswith("x" * 1990 + "[redacted]")
    assert line.endswith("... (5000 more characters)")
    assert "s" not in line.replace("characters", "")


@pytest.mark.parametrize("url", ["https://admin:hunter2@host:8443/x", "https://admin:hun/ter2@host:8443/x"])
def test_passwords_in_urls_are_removed(url: str) -> None:
    assert report(f"see {url}") == "see https://[redacted]@host:8443/x"


def test_control_characters_from_a_server_are_removed() -> None:
    assert report("403 Forbidden\x1b[2K\x1b[32msucceeded\x1b[0m") == "403 Forbidden [2K [32msucceeded [0m"


def test_a_secret_too_short_to_hide_anything_leaves_words_alone() -> None:
    assert report("please specify the key", ["ci"]) == "please specify the key"


def test_secrets_are_blanked_and_lines_folded() -> None:
    line = report("key s3cr3t-key\nand\ts3cr3t-longer", ["s3cr3t-key", "s3cr3t-longer"])
    assert line == "key [redacted] and [redacted]"


def test_a_secret_wrapped_over_lines_is_folded_before_the_gate_looks() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    wrapped = "\n".join(secret[start : start + 8] for start in range(0, len(secret), 8))
    line = report(f"said {wrapped} end", [secret])
    for start in range(0, len(secret), 8):
        assert secret[start : start + 8] not in line
