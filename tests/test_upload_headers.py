"""The headers an upload link signs, and the fields a form adds, from their params: in S3's forms, checked once."""

from __future__ import annotations

import base64
import hashlib

import pytest

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.request.params import GetParams, parse_get_params
from s3_presigned.request.source import parse_source

SOURCE = parse_source({"bucket": "my-bucket", "endpoint": "http://127.0.0.1:9"})
BODY = b"the body\n"


def put(**params: object) -> GetParams:
    return parse_get_params(SOURCE, {"file_path": "k", "method": "put"} | params)


def test_each_param_becomes_the_header_s3_reads_in_its_form() -> None:
    params = put(
        content_type="text/csv",
        metadata={"owner": "team-a", "build-id": "42"},
        tags={"team": "a b", "path": "x/y+z=1"},
        acl="bucket-owner-full-control",
        server_side_encryption="aws:kms",
        kms_key_id="alias/uploads",
        overwrite=False,
        checksum_sha256=hashlib.sha256(BODY).hexdigest().upper(),
        content_md5=hashlib.md5(BODY).hexdigest(),  # noqa: S324  # what S3's Content-MD5 holds
    )
    assert params.upload_headers == {
        "Content-Type": "text/csv",
        "Content-MD5": base64.b64encode(hashlib.md5(BODY).digest()).decode(),  # noqa: S324
        "x-amz-checksum-sha256": base64.b64encode(hashlib.sha256(BODY).digest()).decode(),
        "If-None-Match": "*",
        "x-amz-acl": "bucket-owner-full-control",
        "x-amz-tagging": "team=a%20b&path=x%2Fy%2Bz%3D1",
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": "alias/uploads",
        "x-amz-meta-owner": "team-a",
        "x-amz-meta-build-id": "42",
    }


def test_a_kms_key_alone_means_aws_kms_and_overwrite_true_sends_nothing() -> None:
    assert put(kms_key_id="alias/k", overwrite=True).upload_headers == {
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": "alias/k",
    }


def test_a_form_carries_metadata_tags_and_acl_as_fields_its_policy_names() -> None:
    params = parse_get_params(
        SOURCE,
        {
            "prefix": "in/",
            "method": "post",
            "max_size": 10,
            "metadata": {"owner": "a"},
            "tags": {"t": "a b/c"},
            "acl": "private",
        },
    )
    assert params.upload_headers == {}
    assert params.form is not None
    assert params.form.fields == {
        "x-amz-meta-owner": "a",
        "acl": "private",
        "tagging": "<Tagging><TagSet><Tag><Key>t</Key><Value>a b/c</Value></Tag></TagSet></Tagging>",
    }


BAD = [
    (
        {"metadata": "owner=a"},
        "params.metadata: got 'owner=a'; expected a map of names to text, such as {owner: team-a}",
    ),
    (
        {"metadata": {"Owner": "a"}},
        "params.metadata: the name 'Owner' is not lowercase letters, digits and - (at most 128), such as owner",
    ),
    (
        {"metadata": {"my_name": "a"}},
        "params.metadata: the name 'my_name' is not lowercase letters, digits and - (at most 128), such as owner",
    ),
    (
        {"metadata": {"owner": "é"}},
        "params.metadata.owner: got 'é'; expected printable ASCII text, without spaces at either end, as S3 keeps it",
    ),
    ({"metadata": {"a": "x" * 2048}}, "params.metadata: its names and values are 2049 bytes; S3 takes at most 2048"),
    ({"tags": {str(n): "v" for n in range(11)}}, "params.tags: has 11 tags; S3 takes at most 10 on an object"),
    (
        {"tags": {"team": "a;b"}},
        "params.tags.team: got 'a;b'; expected text of up to 256 of letters, digits, spaces and _ . : / = + - @",
    ),
    (
        {"acl": "public"},
        (
            "params.acl: got 'public'; expected a canned ACL: private, public-read, public-read-write, "
            "authenticated-read, aws-exec-read, bucket-owner-read, bucket-owner-full-control"
        ),
    ),
    (
        {"server_side_encryption": "aes256"},
        "params.server_side_encryption: got 'aes256'; expected one of AES256, aws:kms, aws:kms:dsse",
    ),
    (
        {"server_side_encryption": "AES256", "kms_key_id": "k"},
        "params.kms_key_id: applies to server_side_encryption: aws:kms, not AES256",
    ),
    ({"overwrite": "no"}, "params.overwrite: got 'no'; expected true or false"),
    (
        {"checksum_sha256": "abc"},
        "params.checksum_sha256: got 'abc'; expected 64 hex digits, as sha256sum prints them",
    ),
    (
        {"content_md5": base64.b64encode(b"x" * 16).decode()},
        "params.content_md5: got 'eHh4eHh4eHh4eHh4eHh4eA=='; expected 32 hex digits, as md5sum prints them",
    ),
]


@pytest.mark.parametrize(
    ("given", "line"), BAD, ids=[line.partition(":")[0] + str(n) for n, (_, line) in enumerate(BAD)]
)
def test_a_bad_value_is_one_line_naming_the_field_and_what_is_accepted(given: dict[str, object], line: str) -> None:
    with pytest.raises(ConfigError) as raised:
        put(**given)
    assert str(raised.value) == line


def test_a_checksum_for_many_keys_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_get_params(SOURCE, {"file_paths": ["a", "b"], "method": "put", "content_md5": "0" * 32})
    assert str(raised.value) == "params.content_md5: applies to file_path only, not to file_paths"


def test_a_tag_with_a_line_break_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        put(tags={"team": "a\nb"})
    assert str(raised.value) == (
        "params.tags.team: got 'a\\nb'; expected text of up to 256 of letters, digits, spaces and _ . : / = + - @"
    )


@pytest.mark.parametrize(
    "content_type", ["text/plain; name=caf\u00e9", "text/\u6f22", "text/plain\u2028", " text/plain"]
)
def test_a_put_links_content_type_is_ascii_that_curl_and_browsers_send_alike(content_type: str) -> None:
    with pytest.raises(ConfigError) as raised:
        put(content_type=content_type)
    assert raised.value.field == "params.content_type"
    assert "expected printable ASCII text, without spaces at either end" in raised.value.problem
    # a download's Content-Type is S3's to send, in the link's query: it is taken as it is
    get = parse_get_params(SOURCE, {"file_path": "k", "content_type": content_type})
    assert get.overrides["ResponseContentType"] == content_type


@pytest.mark.parametrize("key", ["aws:team", "AWS:cost-center"])
def test_a_tag_key_that_s3_keeps_for_aws_is_refused(key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        put(tags={key: "a"})
    assert str(raised.value) == f"params.tags: the key '{key}' begins with aws:, which S3 keeps for AWS's own tags"


def test_a_kms_key_id_longer_than_any_kms_key_is_refused_as_such() -> None:
    assert put(kms_key_id="k" * 2048).upload_headers["x-amz-server-side-encryption-aws-kms-key-id"] == "k" * 2048
    with pytest.raises(ConfigError) as raised:
        put(kms_key_id="k" * 2049)
    assert raised.value.field == "params.kms_key_id"
    assert "up to 2048 printable ASCII characters" in raised.value.problem
