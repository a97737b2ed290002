"""Every field of ``source`` and of the put's ``get_params``, declared once, and the checks of their names.

Validation, the unknown-field hints, the README's reference and the pipeline lint all read these tables.
The resource's signature would hold a field's name, type and default, but not its other names, its hint or
the methods it applies to; those would then live beside it, so the table is the one place.
"""

from collections.abc import Iterable, Mapping
from typing import Literal, NamedTuple, TypeVar

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.s3 import facts

Method = Literal["get", "put", "post"]
Mode = Literal["file_path", "file_paths", "prefix", "regexp"]
METHODS: tuple[Method, ...] = ("get", "put", "post")
MODES: tuple[Mode, ...] = ("file_path", "file_paths", "prefix", "regexp")
METHOD_NAMES = {
    "get": "download links (method: get)",
    "put": "upload links (method: put)",
    "post": "upload forms (method: post)",
}
# Concourse keeps a loaded var in the web node's memory and turns each of its strings into a redaction
# pattern for every log line, so a step signs a thousand URLs unless asked for more.
DEFAULT_MAX_OBJECTS = 1_000
_LONGEST_NAME = 64  # longer than every field's name, by far
_TYPO_CUTOFF = 0.8  # close enough to be a typo; below it, difflib pairs unrelated names such as bucket_owner


class Field(NamedTuple):
    """One field: how the pipeline names it, what it takes, and where it applies.

    A field is declared as an attribute of its section's table, whose name is the field's key in the pipeline:
    code reaches it as ``PARAMS.max_objects``, so that its name is written once and a misspelt one fails the lint.

    :ivar kind: What it takes, in the README's words, such as ``string`` or ``boolean``.
    :ivar doc: The README's description: one to three short sentences.
    :ivar default: The value when it is left out, or ``None`` for none.
    :ivar example: A value that is valid, for the README and for the lint's ``((vars))``.
    :ivar aliases: Other names accepted for it, as other resources spell it.
    :ivar known_as: Names other tools give it, suggested when one of them is given.
    :ivar methods: The ``method`` values it applies to.
    :ivar modes: The selectors it applies to; empty for all.
    :ivar secret: Its value is never printed.
    :ivar response_header: For a download, the response header it overrides, as botocore's parameter names it.
    :ivar name: The key in the pipeline: the attribute's name in its table, filled in by :func:`_named`.
    :ivar section: Where it is given, ``source`` or ``params``, as errors name it.
    """

    kind: str
    doc: str
    default: object = None
    example: object = None
    aliases: tuple[str, ...] = ()
    known_as: tuple[str, ...] = ()
    methods: tuple[Method, ...] = METHODS
    modes: tuple[Mode, ...] = ()
    secret: bool = False
    response_header: str | None = None
    name: str = ""
    section: str = ""

    @property
    def path(self) -> str:
        """The field as errors name it, such as ``params.max_objects``."""
        return f"{self.section}.{self.name}"

    def problem(self, problem: str) -> ConfigError:
        """Name this field and what is wrong with its value, and what is accepted."""
        return ConfigError(self.path, problem)

    def get(self, given: Mapping[str, object]) -> object:
        """Return its value as given, or ``None`` if it is not."""
        return given.get(self.name)

    def value(self, given: Mapping[str, object]) -> object:
        """Return its value as given, or its declared default."""
        return given.get(self.name, self.default)


