"""Every field of ``source`` and of the put's ``get_params``, declared once, and the checks of their names.

Validation, the unknown-field hints, the README's reference and the pipeline lint all read these tables.
The resource's signature would hold a field's name, type and default, but not its other names, its hint or
the methods it applies to; those would then live beside it, so the table is the one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, NamedTuple

from s3_presigned.core.failures import ConfigError

Method = Literal["get", "put", "post"]
Mode = Literal["file_path", "file_paths", "prefix", "regexp"]
METHODS: tuple[Method, ...] = ("get", "put", "post")
MODES: tuple[Mode, ...] = ("file_path", "file_paths", "prefix", "regexp")
METHOD_NAMES = {
    "get": "download links (method: get)",
    "put": "upload links (method: put)",
    "post": "upload forms (method: post)",
}
MAX_UPLOAD_BYTES = 5 * 1024**3  # the largest object one PUT or POST may write
# Concourse keeps a loaded var in the web node's memory and turns each of its strings into a redaction
# pattern for every log line, so a step signs a thousand URLs unless asked for more.
DEFAULT_MAX_OBJECTS = 1_000
_LONGEST_NAME = 64  # longer than every field's name, by far
_TYPO_CUTOFF = 0.8  # close enough to be a typo; below it, difflib pairs unrelated names such as bucket_owner


class Field(NamedTuple):
    """One field: how the pipeline names it, what it takes, and where it applies.

    :ivar name: The key in the pipeline.
    :ivar kind: What it takes, in the README's words, such as ``string`` or ``boolean``.
    :ivar doc: The README's description: one to three short sentences.
    :ivar default: The value when it is left out, or ``None`` for none.
    :ivar example: A value that is valid, for the README and for the lint's ``((vars))``.
    :ivar aliases: Other names accepted for it, as other resources spell it.
    :ivar known_as: Names other tools give it, suggested when one of them is given.
    :ivar methods: The ``method`` values it applies to.
    :ivar modes: The selectors it applies to; empty for all.
    :ivar secret: Its value is never printed.
    """

    name: str
    kind: str
    doc: str
    default: object = None
    example: object = None
    aliases: tuple[str, ...] = ()
    known_as: tuple[str, ...] = ()
    methods: tuple[Method, ...] = METHODS
    modes: tuple[Mode, ...] = ()
    secret: bool = False


SOURCE = (
    Field(
        "bucket",
        "string",
        "*Required.* The bucket that holds the objects.",
        example="my-bucket",
        aliases=("bucket_name",),
    ),
    Field(
        "region",
        "string",
        "The bucket's region; by default `us-east-1` with an `endpoint`, else the AWS environment or config, else "
        "S3's answer, which always wins ([the region](docs/region.md)).",
        example="eu-west-2",
        aliases=("region_name",),
    ),
    Field(
        "endpoint",
        "URL",
        "The URL of an S3-compatible store: MinIO, Ceph, SeaweedFS, R2, rclone, GCS interop.",
        example="https://minio.example.com:9000",
        known_as=("endpoint_url",),
    ),
    Field(
        "public_endpoint",
        "URL",
        "Where people reach the store, such as a proxy in front of `endpoint`; links and forms are signed for it "
        "([how](docs/stores.md#public_endpoint)).",
        example="https://files.example.com",
    ),
    Field(
        "addressing_style",
        "`auto`, `virtual` or `path`",
        "`auto`, `virtual` or `path`. `auto` is path style with an `endpoint` or a bucket with dots, and else the "
        "regional virtual host ([details](docs/region.md#addressing_style)).",
        default="auto",
        example="path",
        known_as=("use_path_style",),
    ),
    Field(
        "access_key_id",
        "string",
        "The key to sign with; when absent, the AWS credential chain: environment, config and SSO, container and "
        "instance roles.",
        example="access-key-id",
        known_as=("aws_access_key_id",),
        secret=True,
    ),
    Field(
        "secret_access_key",
        "string",
        "The secret key that goes with `access_key_id`.",
        example="secret-key",
        known_as=("aws_secret_access_key", "secret_key"),
        secret=True,
    ),
    Field(
        "session_token",
        "string",
        "The token that goes with temporary keys.",
        example="session-token",
        known_as=("aws_session_token",),
        secret=True,
    ),
    Field(
        "role_arn",
        "string",
        "A role to assume through STS before signing; the links end when its session does.",
        example="arn:aws:iam::123456789012:role/name",
        known_as=("aws_role_arn",),
    ),
    Field(
        "role_session_name",
        "string",
        "The session name for `role_arn`.",
        default="s3-presigned-url",
        example="pipeline",
    ),
    Field(
        "external_id",
        "string",
        "The external ID that the role's trust policy requires.",
        example="external-id",
        secret=True,
    ),
    Field(
        "web_identity_token",
        "string",
        "An OIDC token such as `((idtoken:token))`, traded for `role_arn`'s keys, so that none is stored "
        "([how](docs/security.md#signing-with-no-stored-keys)).",
        example="eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        secret=True,
    ),
    Field(
        "key_prefix",
        "string",
        "Prepended to every key, e.g. `u/alice/`; nothing outside it is ever signed.",
        example="builds/",
    ),
    Field(
        "ca_bundle",
        "PEM text",
        "PEM text of the endpoint's CA; else `AWS_CA_BUNDLE`, else the system's CAs (`/etc/ssl/certs`, "
        "[details](docs/security.md#which-cas-the-step-trusts)).",
        example="-----BEGIN CERTIFICATE-----",
        known_as=("ca_cert",),
    ),
    Field(
        "skip_ssl_verification",
        "boolean",
        "Do not verify the endpoint's certificate. Please specify either this or `ca_bundle`, not both.",
        default=False,
        example=True,
    ),
)

PARAMS = (
    Field(
        "file_path",
        "string",
        "*Selector.* The object key after `key_prefix`, as it is, at most 1024 UTF-8 bytes; no `s3://` address, and "
        "no `.` or `..` segment, which browsers drop.",
        example="folder/file.txt",
        known_as=("key", "path"),
    ),
    Field(
        "file_paths",
        "list of strings",
        "*Selector.* A list of keys, checked by one listing; links go to `urls.json`, `manifest.json` and "
        "`index.html` ([many objects](docs/many-objects.md)).",
        example=["a.txt", "b.txt"],
        methods=("get", "put"),
    ),
    Field(
        "prefix",
        "string",
        "*Selector.* Every object under the prefix, e.g. `artifacts/<commit>/`, up to `max_objects`. For `post`, "
        "any key under it, named by the uploader's file.",
        example="artifacts/1.2.3/",
        methods=("get", "post"),
    ),
    Field(
        "regexp",
        "string",
        "*Selector.* The newest object whose key fully matches, ordered by the first capture group as a version, "
        "as the s3 resource orders its versions.",
        example="releases/app-(.*).tgz",
        methods=("get",),
    ),
    Field(
        "method",
        "`get`, `put` or `post`",
        "`get` signs a download, `put` an [upload](docs/uploads.md), `post` a size-limited "
        "[upload form](docs/uploads.md#upload-forms-method-post).",
        default="get",
        example="put",
    ),
    Field(
        "expires_in",
        "duration",
        "From 1 second to 7 days, the SigV4 limit: a duration (`90s`, `45m`, `24h`, `1h30m`, `7d`), seconds "
        "(60 or more), or a mapping of `timedelta` keywords (`{hours: 24}`).",
        default="1h",
        example="24h",
        known_as=("expiry", "expiration"),
    ),
    Field(
        "file_name",
        "string",
        "The name a browser saves the download under, any name ([download names](docs/downloads.md)).",
        example="file.txt",
        methods=("get",),
    ),
    Field(
        "disposition",
        "`attachment` or `inline`",
        "`attachment` (default: links download) or `inline`.",
        example="inline",
        methods=("get",),
    ),
    Field(
        "content_type",
        "string",
        "The `Content-Type` the download is served with, overriding the object's own; for an upload, the one it "
        "must send; for `post`, one exact type a browser will not run.",
        example="text/plain",
    ),
    Field(
        "metadata",
        "map",
        "`x-amz-meta-*` headers the upload [must send](docs/uploads.md#signed-headers).",
        example={"owner": "team-a"},
        methods=("put", "post"),
    ),
    Field(
        "tags",
        "map",
        "Tags the upload must set.",
        example={"team": "a"},
        methods=("put", "post"),
    ),
    Field(
        "acl",
        "string",
        "A canned ACL the upload must set.",
        example="bucket-owner-full-control",
        methods=("put", "post"),
    ),
    Field(
        "server_side_encryption",
        "`AES256`, `aws:kms` or `aws:kms:dsse`",
        "`AES256`, `aws:kms` or `aws:kms:dsse`, which the upload must ask for.",
        example="aws:kms",
        known_as=("sse",),
        methods=("put",),
    ),
    Field(
        "kms_key_id",
        "string",
        "The KMS key for `aws:kms`, which it implies.",
        example="alias/uploads",
        known_as=("sse_kms_key_id",),
        methods=("put",),
    ),
    Field(
        "overwrite",
        "boolean",
        "`false`: the upload is refused where the key exists.",
        default=True,
        example=False,
        methods=("put",),
    ),
    Field(
        "checksum_sha256",
        "hex digest",
        "The body's SHA-256 in hex; another body is refused.",
        example="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        methods=("put",),
        modes=("file_path",),
    ),
    Field(
        "content_md5",
        "hex digest",
        "The body's MD5 in hex; another body is refused.",
        example="d41d8cd98f00b204e9800998ecf8427e",
        methods=("put",),
        modes=("file_path",),
    ),
    Field(
        "max_size",
        "size",
        "*Required with `post`.* The largest upload: bytes, or a size such as `100MB` or `2GiB`, at most 5 GiB.",
        example="100MB",
        methods=("post",),
    ),
    Field(
        "min_size",
        "size",
        "The smallest upload, in the same forms as `max_size`.",
        example="1KB",
        methods=("post",),
    ),
    Field(
        "title",
        "string",
        "The heading of `index.html` or `upload.html` ([pages](docs/pages.md)).",
        example="Build artifacts from the Acme release team",
        methods=("get", "post"),
    ),
    Field(
        "message",
        "string",
        "Lines under the title: why.",
        example="Please upload the signed contract by Friday.",
        methods=("get", "post"),
    ),
    Field(
        "cache_control",
        "string",
        "The `Cache-Control` the download is served with.",
        example="no-cache",
        methods=("get",),
    ),
    Field(
        "content_language",
        "string",
        "The `Content-Language` the download is served with.",
        example="en",
        methods=("get",),
    ),
    Field(
        "content_encoding",
        "string",
        "The `Content-Encoding` the download is served with.",
        example="gzip",
        methods=("get",),
    ),
    Field(
        "version_id",
        "string",
        "Sign this version of the object.",
        example="3HL4kqtJlcpXroDTDmJ",
        methods=("get",),
        modes=("file_path",),
    ),
    Field(
        "url_file",
        "string",
        "A plain file name in the destination, for the one link, or the form's address, that the step signs.",
        default="url",
        example="link",
    ),
    Field(
        "verify",
        "boolean",
        "Prove the link before the step succeeds ([what `verify` proves](docs/verify.md)).",
        default=True,
        example=False,
    ),
    Field(
        "allow_shorter_expiry",
        "boolean",
        "When temporary credentials expire before the link would, end the link with them instead of failing "
        "([details](docs/time-and-errors.md#temporary-credentials)).",
        default=False,
        example=True,
    ),
    Field(
        "allow_empty",
        "boolean",
        "Accept a `prefix` with no objects under it.",
        default=False,
        example=True,
        methods=("get",),
        modes=("prefix",),
    ),
    Field(
        "max_objects",
        "whole number",
        "The most objects one step signs, at most 100,000 ([why 1,000](docs/many-objects.md#max_objects)).",
        default=DEFAULT_MAX_OBJECTS,
        example=10,
        methods=("get", "put"),
        modes=("file_paths", "prefix"),
    ),
)

# Keys of the s3 resource's source that mean nothing here, with what to do instead.
S3_RESOURCE_ONLY = (
    dict.fromkeys(
        (
            "private",
            "cloudfront_url",
            "skip_download",
            "disable_multipart",
            "skip_s3_checksums",
            "checksum_algorithm",
        ),
        "is the s3 resource's; this resource never reads or writes an object's bytes, so it has no use for it",
    )
    | dict.fromkeys(
        ("versioned_file", "initial_path", "initial_version", "initial_content_text", "initial_content_binary"),
        "is the s3 resource's; this resource has no versions of its own: give the key as get_params.file_path",
    )
    | {
        "disable_ssl": "is the s3 resource's; here, give an http:// endpoint instead",
        "use_v2_signing": "is the s3 resource's; presigned links here are always signed with SigV4, which S3 requires",
        "enable_aws_creds_provider": "is the s3 resource's; here, the AWS credential chain is used whenever "
        "access_key_id is left out",
    }
)
_IN_SOURCE = "belongs under source, not the put's get_params"
_IN_GET_PARAMS = "belongs under the put's get_params, not source: it says what to sign"
_PUT_PARAMS = "belongs under the put's get_params, not params: the URL is signed by the get that follows the put"

BY_NAME = {field.name: field for field in SOURCE + PARAMS}
SECRET_FIELDS = tuple(field.name for field in SOURCE if field.secret)


def names(fields: Iterable[Field]) -> list[str]:
    """List the pipeline's names of the fields, without their aliases."""
    return [field.name for field in fields]


