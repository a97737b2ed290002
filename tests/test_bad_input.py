"""Every bad input answered with one line that names the field, by the real scripts, leaving nothing behind."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support import ACCESS_KEY, SECRET_KEY, VERSION, Runner, S3Server, fetch, parse_disposition

# A closed port: nothing in this matrix may get as far as the network.
SOURCE = {
    "bucket": "bucket",
    "endpoint": "http://127.0.0.1:9",
    "access_key_id": ACCESS_KEY,
    "secret_access_key": SECRET_KEY,
}
PARAMS = {"file_path": "folder/file.txt"}


def get(source: dict[str, Any] | None = None, params: dict[str, Any] | None = None, **request: Any) -> str:
    payload = {
        "source": SOURCE if source is None else source,
        "version": VERSION,
        "params": PARAMS if params is None else params,
    }
    return json.dumps(payload | request)


def source_with(**fields: Any) -> dict[str, Any]:
    return SOURCE | fields


def params_with(**fields: Any) -> dict[str, Any]:
    return PARAMS | fields


def form_with(**fields: Any) -> dict[str, Any]:
    return {"file_path": "inbox/upload.bin", "method": "post", "max_size": "1MB"} | fields


CASES: list[tuple[str, str, str, str]] = [
    # (id, step, stdin, the field the one line must name)
    ("stdin-empty", "in", "", "stdin"),
    ("stdin-not-json", "in", "source: bucket", "stdin"),
    ("stdin-json-then-garbage", "in", get() + " trailing", "stdin"),
    ("stdin-null", "in", "null", "stdin"),
    ("stdin-list", "in", "[]", "stdin"),
    ("stdin-empty-check", "check", "", "stdin"),
    ("stdin-list-out", "out", '[{"source": {}}]', "stdin"),
    ("source-not-mapping", "in", get(source="bucket"), "source"),  # type: ignore[arg-type]
    ("bucket-missing", "in", get(source={"endpoint": "http://127.0.0.1:9"}), "source.bucket"),
    ("bucket-empty", "in", get(source=source_with(bucket="")), "source.bucket"),
    ("bucket-number", "check", json.dumps({"source": {"bucket": 5}}), "source.bucket"),
    ("bucket-s3-url", "out", json.dumps({"source": {"bucket": "s3://bucket/key"}}), "source.bucket"),
    ("source-typo", "in", get(source=source_with(buckt="x")), "source.buckt"),
    ("file-path-missing", "in", get(params={}), "params.file_path"),
    ("file-path-empty", "in", get(params={"file_path": ""}), "params.file_path"),
    ("file-path-number", "in", get(params={"file_path": 7}), "params.file_path"),
    ("file-path-lone-surrogate", "in", get(params={"file_path": "a\ud800b"}), "params.file_path"),
    ("key-1025-bytes", "in", get(params={"file_path": "k" * 1025}), "params.file_path"),
    (
        "key-1025-bytes-with-prefix",
        "in",
        get(source=source_with(key_prefix="p/"), params={"file_path": "k" * 1023}),
        "params.file_path",
    ),
    ("params-typo", "in", get(params=params_with(expire_in=60)), "params.expire_in"),
    (
        "params-null",
        "in",
        json.dumps({"source": SOURCE, "version": VERSION, "params": None}),
        "params.file_path",
    ),
    ("params-list", "in", get(params=["file_path"]), "params"),  # type: ignore[arg-type]
    ("expires-0", "in", get(params=params_with(expires_in=0)), "params.expires_in"),
    ("expires-negative", "in", get(params=params_with(expires_in=-1)), "params.expires_in"),
    ("expires-604801", "in", get(params=params_with(expires_in=604801)), "params.expires_in"),
    ("expires-float", "in", get(params=params_with(expires_in=1.5)), "params.expires_in"),
    ("expires-string-digits", "in", get(params=params_with(expires_in="3600")), "params.expires_in"),
    ("expires-true", "in", get(params=params_with(expires_in=True)), "params.expires_in"),
    ("expires-1e9", "in", get(params=params_with(expires_in=1e9)), "params.expires_in"),
    ("expires-2-weeks", "in", get(params=params_with(expires_in={"weeks": 2})), "params.expires_in"),
    ("expires-unit-typo", "in", get(params=params_with(expires_in={"hourz": 1})), "params.expires_in.hourz"),
    ("expires-24x", "in", get(params=params_with(expires_in="24x")), "params.expires_in"),
    # A bare number under a minute is a unit left out, as 3 meant as 3 days.
    ("expires-bare-3", "in", get(params=params_with(expires_in=3)), "params.expires_in"),
    ("expires-bare-string-3", "in", get(params=params_with(expires_in="3")), "params.expires_in"),
    ("file-name-crlf", "in", get(params=params_with(file_name="a.txt\r\nSet-Cookie: x=y")), "params.file_name"),
    ("file-name-lf", "in", get(params=params_with(file_name="a\nb.txt")), "params.file_name"),
    ("file-name-nul", "in", get(params=params_with(file_name="a\u0000b")), "params.file_name"),
    ("file-name-5000", "in", get(params=params_with(file_name="n" * 5000)), "params.file_name"),
    ("file-name-empty", "in", get(params=params_with(file_name="")), "params.file_name"),
    ("disposition-unknown", "in", get(params=params_with(disposition="download")), "params.disposition"),
    ("disposition-inline-prefix", "in", get(params={"prefix": "a/", "disposition": "inline"}), "params.disposition"),
    ("title-without-page", "in", get(params=params_with(title="Files")), "params.title"),
    ("title-regexp", "in", get(params={"regexp": "a-(.*).tgz", "title": "Files"}), "params.title"),
    ("title-for-put", "in", get(params={"file_paths": ["a"], "method": "put", "title": "x"}), "params.title"),
    ("title-blank", "in", get(params={"prefix": "a/", "title": "  "}), "params.title"),
    ("title-list", "in", get(params={"prefix": "a/", "title": ["a"]}), "params.title"),
    ("title-201", "in", get(params={"prefix": "a/", "title": "t" * 201}), "params.title"),
    ("message-2001", "in", get(params={"prefix": "a/", "message": "m" * 2001}), "params.message"),
    ("message-surrogate", "in", get(params={"prefix": "a/", "message": "\ud800"}), "params.message"),
    ("content-type-crlf", "in", get(params=params_with(content_type="text/plain\r\nX: y")), "params.content_type"),
    # A form admits one exact type that a browser will not run: a family's policy also takes lists and pages.
    *(
        (f"form-type-{kind}", "in", get(params=form_with(content_type=kind)), "params.content_type")
        for kind in (
            "image/*",
            "text/*",
            "video/*",
            "text/html",
            "image/svg+xml",
            "application/xhtml+xml",
            "image/png,text/html",
            "text/xml",
            "application/javascript",
            "multipart/mixed",
            "message/rfc822",
            "application/unknown",
            "unknown/unknown",
            "Application/Unknown",
        )
    ),
    ("url-file-dotdot", "in", get(params=params_with(url_file="../x")), "params.url_file"),
    ("url-file-absolute", "in", get(params=params_with(url_file="/etc/x")), "params.url_file"),
    ("url-file-nested", "in", get(params=params_with(url_file="a/b")), "params.url_file"),
    ("url-file-empty", "in", get(params=params_with(url_file="")), "params.url_file"),
    ("url-file-reserved", "in", get(params=params_with(url_file="expires_at")), "params.url_file"),
    ("verify-string", "in", get(params=params_with(verify="yes")), "params.verify"),
    ("region-empty", "in", get(source=source_with(region="")), "source.region"),
    (
        "region-EU",
        "in",
        get(source={k: v for k, v in SOURCE.items() if k != "endpoint"} | {"region": "EU"}),
        "source.region",
    ),
    ("region-trailing-space", "in", get(source=source_with(region="us-east-1 ")), "source.region"),
    # botocore takes a region only as a host's label: not all digits, at most 63 characters.
    ("region-all-digits", "in", get(source=source_with(region="123")), "source.region"),
    ("region-longer-than-a-label", "in", get(source=source_with(region="a" * 64)), "source.region"),
    (
        "checksum-not-hex",
        "in",
        get(params=params_with(method="put", checksum_sha256="sha256:abc")),
        "params.checksum_sha256",
    ),
    ("metadata-not-a-map", "in", get(params=params_with(method="put", metadata=["owner"])), "params.metadata"),
    ("tags-for-a-download", "in", get(params=params_with(tags={"team": "a"})), "params.tags"),
    ("public-endpoint-not-url", "in", get(source=source_with(public_endpoint="files")), "source.public_endpoint"),
    (
        "public-endpoint-without-endpoint",
        "in",
        get(source={k: v for k, v in SOURCE.items() if k != "endpoint"} | {"public_endpoint": "https://files.example"}),
        "source.public_endpoint",
    ),
    (
        "public-endpoint-another-path",
        "in",
        get(source=source_with(endpoint="http://127.0.0.1:9/s3", public_endpoint="https://files.example/other")),
        "source.public_endpoint",
    ),
    ("endpoint-not-url", "in", get(source=source_with(endpoint="not a url")), "source.endpoint"),
    ("endpoint-ftp", "in", get(source=source_with(endpoint="ftp://host")), "source.endpoint"),
    ("endpoint-bad-port", "in", get(source=source_with(endpoint="http://host:port")), "source.endpoint"),
    ("addressing-sideways", "in", get(source=source_with(addressing_style="sideways")), "source.addressing_style"),
    (
        "access-key-without-secret",
        "in",
        get(source={"bucket": "bucket", "access_key_id": ACCESS_KEY}),
        "source.secret_access_key",
    ),
    (
        "secret-without-access-key",
        "check",
        json.dumps({"source": {"bucket": "bucket", "secret_access_key": SECRET_KEY}}),
        "source.access_key_id",
    ),
    ("token-without-keys", "in", get(source={"bucket": "bucket", "session_token": "t0ken"}), "source.session_token"),
    ("role-arn-not-arn", "in", get(source=source_with(role_arn="admin")), "source.role_arn"),
    (
        "role-session-name-bad",
        "in",
        get(source=source_with(role_arn="arn:aws:iam::123456789012:role/r", role_session_name="a b")),
        "source.role_session_name",
    ),
    ("external-id-without-role", "in", get(source=source_with(external_id="abc")), "source.external_id"),
    ("ca-bundle-not-pem", "in", get(source=source_with(ca_bundle="not a certificate")), "source.ca_bundle"),
    (
        "ca-bundle-and-skip",
        "in",
        get(source=source_with(ca_bundle="-----BEGIN CERTIFICATE-----", skip_ssl_verification=True)),
        "source.ca_bundle",
    ),
    ("skip-ssl-string", "in", get(source=source_with(skip_ssl_verification="no")), "source.skip_ssl_verification"),
    ("version-malformed", "in", get(version={"execution_date": "yesterday"}), "version"),
    ("version-extra-key", "in", get(version={"execution_date": "1767225600", "ref": "x"}), "version"),
    ("version-missing", "in", json.dumps({"source": SOURCE, "params": PARAMS}), "version"),
    ("version-number", "in", get(version={"execution_date": 1767225600}), "version"),
    (
        "out-get-param-under-params",
        "out",
        json.dumps({"source": SOURCE, "params": {"file_path": "x"}}),
        "params.file_path",
    ),
    ("out-unknown-param", "out", json.dumps({"source": SOURCE, "params": {"bucket": "x"}}), "params.bucket"),
    ("check-source-typo", "check", json.dumps({"source": source_with(regoin="eu-west-1")}), "source.regoin"),
    ("bucket-and-bucket-name", "in", get(source=source_with(bucket_name="other")), "source.bucket_name"),
    ("region-and-region-name", "in", get(source=source_with(region="a", region_name="b")), "source.region_name"),
    ("get-param-under-source", "in", get(source=source_with(file_path="a.txt")), "source.file_path"),
    ("get-param-under-source-check", "check", json.dumps({"source": source_with(expires_in=60)}), "source.expires_in"),
    ("source-key-under-get-params", "in", get(params=params_with(region="eu-west-2")), "params.region"),
    ("file-path-s3-url", "in", get(params={"file_path": "s3://bucket/folder/file.txt"}), "params.file_path"),
    ("file-path-arn", "in", get(params={"file_path": "arn:aws:s3:::bucket/file.txt"}), "params.file_path"),
    ("file-paths-s3-url", "in", get(params={"file_paths": ["s3://b/k"]}), "params.file_paths[0]"),
    ("prefix-s3-url", "in", get(params={"prefix": "s3://bucket/folder/"}), "params.prefix"),
    ("key-prefix-s3-url", "in", get(source=source_with(key_prefix="S3://bucket/team/")), "source.key_prefix"),
    ("max-objects-zero", "in", get(params={"prefix": "a/", "max_objects": 0}), "params.max_objects"),
    ("max-objects-string", "in", get(params={"prefix": "a/", "max_objects": "10"}), "params.max_objects"),
    ("max-objects-too-many", "in", get(params={"prefix": "a/", "max_objects": 100_001}), "params.max_objects"),
    ("max-objects-with-file-path", "in", get(params=params_with(max_objects=5)), "params.max_objects"),
    ("max-objects-with-regexp", "in", get(params={"regexp": "a-(.*)", "max_objects": 5}), "params.max_objects"),
    (
        "file-paths-past-max-objects",
        "in",
        get(params={"file_paths": ["a", "b"], "max_objects": 1}),
        "params.file_paths",
    ),
    ("regexp-nested-set", "in", get(params={"regexp": "[[a]-(.*)"}), "params.regexp"),
    ("key-with-dotdot-segment", "in", get(params={"file_path": "a/../b.txt"}), "params.file_path"),
    ("key-with-dot-segment", "in", get(params={"file_path": "./c.txt"}), "params.file_path"),
    ("file-paths-dot", "in", get(params={"file_paths": ["a.txt", "."]}), "params.file_paths[1]"),
    (
        "key-prefix-escape",
        "in",
        get(source=source_with(key_prefix="u/alice/"), params={"file_path": "../bob/x"}),
        "params.file_path",
    ),
    ("secret-a-number", "in", get(source=source_with(secret_access_key=12345678)), "source.secret_access_key"),
    ("token-a-number", "check", json.dumps({"source": source_with(session_token=87654321)}), "source.session_token"),
    ("endpoint-with-password", "in", get(source=source_with(endpoint="http://admin:hunter2@[::1")), "source.endpoint"),
    (
        "ca-bundle-garbage",
        "in",
        get(source=source_with(ca_bundle="-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")),
        "source.ca_bundle",
    ),
    ("expires-99999999999d", "in", get(params=params_with(expires_in="99999999999d")), "params.expires_in"),
    ("expires-weeks-huge", "in", get(params=params_with(expires_in={"weeks": 10**12})), "params.expires_in"),
    (
        "expires-days-infinite",
        "in",
        get(params=params_with(expires_in={"days": float("inf")})),
        "params.expires_in.days",
    ),
    ("expires-days-nan", "in", get(params=params_with(expires_in={"days": float("nan")})), "params.expires_in.days"),
    ("stdin-number-of-5000-digits", "in", get().replace('"folder/file.txt"', "9" * 5000), "stdin"),
    ("version-superscript-digit", "in", get(version={"execution_date": "\u00b2"}), "version"),
    (
        "s3-resource-only-key",
        "in",
        get(source=source_with(disable_multipart=True)),
        "source.disable_multipart",
    ),
]


@pytest.mark.parametrize(("step", "stdin", "field"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_is_one_line_naming_the_field(in_process: Runner, step: str, stdin: str, field: str) -> None:
    result = in_process.run(step, stdin)
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.endswith("\n")
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: {field}: "), result.stderr
    assert "Traceback" not in result.stderr
    assert "unexpected" not in result.stderr
    assert list(result.directory.iterdir()) == []


# A case of each step and kind, run through the scripts as Concourse runs them: the same line, the same exit.
WIRING = [
    "stdin-empty",
    "stdin-empty-check",
    "stdin-list-out",
    "source-typo",
    "params-typo",
    "expires-0",
    "url-file-dotdot",
    "version-missing",
    "out-get-param-under-params",
    "stdin-number-of-5000-digits",
]


@pytest.mark.parametrize(("step", "stdin"), [case[1:3] for case in CASES if case[0] in WIRING], ids=WIRING)
def test_the_scripts_answer_bad_input_as_the_steps_do(
    runner: Runner, in_process: Runner, step: str, stdin: str
) -> None:
    script, steps = runner.run(step, stdin), in_process.run(step, stdin)
    assert (script.returncode, script.stdout, script.stderr) == (steps.returncode, steps.stdout, steps.stderr)
    assert script.returncode == 1
    assert list(script.directory.iterdir()) == []


NO_ENDPOINT = {name: value for name, value in SOURCE.items() if name != "endpoint"}


@pytest.mark.parametrize(
    ("variable", "region"), [("AWS_REGION", "123"), ("AWS_DEFAULT_REGION", "EU West"), ("AWS_REGION", "a" * 64)]
)
def test_a_region_botocore_refuses_in_the_environment_is_named_by_its_variable(
    runner: Runner, variable: str, region: str
) -> None:
    result = runner.run("in", get(source=NO_ENDPOINT, params=params_with(verify=False)), env={variable: region})
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {variable}: got {region!r}; expected "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "unexpected" not in result.stderr
    assert list(result.directory.iterdir()) == []


def test_matrix_is_large_and_distinct() -> None:
    assert len(CASES) >= 40
    assert len({case[0] for case in CASES}) == len(CASES)
    assert len({(case[1], case[2]) for case in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("step", "sections", "line"),
    [
        (
            "in",
            {"source": SOURCE | {"file_path": "a.txt"}},
            "source.file_path: belongs under the put's get_params, not source: it says what to sign",
        ),
        (
            "in",
            {"params": PARAMS | {"region": "eu-west-2"}},
            "params.region: belongs under source, not the put's get_params",
        ),
        ("out", {"params": {"endpoint": "http://x"}}, "params.endpoint: belongs under source, not the put's params"),
        (
            "in",
            {"params": {"file_path": "s3://bucket/folder/file.txt"}},
            (
                "params.file_path: got 's3://bucket/folder/file.txt', an S3 address; please give the key alone, "
                "such as folder/file.txt: the bucket comes from source.bucket"
            ),
        ),
        (
            "in",
            {"source": SOURCE | {"bucket_name": "bucket"}},
            "source.bucket_name: is another name for bucket; please specify either bucket or bucket_name",
        ),
    ],
)
def test_a_field_in_the_wrong_place_is_told_where_it_belongs(
    in_process: Runner, step: str, sections: dict[str, Any], line: str
) -> None:
    payload = {"source": SOURCE, "version": VERSION, "params": PARAMS} | sections
    if step == "out":
        del payload["version"]
    result = in_process.run(step, json.dumps(payload))
    assert result.stderr == f"error: {line}\n"


@pytest.mark.parametrize(
    ("unknown", "suggested"),
    [
        ("buckt", "bucket"),
        ("regoin", "region"),
        ("aws_role_arn", "role_arn"),
        ("endpoint_url", "endpoint"),
        ("secret_key", "secret_access_key"),
        ("session_name", "role_session_name"),
        ("use_path_style", "addressing_style"),
        # Names unlike any accepted one get no suggestion rather than a wrong one.
        ("colour", None),
        ("bucket_owner", None),
    ],
)
def test_suggestions_are_typos_or_known_names_never_unrelated_keys(
    in_process: Runner, unknown: str, suggested: str | None
) -> None:
    result = in_process.run("check", json.dumps({"source": SOURCE | {unknown: "x"}}))
    hint = f"did you mean {suggested!r}? " if suggested else ""
    assert result.stderr.startswith(f"error: source.{unknown}: unknown field; {hint}accepted: bucket, bucket_name,")


@pytest.mark.parametrize(
    ("key", "advice"),
    [
        ("disable_ssl", "is the s3 resource's; here, give an http:// endpoint instead"),
        ("private", "is the s3 resource's; this resource never reads or writes an object's bytes"),
        ("versioned_file", "is the s3 resource's; this resource has no versions of its own: give the key as "),
        ("use_v2_signing", "is the s3 resource's; presigned links here are always signed with SigV4"),
        ("key", "belongs under the put's get_params, as file_path, not under source"),
        ("regexp", "belongs under the put's get_params, not source: it says what to sign"),
    ],
)
def test_keys_of_the_s3_resource_say_what_to_do_here(in_process: Runner, key: str, advice: str) -> None:
    result = in_process.run("check", json.dumps({"source": SOURCE | {key: "x"}}))
    assert result.stderr.startswith(f"error: source.{key}: {advice}")


def test_secrets_of_the_wrong_type_are_not_shown(in_process: Runner) -> None:
    result = in_process.run("in", get(source=source_with(secret_access_key=12345678)))
    assert result.stderr == "error: source.secret_access_key: got a number; expected a non-empty string\n"


def test_null_means_a_field_is_not_given(s3: S3Server, in_process: Runner) -> None:
    s3.put("nulls/file.txt")
    source = s3.source(region=None, addressing_style=None, skip_ssl_verification=None)
    params = {"file_path": "nulls/file.txt", "expires_in": None, "allow_shorter_expiry": None, "verify": None}
    result = in_process.get(source, params)
    assert result.metadata["expires_in"] == "3600"
    assert fetch(result.url)[0] == 200
    in_a_mapping = in_process.get(source, {"file_path": "nulls/file.txt", "expires_in": {"hours": 2, "minutes": None}})
    assert in_a_mapping.metadata["expires_in"] == "7200"
    put = in_process.run("out", {"source": source, "params": {"file_path": None}})
    assert put.returncode == 0, put.stderr


def test_a_null_bucket_is_still_required_and_an_unknown_null_key_still_refused(in_process: Runner) -> None:
    assert in_process.run("check", json.dumps({"source": {"bucket": None}})).stderr.startswith("error: source.bucket: ")
    assert in_process.run("check", json.dumps({"source": SOURCE | {"buckt": None}})).stderr.startswith(
        "error: source.buckt: unknown field"
    )


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://user:hunter2-password@host",
        "http://admin:hunter2@[::1",
        "ftp://admin:hunter2@host",
        "http://admin:hun/ter2@minio.example:9000",
        "https://ci:tok/hunter2@host:99999",
    ],
)
def test_endpoint_credentials_are_not_echoed(in_process: Runner, endpoint: str) -> None:
    result = in_process.run("in", get(source=source_with(endpoint=endpoint)))
    assert result.stderr.startswith("error: source.endpoint: ")
    assert "hunter2" not in result.stderr


def test_a_bad_secret_type_is_not_echoed(in_process: Runner) -> None:
    result = in_process.run("in", get(source=source_with(secret_access_key="")))
    assert result.stderr == "error: source.secret_access_key: got an empty string; expected a non-empty string\n"


def test_long_values_are_cut_in_the_message(in_process: Runner) -> None:
    result = in_process.run("in", get(params=params_with(expires_in="x" * 5000)))
    assert len(result.stderr) < 400
    assert "(5000 characters)" in result.stderr


@pytest.mark.parametrize("name", ['say "hi".txt', "back\\slash.txt", "two  spaces.txt", "ünï 😀.txt"])
def test_quotes_and_backslashes_in_file_name_are_escaped_not_refused(
    s3: S3Server, in_process: Runner, name: str
) -> None:
    s3.put("escaped.txt")
    result = in_process.get(s3.source(), {"file_path": "escaped.txt", "file_name": name})
    status, _, headers = fetch(result.url)
    assert status == 200
    assert parse_disposition(headers["Content-Disposition"]) == ("attachment", name)