class SourceFields(NamedTuple):
    """The fields of ``source``: where the bucket is, and whose keys sign."""

    bucket: Field = Field(
        "string",
        "*Required.* The bucket that holds the objects.",
        example="my-bucket",
        aliases=("bucket_name",),
    )
    region: Field = Field(
        "string",
        "The bucket's region; by default `us-east-1` with an `endpoint`, else the AWS environment or config, else "
        "S3's answer, which always wins ([the region](docs/region.md)).",
        example="eu-west-2",
        aliases=("region_name",),
    )
    endpoint: Field = Field(
        "URL",
        "The URL of an S3-compatible store: MinIO, Ceph, SeaweedFS, R2, rclone, GCS interop.",
        example="https://minio.example.com:9000",
        known_as=("endpoint_url",),
    )
    public_endpoint: Field = Field(
        "URL",
        "Where people reach the store, such as a proxy in front of `endpoint`; links and forms are signed for it "
        "([how](docs/stores.md#public_endpoint)).",
        example="https://files.example.com",
    )
    addressing_style: Field = Field(
        "`auto`, `virtual` or `path`",
        "`auto`, `virtual` or `path`. `auto` is path style with an `endpoint` or a bucket with dots, and else the "
        "regional virtual host ([details](docs/region.md#addressing_style)).",
        default="auto",
        example="path",
        known_as=("use_path_style",),
    )
    access_key_id: Field = Field(
        "string",
        "The key to sign with; when absent, the AWS credential chain: environment, config and SSO, container and "
        "instance roles.",
        example="access-key-id",
        known_as=("aws_access_key_id",),
        secret=True,
    )
    secret_access_key: Field = Field(
        "string",
        "The secret key that goes with `access_key_id`.",
        example="secret-key",
        known_as=("aws_secret_access_key", "secret_key"),
        secret=True,
    )
    session_token: Field = Field(
        "string",
        "The token that goes with temporary keys.",
        example="session-token",
        known_as=("aws_session_token",),
        secret=True,
    )
    role_arn: Field = Field(
        "string",
        "A role to assume through STS before signing; the links end when its session does.",
        example="arn:aws:iam::123456789012:role/name",
        known_as=("aws_role_arn",),
    )
    role_session_name: Field = Field(
        "string",
        "The session name for `role_arn`.",
        default="s3-presigned-url",
        example="pipeline",
    )
    external_id: Field = Field(
        "string",
        "The external ID that the role's trust policy requires.",
        example="external-id",
        secret=True,
    )
    web_identity_token: Field = Field(
        "string",
        "An OIDC token such as `((idtoken:token))`, traded for `role_arn`'s keys, so that none is stored "
        "([how](docs/security.md#signing-with-no-stored-keys)).",
        example="eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        secret=True,
    )
    key_prefix: Field = Field(
        "string",
        "Prepended to every key, e.g. `u/alice/`; nothing outside it is ever signed.",
        example="builds/",
    )
    ca_bundle: Field = Field(
        "PEM text",
        "PEM text of the endpoint's CA; else `AWS_CA_BUNDLE`, else the system's CAs (`/etc/ssl/certs`, "
        "[details](docs/security.md#which-cas-the-step-trusts)).",
        example="-----BEGIN CERTIFICATE-----",
        known_as=("ca_cert",),
    )
    skip_ssl_verification: Field = Field(
        "boolean",
        "Do not verify the endpoint's certificate. Please specify either this or `ca_bundle`, not both.",
        default=False,
        example=True,
    )