def secret_values(source: Mapping[str, object]) -> tuple[str, ...]:
    """Pick the secret values out of a ``source``, validated or not, so that messages can be scrubbed of them."""
    return tuple(value for name in SECRET_FIELDS if isinstance(value := source.get(name), str) and value)


def source_fields(given: Mapping[str, object]) -> dict[str, object]:
    """Check the names in ``source``, and return its fields by their own names, ``null`` left out.

    :param given: The request's ``source``.
    :raises ConfigError: Naming an unknown field, or a field given under two names.
    """
    elsewhere = S3_RESOURCE_ONLY | _known_elsewhere(PARAMS) | dict.fromkeys(names(PARAMS), _IN_GET_PARAMS)
    return _checked("source", given, SOURCE, elsewhere)


def param_fields(given: Mapping[str, object]) -> dict[str, object]:
    """Check the names in the put's ``get_params``, and return them with ``null`` left out.

    :param given: The request's ``params``.
    :raises ConfigError: Naming an unknown field.
    """
    return _checked("params", given, PARAMS, dict.fromkeys(names(SOURCE), _IN_SOURCE))


def reject_put_params(given: Mapping[str, object]) -> None:
    """Fail on any key under the put's ``params``: the put takes none, and each key belongs elsewhere.

    :raises ConfigError: Naming the first key, and where it belongs.
    """
    elsewhere = dict.fromkeys(names(SOURCE), "belongs under source, not the put's params")
    present = {key: item for key, item in given.items() if item is not None}
    _checked("params", present, (), elsewhere | dict.fromkeys(names(PARAMS), _PUT_PARAMS))


