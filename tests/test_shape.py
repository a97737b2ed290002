"""A server's text is shown by its shape: its prose stays, its opaque runs go, and the step's own text is its own."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from s3_presigned.core.failures.base import Asked
from s3_presigned.core.failures.listings import NotXml
from s3_presigned.core.gate import MARKER, Gate
from s3_presigned.resource import PresignedUrlResource
from s3_presigned.s3 import causes
from s3_presigned.s3.answers import Answer, error_of
from s3_presigned.s3.facts import UNKNOWN_ERROR_CODE
from s3_presigned.s3.shape import SHOWN_CHARS, ServerText, shown
from s3_presigned.steps import envelope
from s3_presigned.steps.envelope import error_line

ASKED = Asked("checking the link to s3://bucket/a.txt", "bucket", "access key AKIA (source)", "http://127.0.0.1:9")
# What S3 and the stores say, as they say it: every word stays.
PROSE = [
    "Access Denied",
    "The specified key does not exist.",
    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    "The AWS Access Key Id you provided does not exist in our records.",
    "The provided token is malformed or otherwise invalid.",
    "The difference between the request time and the current time is too large.",
    "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
    "Please reduce your request rate.",
    "Request has expired",
    "The operation is not valid for the object's storage class",
    "Your proposed upload exceeds the maximum allowed size",
    "Policy expired.",
    "Bucket POST must contain a field named 'key'. If it is specified, please check the order of the fields.",
    "At least one of the pre-conditions you specified did not hold",
    "X-Amz-Expires must be less than a week (in seconds) that is; 604800",
    "Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-central-1'",
    "We encountered an internal error. Please try again.",
    "Object was not found at 2026-12-07T06:54:38Z",
    "Could not connect to 127.0.0.1:9000 within 5 s",
    "it is up to me to go on as we do so",
]


@pytest.mark.parametrize("message", PROSE)
def test_prose_is_shown_as_it_is(message: str) -> None:
    assert shown(message) == message


@pytest.mark.parametrize(
    ("message", "kept"),
    [
        ("token IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+Fake is bad", f"token {MARKER} is bad"),
        ("key 5d672d79c15b13162d9279b0855cfba6 unknown", f"key {MARKER} unknown"),
        ("id JBSWY3DPEHPK3PXP JBSWY3DP is not known", f"id {MARKER} is not known"),
        ("said I Q o J b 3 J p Z 2 l u X 2 V j E J r here", f"said {MARKER} here"),
        ("said &#73;&#81;&#111;&#74;&#98;&#51;&#74;&#112;&#90;&#50;&#108;&#117; here", f"said {MARKER} here"),
        ("said \uff29\uff31\uff4f\uff2a\uff42\uff13\uff2a\uff50\uff3a\uff12\uff4c\uff55 here", f"said {MARKER} here"),
        (
            "said I\u200dQ\u200do\u200dJ\u200db\u200d3\u200dJ\u200dp\u200dZ\u200d2\u200dl\u200du here",
            f"said {MARKER} here",
        ),
        ("the \u202etxt.file\u202c name", "the txt.file name"),
        # Short pieces joined into one word, as numbers or letters alone are: a signature's bytes, a number in groups.
        ("said 52.236.54.156.52.212.152.111.239.4.226.11 here", f"said {MARKER} here"),
        ("said 52:236:54:156:52:212:152:111:239:4:226:11 here", f"said {MARKER} here"),
        ("said 2393762093-9235653528-6435922534 here", f"said {MARKER} here"),
        ("said j-g-h-l-o-u-x-n-s-n-k-n-g-o-u-j-u-d here", f"said {MARKER} here"),
        ("said j g h l o u x n s n k n g o u j u d here", f"said {MARKER} here"),
        ("said 2052-03-22/2054-10-22/2052-02-14 here", f"said {MARKER} here"),
    ],
)
def test_opaque_runs_go_whole_and_the_words_around_them_stay(message: str, kept: str) -> None:
    assert shown(message) == kept


def test_the_text_shown_is_bounded() -> None:
    assert len(shown("word " * 10_000)) <= SHOWN_CHARS + len("...")


def test_server_text_formats_only_as_shown() -> None:
    said = ServerText("the token IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+Fake is bad")
    for written in (f"{said}", str(said), repr(said), "{}".format(said)):  # noqa: UP032  # each way a line is formed
        assert "IQoJ" not in written
    assert "IQoJ" in said.raw  # what the step decides by, never shown
    assert not ServerText("  ")


@pytest.mark.parametrize("code", ["IQoJb3JpZ2luX2VjEJr", "X-Amz-Signature", "AccessDenied2", "&lt;script&gt;"])
def test_an_error_code_outside_s3s_set_is_not_shown(code: str) -> None:
    body = f"<Error><Code>{code}</Code><Message>m</Message></Error>".encode()
    answer = Answer(403, "Forbidden", {"content-type": "application/xml"}, body)
    error = error_of(answer)
    assert error.code == UNKNOWN_ERROR_CODE
    assert code.replace("&lt;", "<").replace("&gt;", ">") not in str(causes.failure(ASKED, answer, error))


def test_a_page_that_is_not_s3s_names_its_type_by_shape() -> None:
    token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+Fake"
    answer = Answer(403, "Forbidden", {"content-type": f"text/{token}"}, b"<html>")
    with pytest.raises(NotXml) as raised:
        error_of(answer)
    assert "IQoJ" not in str(raised.value)
    assert raised.value.content_type.startswith("[redacted]"), raised.value


def test_the_steps_own_text_is_never_shaped() -> None:
    # A content-addressed key is the step's own text: opaque to look at, and shown whole.
    key = f"blobs/sha256/{hashlib.sha256(b'artifact').hexdigest()}.tar.gz"
    answer = Answer(
        404,
        "Not Found",
        {"content-type": "application/xml"},
        b"<Error><Code>NoSuchKey</Code><Message>NoSuchKey</Message></Error>",
    )
    error = causes.object_failure(ASKED, answer, error_of(answer), key, None, requester_pays=False)
    line = error_line(str(error), Gate(["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]))
    assert f"s3://bucket/{key} does not exist" in line
    assert MARKER not in line


class _Failing(PresignedUrlResource):
    def download_version(self, *_: object, **__: object) -> tuple[object, dict[str, str]]:
        # A library's exception quoting what a server sent: a signature's bytes, which no gate looks for.
        raise ValueError("invalid header value 52.236.54.156.52.212.152.111.239.4.226.11.121.135.25.168")


def test_an_unexpected_failure_is_shown_by_shape(tmp_path: Path) -> None:
    request = {"source": {"bucket": "my-bucket"}, "version": {"execution_date": "1767225600"}}
    stderr = io.StringIO()
    code = envelope.run(
        _Failing, "in", io.StringIO(json.dumps(request)), io.StringIO(), stderr, ["in", str(tmp_path)], {}
    )
    assert code == 1
    assert stderr.getvalue() == f"error: unexpected ValueError: invalid header value {MARKER}\n"
