"""The field declaration is what validation reads: every example valid, every default used, every method kept to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.outputs.files import staged_files
from s3_presigned.request import fields
from s3_presigned.request.expiry import parse_expires_in
from s3_presigned.request.fields import METHOD_NAMES, METHODS, MODES, PARAMS, SOURCE, Field
from s3_presigned.request.params import MAX_FILE_NAME, GetParams, parse_get_params
from s3_presigned.request.source import Source, parse_source

BASE_SOURCE = {"bucket": "bucket", "endpoint": "http://127.0.0.1:9"}
SOURCE_NEEDS = {  # the fields a field is given with, because it means nothing alone
    "secret_access_key": {"access_key_id": "id"},
    "access_key_id": {"secret_access_key": "secret"},
    "session_token": {"access_key_id": "id", "secret_access_key": "secret"},
    "role_session_name": {"role_arn": "arn:aws:iam::123456789012:role/name"},
    "external_id": {"role_arn": "arn:aws:iam::123456789012:role/name"},
    "web_identity_token": {"role_arn": "arn:aws:iam::123456789012:role/name"},
}


def parsed_source(**given: object) -> Source:
    return parse_source(BASE_SOURCE | given)


def selector_for(field: Field) -> dict[str, Any]:
    if field.name in MODES:
        return {}
    # The page's title and message need a page: for downloads, many links.
    mode = field.modes[0] if field.modes else "prefix" if field.name in ("title", "message") else "file_path"
    return {mode: fields.BY_NAME[mode].example}


@pytest.mark.parametrize("field", SOURCE, ids=fields.names(SOURCE))
def test_every_source_example_is_valid(field: Field) -> None:
    given = SOURCE_NEEDS.get(field.name, {}) | {field.name: field.example}
    if field.name == "region":
        given["endpoint"] = None
    parsed_source(**given)


@pytest.mark.parametrize("field", PARAMS, ids=fields.names(PARAMS))
def test_every_param_example_is_valid_where_it_applies(field: Field) -> None:
    method = "get" if "get" in field.methods else field.methods[0]
    given = selector_for(field) | {field.name: field.example}
    if field.name != "method":
        given["method"] = method
    if given.get("method") == "post":
        given.setdefault("max_size", "1GB")
    params = parse_get_params(parsed_source(), given)
    assert params.method == given.get("method", "get")


MISPLACED = [(field, method) for field in PARAMS for method in METHODS if method not in field.methods]


@pytest.mark.parametrize(("field", "method"), MISPLACED, ids=[f"{f.name}-{m}" for f, m in MISPLACED])
def test_a_param_for_another_method_is_refused_not_dropped(field: Field, method: str) -> None:
    given = {"method": method, "file_path": "a.txt"} if field.name not in MODES else {"method": method}
    with pytest.raises(ConfigError) as raised:
        parse_get_params(parsed_source(), given | {field.name: field.example})
    applies = " and ".join(METHOD_NAMES[other] for other in field.methods)
    assert str(raised.value) == f"params.{field.name}: applies to {applies}, not to {METHOD_NAMES[method]}"


def test_version_id_with_method_put_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_get_params(parsed_source(), {"method": "put", "file_path": "a", "version_id": "v1"})
    assert raised.value.field == "params.version_id"
    assert raised.value.problem.startswith("applies to download links")


@pytest.mark.parametrize("field", [field for field in PARAMS if field.modes], ids=lambda f: f.name)
def test_a_param_given_for_another_selector_is_refused(field: Field) -> None:
    other = next(mode for mode in MODES if mode not in field.modes)
    given = {other: fields.BY_NAME[other].example, field.name: field.example, "method": field.methods[0]}
    with pytest.raises(ConfigError) as raised:
        parse_get_params(parsed_source(), given)
    assert str(raised.value) == f"params.{field.name}: applies to {' and '.join(field.modes)} only, not to {other}"


def test_left_out_fields_take_their_declared_defaults() -> None:
    source = parsed_source(role_arn="arn:aws:iam::123456789012:role/name")
    connection = source.connection
    assert connection.addressing_style == fields.BY_NAME["addressing_style"].default
    assert connection.role is not None
    assert connection.role.session_name == fields.BY_NAME["role_session_name"].default
    assert connection.verify_ssl is not fields.BY_NAME["skip_ssl_verification"].default
    params = parse_get_params(source, {"prefix": "p/"})
    declared = {name: fields.BY_NAME[name].default for name in ("method", "verify", "max_objects")}
    assert {name: getattr(params, name) for name in declared} == declared
    assert params.expires_in == parse_expires_in(fields.BY_NAME["expires_in"].default) == 3600
    assert params.allow_empty is fields.BY_NAME["allow_empty"].default
    assert params.url_file == fields.BY_NAME["url_file"].default


def test_aliases_mean_the_field_and_two_names_at_once_are_refused() -> None:
    assert parsed_source(bucket=None, bucket_name="other").connection.bucket == "other"
    with pytest.raises(ConfigError) as raised:
        parse_source({"bucket": "b", "region_name": "eu-west-2", "region": "eu-west-2"})
    assert raised.value.field == "source.region_name"
    assert raised.value.problem.startswith("is another name for region")


def test_secret_fields_are_declared_secret_and_picked_out() -> None:
    assert fields.SECRET_FIELDS == (
        "access_key_id",
        "secret_access_key",
        "session_token",
        "external_id",
        "web_identity_token",
    )
    given = {"secret_access_key": "s3cr3t", "session_token": "t0k3n", "external_id": None, "bucket": "b"}
    assert fields.secret_values(given) == ("s3cr3t", "t0k3n")


def test_names_other_tools_use_are_suggested() -> None:
    assert fields.closest("aws_access_key_id", SOURCE) == "access_key_id"
    assert fields.closest("Expiry", PARAMS) == "expires_in"
    assert fields.closest("colour", SOURCE) is None


@pytest.mark.parametrize(
    ("name", "accepted"),
    [("u" * 245, True), ("u" * 246, False), ("\u00e9" * 122, True), ("\u00e9" * 123, False), ("u" * 250, False)],
)
def test_url_file_is_measured_in_bytes_with_room_for_its_staged_copy(tmp_path: Path, name: str, accepted: bool) -> None:
    source = parsed_source()
    if not accepted:
        with pytest.raises(ConfigError) as raised:
            parse_get_params(source, {"file_path": "a", "url_file": name})
        assert raised.value.field == "params.url_file"
        assert raised.value.problem.startswith(f"is {len(name.encode())} bytes long in UTF-8; at most 245 fit")
        return
    params = parse_get_params(source, {"file_path": "a", "url_file": name})
    with staged_files(tmp_path) as files:  # the longest accepted name can be staged and placed
        files.write(params.url_file, "link")
    assert (tmp_path / name).read_text(encoding="utf-8") == "link"
    assert len(name.encode()) <= MAX_FILE_NAME


def test_the_records_call_each_field_by_its_name_in_the_table() -> None:
    # A record's value read from one field carries that field's name; the rest are built from several fields.
    built = {"selection", "overrides", "form", "upload_headers"}
    assert set(GetParams._fields) - built <= {field.name for field in PARAMS}
    assert set(Source._fields) - {"connection"} <= {field.name for field in SOURCE}