def check_applies(given: Mapping[str, object], method: Method, mode: Mode) -> None:
    """Fail on a param given for a method or a selector it does not apply to, rather than ignore it.

    :param given: The params, by their own names.
    :param method: The validated method.
    :param mode: The selector given.
    :raises ConfigError: Naming the first such param and where it applies.
    """
    for name in given:
        field = BY_NAME[name]
        if method not in field.methods:
            applies = " and ".join(METHOD_NAMES[other] for other in field.methods)
            raise ConfigError(f"params.{name}", f"applies to {applies}, not to {METHOD_NAMES[method]}")
        if field.modes and mode not in field.modes:
            raise ConfigError(f"params.{name}", f"applies to {' and '.join(field.modes)} only, not to {mode}")


def value(given: Mapping[str, object], name: str) -> object:
    """Return a field's value as given, or its declared default."""
    return given[name] if name in given else BY_NAME[name].default


def _checked(
    section: str, given: Mapping[str, object], declared: tuple[Field, ...], elsewhere: Mapping[str, str]
) -> dict[str, object]:
    accepted = {field.name: field.name for field in declared} | {
        alias: field.name for field in declared for alias in field.aliases
    }
    fields: dict[str, object] = {}
    for key, item in given.items():
        if key not in accepted:
            raise _unknown(section, key, declared, elsewhere)
        if item is None:  # YAML's `key:` and `key: ~` mean the field is not given
            continue
        name = accepted[key]
        if name in fields:
            alias = key if key != name else next(other for other in BY_NAME[name].aliases if other in given)
            problem = f"is another name for {name}; please specify either {name} or {alias}"
            raise ConfigError(f"{section}.{alias}", problem)
        fields[name] = item
    return fields


