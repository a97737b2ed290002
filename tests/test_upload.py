"""Upload URLs (method: put): an external party uploads without credentials, byte for byte.

An upload link signed by the scripts and one the docs' curl line sends run the generated scripts; the rest run
in-process, through the same envelope, against the same server.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import urllib.parse

import pytest

from s3_presigned.core.context import StepContext
from s3_presigned.request.params import parse_get_params
from s3_presigned.request.source import parse_source
from s3_presigned.s3.store import Store
from tests.support import BUCKET, ROOT, SECRET_KEY, Runner, S3Server, fetch, leaks, step_environment


def test_upload_through_the_url_comes_back_byte_identical(s3: S3Server, runner: Runner) -> None:
    result = runner.get(s3.source(), {"file_path": "uploads/blob.bin", "method": "put"})
    assert result.file("method") == "PUT"
    assert not (result.directory / "headers.json").exists()
    assert result.metadata["method"] == "PUT"
    payload = os.urandom(256 * 1024)
    status, _, _ = fetch(result.url, method="PUT", data=payload)
    assert status == 200
    stored = s3.client().get_object(Bucket=BUCKET, Key="uploads/blob.bin")["Body"].read()
    assert hashlib.sha256(stored).digest() == hashlib.sha256(payload).digest()


def test_upload_with_content_type_needs_exactly_that_header(s3: S3Server, in_process: Runner) -> None:
    params = {"file_path": "uploads/report.json", "method": "put", "content_type": "application/json"}
    result = in_process.get(s3.source(), params)
    headers = json.loads(result.file("headers.json"))
    assert headers == {"Content-Type": "application/json"}
    required = result.metadata["required_headers"]
    assert required == "the upload must send Content-Type, exactly as headers.json holds them"
    assert fetch(result.url, method="PUT", data=b"{}", headers={"Content-Type": "text/plain"})[0] == 403
    assert fetch(result.url, method="PUT", data=b'{"ok": true}', headers=headers)[0] == 200
    stored = s3.client().get_object(Bucket=BUCKET, Key="uploads/report.json")
    assert stored["Body"].read() == b'{"ok": true}'
    assert stored["ContentType"] == "application/json"


def test_curl_upload_as_docs_uploads_shows(s3: S3Server, runner: Runner) -> None:
    params = {"file_path": "uploads/curl.txt", "method": "put", "content_type": "text/plain"}
    result = runner.get(s3.source(), params)
    upload = result.directory.parent / "upload.txt"
    upload.write_bytes(b"sent with curl\n")
    header_args = [
        arg for name, value in json.loads(result.file("headers.json")).items() for arg in ("-H", f"{name}: {value}")
    ]
    curl = subprocess.run(
        [
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            result.file("method"),
            "-T",
            str(upload),
            *header_args,
            result.url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert curl.stdout == "200"
    assert s3.client().get_object(Bucket=BUCKET, Key="uploads/curl.txt")["Body"].read() == b"sent with curl\n"


def test_upload_urls_for_many_keys(s3: S3Server, in_process: Runner) -> None:
    keys = [f"uploads/many/{n}.txt" for n in range(5)]
    result = in_process.get(s3.source(), {"file_paths": keys, "method": "put"})
    urls = json.loads(result.file("urls.json"))
    assert list(urls) == keys
    for key, url in urls.items():
        assert fetch(url, method="PUT", data=key.encode())[0] == 200
        assert s3.client().get_object(Bucket=BUCKET, Key=key)["Body"].read() == key.encode()


def test_a_get_url_cannot_upload_and_a_put_url_cannot_download(s3: S3Server, in_process: Runner) -> None:
    s3.put("uploads/existing.txt")
    get_url = in_process.get(s3.source(), {"file_path": "uploads/existing.txt"}).url
    put_url = in_process.get(s3.source(), {"file_path": "uploads/existing.txt", "method": "put"}).url
    assert fetch(get_url, method="PUT", data=b"overwrite")[0] == 403
    assert fetch(put_url)[0] == 403


def test_download_only_params_are_refused_for_uploads(in_process: Runner, s3: S3Server) -> None:
    for field, value in [("file_name", "a.txt"), ("cache_control", "no-store"), ("prefix", "a/")]:
        params = {"file_path": "uploads/x", "method": "put", field: value}
        if field == "prefix":
            params = {"prefix": "a/", "method": "put"}
        result = in_process.get(s3.source(), params)
        assert result.returncode != 0
        assert result.stderr.startswith(f"error: params.{field}: "), result.stderr


QUERY_SIGNING_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
)


def docs_block(heading: str) -> str:
    """The first sh block under a heading of docs/uploads.md."""
    text = (ROOT / "docs" / "uploads.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


def test_the_curl_line_in_the_docs_sends_every_signed_header(s3: S3Server, in_process: Runner) -> None:
    params = {
        "file_path": "uploads/headers é.txt",
        "method": "put",
        "content_type": "text/plain",
        "metadata": {"owner": "team-a", "note": "a b"},
        "tags": {"team": "a b"},
        "content_md5": hashlib.md5(b"sent with its headers\n").hexdigest(),  # noqa: S324  # what Content-MD5 holds
    }
    result = in_process.get(s3.source(), params)
    written = (result.directory / "headers.json").read_text(encoding="utf-8")
    assert json.loads(written)["x-amz-meta-owner"] == "team-a"  # written exactly, not blanked as a query would be
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(result.url).query)
    # Signed as headers, which the upload must send, never as query parameters, which the link would carry.
    assert sorted(query) == sorted(QUERY_SIGNING_PARAMS)
    assert query["X-Amz-SignedHeaders"] == [
        "content-md5;content-type;host;x-amz-meta-note;x-amz-meta-owner;x-amz-tagging"
    ]
    assert result.metadata["required_headers"] == (
        "the upload must send Content-Type, Content-MD5, x-amz-tagging, x-amz-meta-owner, x-amz-meta-note, "
        "exactly as headers.json holds them"
    )
    assert leaks(result) == []
    work = result.directory.parent
    (work / "link").symlink_to(result.directory)
    (work / "report.json").write_bytes(b"sent with its headers\n")
    subprocess.run(["bash", "-euo", "pipefail", "-c", docs_block("Signed headers")], cwd=work, check=True, timeout=60)
    stored = s3.client().head_object(Bucket=BUCKET, Key="uploads/headers é.txt")
    # Header names are case-insensitive: rclone gives them back capitalised.
    assert {name.lower(): value for name, value in stored["Metadata"].items()} == {"owner": "team-a", "note": "a b"}
    assert stored["ContentType"] == "text/plain"


def test_a_header_value_that_holds_a_secret_of_the_step_fails_it_naming_its_param(
    s3: S3Server, in_process: Runner
) -> None:
    params = {"file_path": "uploads/x", "method": "put", "metadata": {"key": SECRET_KEY}}
    result = in_process.get(s3.source(), params)
    assert result.returncode != 0
    assert result.stderr == (
        "error: params.metadata.key holds one of the step's secrets, so it is not written; take it out of get_params\n"
    )
    assert not (result.directory / "headers.json").exists()


@pytest.mark.parametrize(
    "given",
    [{"metadata": {"source": "https://git@git.example/team/app"}}, {"tags": {"signature": "approved"}}],
    ids=["url-user", "signing-field"],
)
def test_a_header_value_shaped_like_a_secret_is_written_exactly(
    s3: S3Server, in_process: Runner, given: dict[str, object]
) -> None:
    result = in_process.get(s3.source(), {"file_path": "uploads/x", "method": "put"} | given)
    assert result.returncode == 0, result.stderr
    written = json.loads(result.file("headers.json"))
    assert (
        written
        == parse_get_params(
            parse_source(s3.source()), {"file_path": "uploads/x", "method": "put"} | given
        ).upload_headers
    )


def test_many_upload_links_carry_the_same_headers(s3: S3Server, in_process: Runner) -> None:
    keys = [f"uploads/tagged/{n} é.txt" for n in range(3)]
    params = {"file_paths": keys, "method": "put", "metadata": {"owner": "team-a"}, "acl": "private"}
    result = in_process.get(s3.source(), params)
    headers = json.loads(result.file("headers.json"))
    assert headers == {"x-amz-acl": "private", "x-amz-meta-owner": "team-a"}
    for key, url in json.loads(result.file("urls.json")).items():
        assert fetch(url, method="PUT", data=key.encode(), headers={"x-amz-acl": "private"})[0] == 403
        assert fetch(url, method="PUT", data=key.encode(), headers=headers)[0] == 200
        assert s3.client().get_object(Bucket=BUCKET, Key=key)["Body"].read() == key.encode()


def test_every_signature_a_form_sends_is_secret_to_the_step(s3: S3Server) -> None:
    # The proof posts a form with its signature altered; what was sent may come back quoted, so it is known secret.
    context = StepContext.of(step_environment())
    connection = parse_source(s3.source()).connection
    body = b'--b\r\nContent-Disposition: form-data; name="x-amz-signature"\r\n\r\n0123456789abcdefsent\r\n--b--\r\n'
    with Store.open(connection, context, wanted_seconds=60, may_ask=True, warnings=io.StringIO()) as store:
        store.send("posting", f"{s3.endpoint}/{BUCKET}", {"Content-Type": "multipart/form-data; boundary=b"}, form=body)
    assert "0123456789abcdefsent" not in context.knowledge.gate().scrub("quoted: 0123456789abcdefsent")
