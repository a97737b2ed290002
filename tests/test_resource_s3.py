"""The resource end to end: a real S3 server, and every URL fetched over HTTP.

The put and the get, the check, the environment's keys and what a failure leaves behind run the generated
scripts; what a get writes and how its links answer run in-process, through the same envelope.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from s3_presigned.core.failures.base import ResourceError
from s3_presigned.outputs import files
from tests.fake_s3 import fake_source
from tests.support import ACCESS_KEY, BUCKET, SECRET_KEY, VERSION, Runner, S3Server, fetch, parse_disposition


def test_put_then_get_signs_a_working_url(s3: S3Server, runner: Runner) -> None:
    body = s3.put("folder/file.txt", b"the artifact")
    put = runner.run("out", {"source": s3.source(), "params": {}})
    version = put.response["version"]
    assert list(version) == ["execution_date"]
    assert version["execution_date"].isdigit()
    assert put.response["metadata"] == []

    got = runner.get(
        s3.source(), {"file_path": "folder/file.txt", "file_name": "file.txt", "expires_in": {"hours": 24}}
    )
    assert got.response["version"] == VERSION
    url = got.url
    assert not url.endswith("\n")
    status, content, headers = fetch(url)
    assert (status, content) == (200, body)
    assert parse_disposition(headers["Content-Disposition"]) == ("attachment", "file.txt")


@pytest.mark.parametrize(
    ("params", "disposition"),
    [
        ({"file_path": "pages/page.html"}, ("attachment", None)),
        ({"regexp": r"pages/page\.(html)"}, ("attachment", None)),
        ({"file_path": "pages/page.html", "disposition": "inline"}, ("inline", None)),
    ],
)
def test_one_objects_link_downloads_as_a_file_unless_inline_is_asked(
    s3: S3Server, in_process: Runner, params: dict[str, str], disposition: tuple[str, str | None]
) -> None:
    # An object someone uploaded as a page is saved, not opened on the store's site, unless the pipeline says so.
    body = s3.put("pages/page.html", b"<script>document.title = 'ran'</script>")
    got = in_process.get(s3.source(), params)
    status, content, headers = fetch(got.url)
    assert (status, content) == (200, body)
    assert parse_disposition(headers["Content-Disposition"]) == disposition


def test_check_returns_no_versions(s3: S3Server, runner: Runner) -> None:
    result = runner.run("check", {"source": s3.source(), "version": VERSION})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_expiry_files_and_metadata(s3: S3Server, in_process: Runner) -> None:
    s3.put("meta.txt", b"12345")
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    result = in_process.get(s3.source(), {"file_path": "meta.txt", "expires_in": "1h30m"})
    after = datetime.datetime.now(datetime.UTC)
    expires_at = datetime.datetime.strptime(result.file("expires_at"), "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.UTC
    )
    assert before + datetime.timedelta(seconds=5400) <= expires_at <= after + datetime.timedelta(seconds=5400)
    query = parse_qs(urlsplit(result.url).query)
    assert query["X-Amz-Expires"] == ["5400"]
    metadata = result.metadata
    assert metadata["bucket"] == BUCKET
    assert metadata["key"] == "meta.txt"
    assert metadata["expires_in"] == "5400"
    assert metadata["expires_at"] == result.file("expires_at")
    assert metadata["size"] == "5"
    assert metadata["etag"]
    assert metadata["content_type"]
    assert metadata["last_modified"].endswith("Z")


def test_without_verify_no_object_metadata_is_claimed(s3: S3Server, in_process: Runner) -> None:
    result = in_process.get(s3.source(), {"file_path": "not-there-yet.txt", "verify": False})
    assert set(result.metadata) == {"bucket", "region", "method", "key", "expires_at", "expires_in"}
    assert fetch(result.url)[0] == 404


def test_missing_object_fails_and_names_bucket_and_key(s3: S3Server, runner: Runner) -> None:
    result = runner.get(s3.source(), {"file_path": "no/such/object.txt"})
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1
    assert result.stderr == (
        "error: s3://bucket/no/such/object.txt does not exist; check the key and source.key_prefix, for example "
        "with: aws s3 ls s3://bucket/no/such/\n"
    )
    assert not any(result.directory.iterdir())


def test_tampered_url_is_refused(s3: S3Server, in_process: Runner) -> None:
    s3.put("secret-report.pdf")
    s3.put("other-report.pdf")
    url = in_process.get(s3.source(), {"file_path": "secret-report.pdf"}).url
    assert fetch(url)[0] == 200
    assert fetch(url.replace("secret-report.pdf", "other-report.pdf"))[0] == 403
    assert fetch(url.replace("X-Amz-Expires=3600", "X-Amz-Expires=7200"))[0] == 403
    signature = parse_qs(urlsplit(url).query)["X-Amz-Signature"][0]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    assert fetch(url.replace(signature, flipped))[0] == 403


def test_wrong_secret_is_refused(s3: S3Server, in_process: Runner) -> None:
    s3.put("wrong-secret.txt")
    result = in_process.get(
        s3.source(secret_access_key="not/the+right/secret"), {"file_path": "wrong-secret.txt", "verify": False}
    )
    assert fetch(result.url)[0] == 403


@pytest.mark.parametrize(
    ("wrong", "cause"),
    [
        (
            {"secret_access_key": "not/the+right/secret"},
            "the secret key of the keys in source does not match its access key id (SignatureDoesNotMatch)",
        ),
        (
            {"access_key_id": "AKIANOSUCHKEY0000000"},
            "S3 does not know the access key id of the keys in source (InvalidAccessKeyId)",
        ),
    ],
)
def test_wrong_keys_fail_verify_naming_the_cause(
    s3: S3Server, in_process: Runner, wrong: dict[str, str], cause: str
) -> None:
    s3.put("wrong-keys.txt")
    result = in_process.get(s3.source(**wrong), {"file_path": "wrong-keys.txt"})
    assert result.stderr == f"error: checking the link to s3://bucket/wrong-keys.txt: {cause}\n"


def test_missing_bucket_fails_naming_it(s3: S3Server, runner: Runner) -> None:
    result = runner.get(s3.source(bucket="no-such-bucket"), {"file_path": "x.txt"})
    assert result.stderr == (
        f"error: checking the link to s3://no-such-bucket/x.txt: the bucket no-such-bucket does not exist at "
        f"{s3.endpoint} (NoSuchBucket)\n"
    )


def test_an_empty_object_is_proven_too(s3: S3Server, in_process: Runner) -> None:
    # A ranged GET of an empty object answers 416: there is no first byte. The link still works.
    s3.client().put_object(Bucket=BUCKET, Key="empty.txt", Body=b"")
    result = in_process.get(s3.source(), {"file_path": "empty.txt"})
    assert result.metadata["size"] == "0"
    assert fetch(result.url)[:2] == (200, b"")


def test_url_stops_working_after_it_expires(s3: S3Server, in_process: Runner) -> None:
    s3.put("short-lived.txt")
    # Three seconds: enough for the step and the first fetch on a busy machine, short enough to wait for.
    result = in_process.get(s3.source(), {"file_path": "short-lived.txt", "expires_in": "3s"})
    assert fetch(result.url)[0] == 200
    time.sleep(3.2)
    assert fetch(result.url)[0] in (400, 403)


@pytest.mark.parametrize(
    ("params", "header"),
    [
        ({"content_type": "application/x-custom"}, "Content-Type"),
        ({"cache_control": "no-store"}, "Cache-Control"),
        ({"content_language": "de-DE"}, "Content-Language"),
        ({"content_encoding": "identity"}, "Content-Encoding"),
    ],
)
def test_response_overrides_reach_the_download(
    s3: S3Server, in_process: Runner, params: dict[str, str], header: str
) -> None:
    s3.put("override.bin")
    result = in_process.get(s3.source(), {"file_path": "override.bin", **params})
    status, _, headers = fetch(result.url)
    assert status == 200
    assert headers[header] == next(iter(params.values()))


def test_inline_disposition_without_name(s3: S3Server, in_process: Runner) -> None:
    s3.put("page.html")
    result = in_process.get(s3.source(), {"file_path": "page.html", "disposition": "inline"})
    assert fetch(result.url)[2]["Content-Disposition"] == "inline"


def test_key_prefix_confines_the_key(s3: S3Server, in_process: Runner) -> None:
    body = s3.put("u/alice/report.txt")
    result = in_process.get(s3.source(key_prefix="u/alice/"), {"file_path": "report.txt"})
    assert result.metadata["key"] == "u/alice/report.txt"
    assert fetch(result.url)[1] == body


def test_custom_url_file(s3: S3Server, in_process: Runner) -> None:
    s3.put("named.txt")
    result = in_process.get(s3.source(), {"file_path": "named.txt", "url_file": "download-link"})
    assert sorted(path.name for path in result.directory.iterdir()) == ["download-link", "expires_at", "method"]
    assert fetch(result.file("download-link"))[0] == 200


def test_url_path_decodes_to_exactly_the_key(over_fake: Runner) -> None:
    # rclone cannot store keys with a leading slash or '//', so these are checked in the URL itself.
    for key in ("/leading", "a//b", "sp ace+plus?q#h%25=~"):
        result = over_fake.get(fake_source(), {"file_path": key, "verify": False})
        path = urlsplit(result.url).path
        assert unquote(path) == f"/{BUCKET}/{key}"


def test_version_id_is_signed(over_fake: Runner) -> None:
    result = over_fake.get(fake_source(), {"file_path": "versioned.txt", "version_id": "v-123", "verify": False})
    assert parse_qs(urlsplit(result.url).query)["versionId"] == ["v-123"]


def test_out_rejects_get_params_under_params(in_process: Runner) -> None:
    result = in_process.run("out", {"source": fake_source(), "params": {"file_path": "folder/file.txt"}})
    assert result.returncode != 0
    assert result.stderr == (
        "error: params.file_path: belongs under the put's get_params, not params: "
        "the URL is signed by the get that follows the put\n"
    )


def test_unknown_key_suggests_the_closest(in_process: Runner) -> None:
    result = in_process.get(fake_source(), {"file_path": "x", "expire_in": 60})
    assert result.returncode != 0
    assert result.stderr.startswith("error: params.expire_in: unknown field; did you mean 'expires_in'?")


def test_a_pipeline_written_for_the_concoursetools_example_runs_unchanged(s3: S3Server, runner: Runner) -> None:
    # That example's source is bucket_name and region_name, with keys from the environment; its params are
    # file_path, expires_in as a mapping, file_name and url_file. Only the endpoint is added, to reach rclone.
    body = s3.put("folder/from-the-example.txt")
    source = {"bucket_name": BUCKET, "region_name": "us-east-1", "endpoint": s3.endpoint}
    params = {"file_path": "folder/from-the-example.txt", "file_name": "file.txt", "expires_in": {"hours": 24}}
    credentials = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    result = runner.get(source, params | {"url_file": "link"}, env=credentials)
    status, content, headers = fetch(result.file("link"))
    assert (status, content) == (200, body)
    assert headers["Content-Disposition"] == 'attachment; filename="file.txt"'
    assert result.metadata["expires_in"] == "86400"


def test_a_destination_that_cannot_take_the_files_leaves_nothing_behind(
    s3: S3Server, runner: Runner, tmp_path: Path
) -> None:
    # Concourse gives a fresh directory; a step run by hand may not, and must not leave a part of a URL.
    s3.put("clash/a.txt")
    destination = tmp_path / "clash"
    (destination / "urls.json").mkdir(parents=True)
    result = runner.get(s3.source(), {"prefix": "clash/"}, directory=destination)
    assert result.returncode != 0
    assert result.stderr.startswith(f"error: destination: cannot write {destination}: ")
    assert sorted(path.name for path in destination.iterdir()) == ["urls.json"]
    assert list((destination / "urls.json").iterdir()) == []


def test_a_file_that_cannot_be_read_while_the_files_are_written_is_named_not_the_destination(tmp_path: Path) -> None:
    # Such as a page's style missing from an installation: the destination is fine, and the line says so.
    destination = tmp_path / "destination"
    missing = tmp_path / "page" / "page.css"

    def write_with_the_style() -> None:
        with files.staged_files(destination) as staged:
            staged.write("url", "link")
            missing.read_text()

    with pytest.raises(ResourceError) as raised:
        write_with_the_style()
    assert str(raised.value) == (
        f"cannot read {missing}, which the resource needs to write its files: No such file or directory"
    )


def test_a_key_with_a_leading_slash_that_rclone_refuses_is_told_to_drop_it(s3: S3Server, in_process: Runner) -> None:
    # rclone answers 400 InvalidArgument, not 404, for such a key: the hint does not wait for a 404.
    s3.put("docs/report.pdf")
    result = in_process.get(s3.source(), {"file_path": "/docs/report.pdf"})
    assert result.returncode == 1
    assert result.stderr.endswith(" (it starts with '/': drop it if the object is docs/report.pdf)\n"), result.stderr
    assert result.stderr.count("\n") == 1