def _unknown(section: str, key: str, declared: tuple[Field, ...], elsewhere: Mapping[str, str]) -> ConfigError:
    if key in elsewhere:
        return ConfigError(f"{section}.{key}", elsewhere[key])
    # A name longer than any field's is no typo of one; it is cut, so that the accepted names still show.
    long_name = len(key) > _LONGEST_NAME
    close = None if long_name else closest(key, declared)
    hint = f"did you mean {close!r}? " if close else ""
    accepted = [name for field in declared for name in (field.name, *field.aliases)]
    shown = f"{key[:_LONGEST_NAME]}... ({len(key)} characters)" if long_name else key
    return ConfigError(f"{section}.{shown}", f"unknown field; {hint}accepted: {', '.join(accepted) or 'none'}")


def closest(key: str, declared: Iterable[Field]) -> str | None:
    """Suggest the field an unknown one was meant to be: one another tool names so, or a likely typo.

    :param key: The unknown field.
    :param declared: The fields accepted where it was given.
    """
    declared = tuple(declared)
    spelled = key.lower().replace("-", "_")
    known = next((field.name for field in declared if spelled in field.known_as), None)
    if known is not None:
        return known
    import difflib  # noqa: PLC0415  # only a mistake needs it, and every step would pay for it

    close = difflib.get_close_matches(key, names(declared), n=1, cutoff=_TYPO_CUTOFF)
    return close[0] if close else None


def _known_elsewhere(declared: tuple[Field, ...]) -> dict[str, str]:
    return {
        other: f"belongs under the put's get_params, as {field.name}, not under source"
        for field in declared
        for other in field.known_as
    }