class ParamFields(NamedTuple):
    """The fields of the put's ``get_params``: what to sign, and how."""

    file_path: Field = Field(
        "string",
        "*Selector.* The object key after `key_prefix`, as it is, at most 1024 UTF-8 bytes; no `s3://` address, and "
        "no `.` or `..` segment, which browsers drop.",
        example="folder/file.txt",
        known_as=("key", "path"),
    )
    file_paths: Field = Field(
        "list of strings",
        "*Selector.* A list of keys, checked by one listing; links go to `urls.json`, `manifest.json` and "
        "`index.html` ([many objects](docs/many-objects.md)).",
        example=["a.txt", "b.txt"],
        methods=("get", "put"),
    )
    prefix: Field = Field(
        "string",
        "*Selector.* Every object under the prefix, e.g. `artifacts/<commit>/`, up to `max_objects`. For `post`, "
        "any key under it, named by the uploader's file.",
        example="artifacts/1.2.3/",
        methods=("get", "post"),
    )
    regexp: Field = Field(
        "string",
        "*Selector.* The newest object whose key fully matches, ordered by the first capture group as a version, "
        "as the s3 resource orders its versions.",
        example="releases/app-(.*).tgz",
        methods=("get",),
    )
    method: Field = Field(
        "`get`, `put` or `post`",
        "`get` signs a download, `put` an [upload](docs/uploads.md), `post` a size-limited "
        "[upload form](docs/uploads.md#upload-forms-method-post).",
        default="get",
        example="put",
    )
    expires_in: Field = Field(
        "duration",
        "From 1 second to 7 days, the SigV4 limit: a duration (`90s`, `45m`, `24h`, `1h30m`, `7d`), seconds "
        "(60 or more), or a mapping of `timedelta` keywords (`{hours: 24}`).",
        default="1h",
        example="24h",
        known_as=("expiry", "expiration"),
    )
    file_name: Field = Field(
        "string",
        "The name a browser saves the download under, any name ([download names](docs/downloads.md)).",
        example="file.txt",
        methods=("get",),
    )
    disposition: Field = Field(
        "`attachment` or `inline`",
        "`attachment` (default: links download) or `inline`.",
        example="inline",
        methods=("get",),
    )
    content_type: Field = Field(
        "string",
        "The `Content-Type` the download is served with, overriding the object's own; for an upload, the one it "
        "must send; for `post`, one exact type a browser will not run.",
        example="text/plain",
        response_header=facts.RESPONSE_CONTENT_TYPE,
    )
    metadata: Field = Field(
        "map",
        "`x-amz-meta-*` headers the upload [must send](docs/uploads.md#signed-headers).",
        example={"owner": "team-a"},
        methods=("put", "post"),
    )
    tags: Field = Field(
        "map",
        "Tags the upload must set.",
        example={"team": "a"},
        methods=("put", "post"),
    )
    acl: Field = Field(
        "string",
        "A canned ACL the upload must set.",
        example="bucket-owner-full-control",
        methods=("put", "post"),
    )
    server_side_encryption: Field = Field(
        "`AES256`, `aws:kms` or `aws:kms:dsse`",
        "`AES256`, `aws:kms` or `aws:kms:dsse`, which the upload must ask for.",
        example="aws:kms",
        known_as=("sse",),
        methods=("put",),
    )
    kms_key_id: Field = Field(
        "string",
        "The KMS key for `aws:kms`, which it implies.",
        example="alias/uploads",
        known_as=("sse_kms_key_id",),
        methods=("put",),
    )
    overwrite: Field = Field(
        "boolean",
        "`false`: the upload is refused where the key exists.",
        default=True,
        example=False,
        methods=("put",),
    )
    checksum_sha256: Field = Field(
        "hex digest",
        "The body's SHA-256 in hex; another body is refused.",
        example="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        methods=("put",),
        modes=("file_path",),
    )
    content_md5: Field = Field(
        "hex digest",
        "The body's MD5 in hex; another body is refused.",
        example="d41d8cd98f00b204e9800998ecf8427e",
        methods=("put",),
        modes=("file_path",),
    )
    max_size: Field = Field(
        "size",
        "*Required with `post`.* The largest upload: bytes, or a size such as `100MB` or `2GiB`, at most 5 GiB.",
        example="100MB",
        methods=("post",),
    )
    min_size: Field = Field(
        "size",
        "The smallest upload, in the same forms as `max_size`.",
        example="1KB",
        methods=("post",),
    )
    title: Field = Field(
        "string",
        "The heading of `index.html` or `upload.html` ([pages](docs/pages.md)).",
        example="Build artifacts from the Acme release team",
        methods=("get", "post"),
    )
    message: Field = Field(
        "string",
        "Lines under the title: why.",
        example="Please upload the signed contract by Friday.",
        methods=("get", "post"),
    )
    cache_control: Field = Field(
        "string",
        "The `Cache-Control` the download is served with.",
        example="no-cache",
        methods=("get",),
        response_header=facts.RESPONSE_CACHE_CONTROL,
    )
    content_language: Field = Field(
        "string",
        "The `Content-Language` the download is served with.",
        example="en",
        methods=("get",),
        response_header=facts.RESPONSE_CONTENT_LANGUAGE,
    )
    content_encoding: Field = Field(
        "string",
        "The `Content-Encoding` the download is served with.",
        example="gzip",
        methods=("get",),
        response_header=facts.RESPONSE_CONTENT_ENCODING,
    )
    version_id: Field = Field(
        "string",
        "Sign this version of the object.",
        example="3HL4kqtJlcpXroDTDmJ",
        methods=("get",),
        modes=("file_path",),
    )
    url_file: Field = Field(
        "string",
        "A plain file name in the destination, for the one link, or the form's address, that the step signs.",
        default="url",
        example="link",
    )
    verify: Field = Field(
        "boolean",
        "Prove the link before the step succeeds ([what `verify` proves](docs/verify.md)).",
        default=True,
        example=False,
    )
    allow_shorter_expiry: Field = Field(
        "boolean",
        "When temporary credentials expire before the link would, end the link with them instead of failing "
        "([details](docs/time-and-errors.md#temporary-credentials)).",
        default=False,
        example=True,
    )
    allow_empty: Field = Field(
        "boolean",
        "Accept a `prefix` with no objects under it.",
        default=False,
        example=True,
        methods=("get",),
        modes=("prefix",),
    )
    max_objects: Field = Field(
        "whole number",
        "The most objects one step signs, at most 100,000 ([why 1,000](docs/many-objects.md#max_objects)).",
        default=DEFAULT_MAX_OBJECTS,
        example=10,
        methods=("get", "put"),
        modes=("file_paths", "prefix"),
    )


_Table = TypeVar("_Table", SourceFields, ParamFields)


def _named(section: str, table: _Table) -> _Table:
    """Give each field of a table its name, the attribute's, and its section's."""
    return type(table)._make(
        field._replace(name=name, section=section) for name, field in zip(table._fields, table, strict=True)
    )


SOURCE = _named("source", SourceFields())
PARAMS = _named("params", ParamFields())

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
            raise field.problem(f"applies to {applies}, not to {METHOD_NAMES[method]}")
        if field.modes and mode not in field.modes:
            raise field.problem(f"applies to {' and '.join(field.modes)} only, not to {mode}")


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
