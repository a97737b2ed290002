"""A green step means a working link, against S3 as AWS, other stores and proxies really answer.

Each case puts a stand-in in front of rclone that answers one way rclone never does. The step must either
succeed with links that work when fetched through that same stand-in, or fail with one line naming the
cause, within the time stated for it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests import standin
from tests.standin import (
    BUCKET_REGION,
    Listing,
    Reply,
    StandIn,
    compose,
    edits,
    on_object_get,
    sub,
    truncated,
    undo_url_encoding,
    with_headers,
)
from tests.support import ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, Runner, S3Server, StepResult, fetch

QUICK = 15  # seconds: a case that fails must say so at once, not after retries of something that cannot pass
GMT_AHEAD = "Thu, 01 Jan 2099 00:00:00"
NO_SIGNATURE_CHECKED = (
    r"to the link with its signature altered, and does not list as S3 does: it is not S3 serving the object\. Is "
    r"source\.endpoint a web console or a proxy\?"
)
WRONG_REGION = (
    rf"source\.region is us-east-1, but S3 says bucket bucket is in {BUCKET_REGION}; signing for {BUCKET_REGION}"
)


@dataclass(frozen=True)
class Case:
    """One behaviour, what the step is asked, and what it must do: succeed with working links, or fail saying so."""

    behaviour: Callable[[], standin.Behaviour]
    params: dict[str, Any]
    objects: tuple[str, ...] = ("file.txt",)
    source: dict[str, Any] = field(default_factory=dict)
    fails: str | None = None  # a pattern the one line must match; None: the step is green
    warns: str | None = None  # a pattern a warning line must match
    seconds: float = QUICK
    env: dict[str, str] = field(default_factory=dict)


def aws_error(code: str, message: str) -> Callable[[], standin.Behaviour]:
    return lambda: on_object_get(lambda _request, _forward: standin.xml_error(403, code, message))


CASES: dict[str, Case] = {
    # The bucket's real region, as AWS names it.
    "wrong-region-given": Case(
        lambda: standin.region_strict,
        {"file_path": "file.txt"},
        source={"region": "us-east-1"},
        warns=WRONG_REGION,
    ),
    "no-region-with-endpoint": Case(lambda: standin.region_strict, {"file_path": "file.txt"}),
    "wrong-region-prefix": Case(
        lambda: standin.region_strict,
        {"prefix": ""},
        objects=("a.txt", "b.txt"),
        source={"region": "us-east-1"},
        warns=WRONG_REGION,
    ),
    "wrong-region-regexp": Case(
        lambda: standin.region_strict,
        {"regexp": r"app-(.*)\.tgz"},
        objects=("app-1.0.tgz", "app-1.1.tgz"),
        source={"region": "us-east-1"},
        warns=WRONG_REGION,
    ),
    "wrong-region-upload": Case(
        lambda: standin.region_strict,
        {"file_path": "upload.bin", "method": "put"},
        source={"region": "us-east-1"},
        warns=WRONG_REGION,
    ),
    "wrong-region-file-paths": Case(
        lambda: standin.region_strict, {"file_paths": ["a.txt", "b.txt"]}, objects=("a.txt", "b.txt")
    ),
    "region-in-a-301": Case(lambda: standin.region_redirect, {"file_path": "file.txt"}),
    # Redirects that name no region.
    "redirect-to-https": Case(
        lambda: standin.redirect_to_https,
        {"file_path": "file.txt"},
        fails=r"S3 answered 301 Moved Permanently, redirecting to https://127\.0\.0\.1:8443/bucket/[^ ]*file\.txt "
        r"without naming a region; set source\.endpoint to https://127\.0\.0\.1:8443",
    ),
    # Odd but legal headers.
    "duplicate-date": Case(
        lambda: with_headers({}, ("Date", "Thu, 01 Jan 2099 00:00:00 GMT"), ("Date", "Thu, 01 Jan 2099 00:00:00 GMT")),
        {"file_path": "file.txt"},
    ),
    "date-in-minus-0000": Case(
        lambda: with_headers({"Date": f"{GMT_AHEAD} -0000"}),
        {"file_path": "file.txt"},
        warns=r"the S3 server's clock is \d+ s ahead of this machine's",
    ),
    "date-without-zone": Case(
        lambda: with_headers({"Date": GMT_AHEAD}),
        {"file_path": "file.txt"},
        warns=r"the S3 server's clock is \d+ s ahead of this machine's",
    ),
    "date-unparseable": Case(lambda: with_headers({"Date": "yesterday"}), {"file_path": "file.txt"}),
    "no-last-modified-no-etag": Case(
        lambda: with_headers({"Last-Modified": None, "ETag": None}), {"file_path": "file.txt"}
    ),
    "content-length-abc": Case(lambda: with_headers({"Content-Length": "abc"}), {"file_path": "file.txt"}),
    "content-length-abc-no-range": Case(
        lambda: with_headers({"Content-Length": "abc", "Content-Range": None}), {"file_path": "file.txt"}
    ),
    "a-store-that-ignores-range": Case(lambda: standin.ignores_range, {"file_path": "file.txt"}),
    # A green step needs the answer of something that checks the link's signature, not any 200.
    "endpoint-is-a-web-page": Case(
        lambda: standin.a_web_page,
        {"file_path": "file.txt"},
        fails=rf"the endpoint answered 200 OK with text/html {NO_SIGNATURE_CHECKED}",
    ),
    "a-web-console-that-honours-range": Case(
        lambda: standin.a_console_that_honours_range,
        {"file_path": "file.txt"},
        fails=rf"the endpoint answered 206 Partial Content with application/x-tar {NO_SIGNATURE_CHECKED}",
    ),
    "upload-to-a-web-page": Case(
        lambda: standin.a_web_page,
        {"file_path": "upload.bin", "method": "put"},
        fails=r"checking s3://bucket for the upload: the endpoint answered 200 OK with text/html to the listing with "
        r"its signature altered, and does not list as S3 does: it is not S3 serving the bucket",
    ),
    "a-cache-keyed-by-path": Case(standin.CachesByPath, {"file_path": "file.txt"}),
    "an-empty-object-on-a-store-that-checks-no-signature": Case(
        lambda: on_object_get(standin.an_empty_object_for_anyone),
        {"file_path": "file.txt"},
        fails=rf"the endpoint answered 416 Requested Range Not Satisfiable with application/xml {NO_SIGNATURE_CHECKED}",
    ),
    "an-error-body-with-200": Case(
        lambda: on_object_get(
            lambda _r, _f: replace(standin.xml_error(403, "AccessDenied", "Access Denied"), status=200)
        ),
        {"file_path": "file.txt"},
        fails=NO_SIGNATURE_CHECKED,
    ),
    # S3's clock ahead of this machine's: links expire early by S3's reckoning.
    "download-while-s3-is-20-minutes-ahead": Case(
        lambda: standin.clock_ahead(1200),
        {"file_path": "file.txt", "expires_in": "15m"},
        fails=r"S3 refused the request by its clock \(Request has expired\): S3's clock is 1\d\d\d s ahead of this "
        r"machine's; set this machine's clock right",
    ),
    "download-while-s3-is-20-minutes-behind": Case(
        lambda: standin.clock_ahead(-1200),
        {"file_path": "file.txt"},
        fails=r"S3 refused the request by its clock \(Request is not yet valid\): S3's clock is 1\d\d\d s behind",
    ),
    "upload-while-s3-is-20-minutes-behind": Case(
        lambda: standin.clock_ahead(-1200),
        {"file_path": "upload.bin", "method": "put"},
        fails=r"S3 refused the request by its clock \(Request is not yet valid\): S3's clock is 1\d\d\d s behind",
    ),
    "prefix-while-s3-is-20-minutes-ahead": Case(
        lambda: standin.clock_ahead(1200),
        {"prefix": ""},
        fails=r"listing s3://bucket/\S*: S3 refused the request by its clock \(Request has expired\)",
    ),
    "upload-while-s3-is-20-minutes-ahead": Case(
        lambda: standin.clock_ahead(1200),
        {"file_path": "upload.bin", "method": "put", "expires_in": "15m"},
        fails=r"checking s3://bucket for the upload: S3 refused the request by its clock \(Request has expired\): "
        r"S3's clock is 1\d\d\d s ahead",
    ),
    "upload-link-dead-on-arrival": Case(
        lambda: standin.clock_ahead(600),
        {"file_path": "upload.bin", "method": "put", "expires_in": "5m"},
        fails=r"S3's clock is (59\d|60\d) s ahead of this machine's, so a link that lasts 300 s has expired by S3's "
        r"clock before anyone can use it",
    ),
    # Listings a broken store or proxy serves.
    "listing-entry-without-key": Case(
        lambda: Listing(sub(r"<Key>[^<]*</Key>", "", count=1)),
        {"prefix": ""},
        objects=("a.txt", "b.txt"),
        fails=r"listing s3://bucket/\S*: S3 listed an object without a key: is a proxy in the way\?",
    ),
    "listing-entry-without-last-modified": Case(
        lambda: Listing(sub(r"<LastModified>[^<]*</LastModified>", "")), {"prefix": ""}, objects=("a.txt", "b.txt")
    ),
    "listing-size-abc": Case(
        lambda: Listing(sub(r"<Size>[^<]*</Size>", "<Size>abc</Size>")), {"prefix": ""}, objects=("a.txt", "b.txt")
    ),
    "listing-regexp-without-last-modified": Case(
        lambda: Listing(sub(r"<LastModified>[^<]*</LastModified>", "")),
        {"regexp": r"app-(.*)\.tgz"},
        objects=("app-1.0.tgz", "app-2.0.tgz"),
    ),
    "listing-same-token-forever": Case(
        lambda: Listing(truncated(lambda _: "same")),
        {"prefix": ""},
        objects=("a.txt",),
        fails=r"S3 listed '\S*a\.txt' twice, on page 2: the store repeats pages",
    ),
    "listing-tokens-cycle": Case(
        lambda: Listing(edits(sub(r"(?s)<Contents>.*?</Contents>", ""), truncated(lambda n: f"t{n % 2}"))),
        {"prefix": ""},
        objects=("a.txt",),
        fails=r"S3 gave a continuation token a second time, after 3 pages: the listing would never end",
    ),
    "listing-endless-empty-pages": Case(
        lambda: Listing(edits(sub(r"(?s)<Contents>.*?</Contents>", ""), truncated(str))),
        {"prefix": "", "max_objects": 50},
        objects=("a.txt",),
        fails=r"51 pages for 0 objects: the listing does not end",
    ),
    "listing-truncated-without-token": Case(
        lambda: Listing(truncated(None)),
        {"prefix": ""},
        objects=("a.txt",),
        fails=r"S3 said page 1 was truncated but gave no continuation token",
    ),
    "listing-ignores-prefix": Case(
        lambda: Listing(
            sub("</ListBucketResult>", "<Contents><Key>u/bobby/secret.txt</Key></Contents></ListBucketResult>")
        ),
        {"prefix": "reports/"},
        objects=("u/alice/reports/q1.txt",),
        source={"key_prefix": "{case}u/alice/"},
        fails=r"S3 listed 'u/bobby/secret\.txt', outside the prefix '\S*u/alice/reports/'; nothing is signed",
    ),
    "listing-last-page-with-a-token": Case(
        lambda: Listing(
            sub("</ListBucketResult>", "<NextContinuationToken>more</NextContinuationToken></ListBucketResult>")
        ),
        {"prefix": ""},
        objects=("a.txt",),
        fails=r"S3 said page 1 was the last but gave a continuation token: the listing may be cut short",
    ),
    "listing-key-with-a-dot-segment": Case(
        lambda: Listing(
            sub(
                "</ListBucketResult>",
                "<Contents><Key>answers/listing-key-with-a-dot-segment/z/../b.txt</Key></Contents></ListBucketResult>",
            )
        ),
        {"prefix": ""},
        objects=("a.txt",),
        fails=r"s3://bucket/\S*z/\.\./b\.txt: the key has a '\.' or '\.\.' segment, which browsers and curl",
    ),
    "listing-dot-segment-key-not-signed": Case(
        # A regexp signs one object: a key it would never sign cannot fail it.
        lambda: Listing(
            sub(
                "</ListBucketResult>",
                "<Contents><Key>answers/listing-dot-segment-key-not-signed/z/../b.txt</Key></Contents>"
                "</ListBucketResult>",
            )
        ),
        {"regexp": r"app-(.*)\.tgz"},
        objects=("app-1.0.tgz",),
    ),
    "listing-key-too-long": Case(
        lambda: Listing(
            sub(
                "</ListBucketResult>",
                f"<Contents><Key>answers/listing-key-too-long/{'k' * 2000}</Key></Contents></ListBucketResult>",
            )
        ),
        {"prefix": ""},
        objects=("a.txt",),
        fails=r"S3 listed a key of 2029 bytes, longer than S3 allows: is a proxy in the way\?",
    ),
    "listing-with-a-doctype": Case(
        lambda: Listing(
            lambda body: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + body.split(b"?>", 1)[1]
        ),
        {"prefix": ""},
        fails=r"S3 answered 200 OK with a DOCTYPE, which S3 never sends: is a proxy in the way\?",
    ),
    "listing-invalid-xml": Case(
        lambda: Listing(sub("</ListBucketResult>", "")),
        {"prefix": ""},
        fails=r"S3 answered 200 OK with broken XML \(.*\): is a proxy in the way\?",
    ),
    "listing-html": Case(
        lambda: compose(with_headers({"Content-Type": "text/html"}), Listing(lambda _: b"<html><body>Sign in")),
        {"prefix": ""},
        fails=r"S3 answered 200 OK with text/html, not S3 XML: is a proxy in the way\?",
    ),
    "listing-not-url-encoded": Case(
        lambda: Listing(undo_url_encoding),
        {"prefix": ""},
        objects=("100%25 a+b.txt", "plain.txt"),
    ),
    # Objects a HEAD with the signer's client would pass, but a link does not fetch.
    "kms-key-not-granted": Case(
        lambda: on_object_get(standin.kms_denied),
        {"file_path": "file.txt"},
        fails=r"s3://bucket/\S*file\.txt is encrypted with a KMS key that the keys in source may not use; "
        r"grant kms:Decrypt",
    ),
    "archived-in-glacier": Case(
        lambda: on_object_get(standin.archived),
        {"file_path": "file.txt"},
        fails=r"s3://bucket/\S*file\.txt is archived in GLACIER and not restored; restore it before sharing it",
    ),
    "archived-in-a-prefix": Case(
        lambda: compose(
            on_object_get(
                lambda request, forward: standin.archived(request, forward) if "b.txt" in request.target else forward()
            ),
            Listing(
                sub(
                    r"(?s)(<Key>[^<]*b\.txt</Key>(?:(?!</Contents>).)*)<StorageClass>STANDARD",
                    r"\1<StorageClass>GLACIER",
                )
            ),
        ),
        {"prefix": ""},
        objects=("a.txt", "b.txt"),
        fails=r"s3://bucket/\S*b\.txt is archived in GLACIER and not restored",
    ),
    "requester-pays": Case(
        lambda: on_object_get(standin.requester_pays),
        {"file_path": "file.txt"},
        fails=r"s3://bucket/\S*file\.txt is in a requester-pays bucket",
    ),
    "access-denied": Case(
        aws_error("AccessDenied", "Access Denied"),
        {"file_path": "file.txt"},
        fails=r"s3://bucket/\S*file\.txt: access denied to the keys in source; grant s3:GetObject on it",
    ),
    # Nothing signed leaks, even when a server quotes the request back.
    "error-echoes-the-signature": Case(
        lambda: on_object_get(standin.echoes_the_request),
        {"file_path": "file.txt"},
        # The request the server quotes is an opaque run: it goes whole, query and all; the gate takes the header.
        fails=r"S3 answered 400 Bad Request, InvalidRequest: cannot route GET \[redacted\](?: \[redacted\])*$",
    ),
    "error-quotes-the-session-token": Case(
        lambda: on_object_get(standin.quotes_the_session_token),
        {"file_path": "file.txt"},
        source={"access_key_id": None, "secret_access_key": None},
        env={"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_SESSION_TOKEN": SESSION_TOKEN},
        fails=r"InvalidRequest: the session token \[redacted\] is unknown$",
    ),
    "redirect-with-a-password": Case(
        lambda: lambda _r, _f: Reply(302, [("Location", "https://admin:hunter2@127.0.0.1:8443/x")]).with_body(b""),
        {"file_path": "file.txt"},
        fails=r"redirecting to https://127\.0\.0\.1:8443/x without naming a region; set source\.endpoint to "
        r"https://127\.0\.0\.1:8443$",
    ),
    "a-new-region-every-answer": Case(
        standin.names_a_new_region_each_time,
        {"file_path": "file.txt"},
        fails=r"S3 named the region eu-west-2 for bucket bucket, after us-east-1 and eu-west-1; please specify "
        r"source\.region$",
    ),
    "wrong-region-then-no-such-object": Case(
        lambda: standin.region_strict,
        {"file_path": "missing.txt"},
        objects=(),
        source={"region": "us-east-1"},
        fails=r"s3://bucket/\S*missing\.txt does not exist",  # one line: the region's warning waits for success
    ),
    # However slowly the bytes come, the step ends within its bound.
    # Each answer's bound is shortened here to 1 s, and a byte comes every quarter of a second: no read waits
    # long, yet no answer is whole within the bound.
    "a-byte-a-quarter-second": Case(
        lambda: on_object_get(standin.trickle(0.25)),
        {"file_path": "file.txt"},
        fails=r"checking the link to s3://bucket/\S*: http://127\.0\.0\.1:\d+ did not answer in full within 1 s, "
        r"3 attempts",
        seconds=12,
        env={"S3_PRESIGNED_ANSWER_SECONDS": "1"},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_step_is_green_only_with_working_links(
    name: str, s3: S3Server, in_process: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In this process, the step over the network as the scripts run it; the tests below run the scripts.
    runner = in_process
    case = CASES[name]
    for variable, value in (case.env or {}).items():
        monkeypatch.setenv(variable, value)  # a bound the transport reads from the process's environment
    folder = f"answers/{name}/"
    for key in case.objects:
        s3.put(folder + key)
    with StandIn(s3.endpoint, case.behaviour()) as proxy:
        source = {
            "bucket": "bucket",
            "endpoint": proxy.endpoint,
            "access_key_id": ACCESS_KEY,
            "secret_access_key": SECRET_KEY,
        } | {key: value.format(case=folder) if isinstance(value, str) else value for key, value in case.source.items()}
        params = with_folder(case.params, "" if "key_prefix" in case.source else folder)
        started = time.monotonic()
        result = runner.get(source, params, timeout=case.seconds + 30, env=case.env)
        elapsed = time.monotonic() - started
        assert elapsed < case.seconds, f"took {elapsed:.1f} s"
        lines = result.stderr.splitlines()
        if case.fails is not None:
            assert result.returncode != 0
            assert len(lines) == 1, result.stderr
            assert re.search(case.fails, lines[0]), lines[0]
            assert lines[0].startswith("error: ")
            assert "unexpected" not in lines[0]
            assert list(result.directory.iterdir()) == []
            return
        assert result.returncode == 0, result.stderr
        warnings = [line for line in lines if line.startswith("warning: ")]
        assert lines == warnings, result.stderr
        if case.warns is None:
            assert not warnings, result.stderr
        else:
            assert len(warnings) == 1
            assert re.search(case.warns, warnings[0]), warnings[0]
        assert_links_work(result, proxy)


def with_folder(params: dict[str, Any], folder: str) -> dict[str, Any]:
    placed = dict(params)
    if "file_path" in placed:
        placed["file_path"] = folder + placed["file_path"]
    if "file_paths" in placed:
        placed["file_paths"] = [folder + key for key in placed["file_paths"]]
    if "prefix" in placed:
        placed["prefix"] = folder + placed["prefix"]
    if "regexp" in placed:
        placed["regexp"] = re.escape(folder) + placed["regexp"]
    return placed


def assert_links_work(result: StepResult, proxy: StandIn) -> None:
    """Fetch every link the step wrote, through the same stand-in, as the person who gets it would."""
    urls = [result.url] if (result.directory / "url").exists() else list(json.loads(result.file("urls.json")).values())
    assert urls
    for url in urls:
        assert url.startswith(proxy.endpoint)
        scope = parse_qs(urlsplit(url).query)["X-Amz-Credential"][0].split("/")[2]
        assert scope == result.metadata["region"]
        if result.file("method") == "PUT":
            assert fetch(url, method="PUT", data=b"uploaded")[0] == 200
        else:
            status, body, _ = fetch(url)
            assert status == 200, body
            assert body.startswith(b"contents of ")


def test_a_wrong_region_fails_without_verify_only_because_no_request_is_made(s3: S3Server, runner: Runner) -> None:
    # What verify: false gives up: the step asks S3 nothing, so it cannot learn the bucket's region.
    s3.put("answers/unverified/file.txt")
    with StandIn(s3.endpoint, standin.region_strict) as proxy:
        source = {"bucket": "bucket", "endpoint": proxy.endpoint, "region": "us-east-1"}
        source |= {"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}
        result = runner.get(source, {"file_path": "answers/unverified/file.txt", "verify": False})
        assert result.returncode == 0, result.stderr
        assert proxy.requests == []
        assert fetch(result.url)[0] == 400


def test_no_region_on_aws_is_found_by_asking(s3: S3Server, runner: Runner) -> None:
    # AWS proper, but its S3 endpoint pointed at the stand-in the way the AWS CLI allows: no region anywhere.
    s3.put("answers/aws/file.txt")
    with StandIn(s3.endpoint, standin.region_redirect) as proxy:
        source = {"bucket": "bucket", "addressing_style": "path", "access_key_id": ACCESS_KEY}
        source |= {"secret_access_key": SECRET_KEY}
        result = runner.get(source, {"file_path": "answers/aws/file.txt"}, env={"AWS_ENDPOINT_URL_S3": proxy.endpoint})
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert result.metadata["region"] == BUCKET_REGION
        assert_links_work(result, proxy)


def test_no_region_anywhere_and_no_requests_allowed_fails_and_says_so(runner: Runner) -> None:
    source = {"bucket": "my-bucket", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}
    result = runner.get(source, {"file_path": "x", "verify": False})
    assert result.returncode != 0
    assert result.stderr.startswith("error: source.region: no region is set here")
    assert "leave verify on so that the step can ask S3" in result.stderr


def test_keys_are_url_decoded_exactly_once(s3: S3Server, runner: Runner) -> None:
    keys = ["answers/decode/100%25 a+b.txt", "answers/decode/%41%2B.txt"]
    for key in keys:
        s3.put(key)
    result = runner.get(s3.source(), {"prefix": "answers/decode/"})
    assert sorted(json.loads(result.file("urls.json"))) == sorted(keys)
    for key, url in json.loads(result.file("urls.json")).items():
        assert urlsplit(url).path == f"/bucket/{quote(key, safe='/~')}"
        assert fetch(url)[0] == 200


def test_regexp_lists_only_under_whole_literal_segments(s3: S3Server, runner: Runner) -> None:
    # The character before ? is optional, so the listing must start at releases/, not releases/apps.
    for key in ("answers/regexp/app-3.0.tgz", "answers/regexp/apps-2.0.tgz", "answers/regexp/app-notes.txt"):
        s3.put(key)
    result = runner.get(s3.source(), {"regexp": r"answers/regexp/apps?-(\d.*)\.tgz"})
    assert result.file("key") == "answers/regexp/app-3.0.tgz"
    assert result.file("version") == "3.0"


def test_reply_helpers_keep_other_headers() -> None:
    reply = Reply(200, [("A", "1"), ("B", "2")]).with_headers({"A": None, "C": "3"}, ("D", "4"))
    assert reply.headers == [("B", "2"), ("C", "3"), ("D", "4")]


def test_the_altered_signature_is_sent_once_a_step(s3: S3Server, runner: Runner) -> None:
    # Every object here is listed as archived, so every link is fetched; only the first needs the altered one too.
    keys = [f"answers/once/{name}.txt" for name in "abc"]
    for key in keys:
        s3.put(key)
    glacier = Listing(sub("<StorageClass>STANDARD</StorageClass>", "<StorageClass>GLACIER</StorageClass>"))
    with StandIn(s3.endpoint, glacier) as proxy:
        source = {"bucket": "bucket", "endpoint": proxy.endpoint, "access_key_id": ACCESS_KEY}
        result = runner.get(source | {"secret_access_key": SECRET_KEY}, {"prefix": "answers/once/"})
        assert result.returncode == 0, result.stderr
        object_gets = [request for request in proxy.requests if not request.is_listing]
        assert len(object_gets) == len(keys) + 1
