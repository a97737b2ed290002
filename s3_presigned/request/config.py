"""Validation of the values of ``source`` and the get parameters, each field named in its error.

Which fields there are, their defaults and where each applies are declared in :mod:`s3_presigned.request.fields`.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Mapping
from typing import NamedTuple, TypeVar
from urllib.parse import urlsplit

from s3_presigned.core.failures import ConfigError
from s3_presigned.core.text import describe, kind
from s3_presigned.request import fields, upload_headers
from s3_presigned.request.disposition import DISPOSITIONS, content_disposition
from s3_presigned.request.expiry import parse_expires_in
from s3_presigned.request.fields import MAX_UPLOAD_BYTES, METHODS, MODES, Method, Mode
from s3_presigned.s3.connection import ADDRESSING_STYLES, Connection, Keys, Role
from s3_presigned.s3.endpoint import normalized_endpoint
from s3_presigned.s3.facts import AWS_REGION, DOT_SEGMENT_PROBLEM, FILENAME, MAX_KEY_BYTES, REGION, has_dot_segment
from s3_presigned.s3.policy import Form

MAX_TITLE, MAX_MESSAGE = 200, 2_000  # a heading and a few lines on a page
MAX_FILE_NAME = 255  # the longest name common file systems store, so the download can be saved under it
# The staged copy of a file is named .NAME.XXXXXXXX until it is complete, and must fit in a name too.
_STAGING_ROOM = 10
MAX_OBJECTS = 100_000
_SIZE = re.compile(r"(?P<number>\d{1,13})\s*(?P<unit>[kmgt]i?b|[kmgt]|b|)", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1} | {
    unit + suffix: int(base**power)
    for power, unit in enumerate("kmgt", start=1)
    for suffix, base in (("", 1000), ("b", 1000), ("ib", 1024))
}
_CONTENT_TYPE = re.compile(r"[\w!#$&^.+-]+/(\*|[\w!#$&^.+-]+)", re.ASCII)
# Types whose content a browser runs: pages, XML (which may hold XHTML), SVG, scripts, style sheets that transform,
# archives of pages (MHTML), and the types that say the server does not know, whose content a browser sniffs and
# runs as a page if it reads as one (WHATWG MIME Sniffing's unknown MIME types).
_RUNS_IN_A_BROWSER = re.compile(r"(?i)html|xml|svg|script|xsl|^multipart/|^message/|^(?:unknown|application)/unknown$")
OUTPUT_FILES = (
    "expires_at",
    "method",
    "headers.json",
    "urls.json",
    "manifest.json",
    "index.html",
    "fields.json",
    "upload.html",
    "version",
    "key",
)

_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}", re.ASCII)
_ROLE_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,254}")
_S3_ADDRESS = re.compile(r"(?i)(s3://|arn:aws[a-z-]*:s3:)")
_PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"
_WEB_IDENTITY_TOKEN_CHARS = range(4, 20_001)  # STS's limits on WebIdentityToken
_Choice = TypeVar("_Choice", bound=str)


def text(value: object, field: str, *, max_length: int | None = None, secret: bool = False) -> str:
    """Check that a value is a non-empty string without control characters, fit for an HTTP header.

    :param value: The value from the request.
    :param field: The name to report in errors.
    :param max_length: The longest accepted length in characters, if any.
    :param secret: Never quote the value, only its type.
    :raises ConfigError: If the value is not such a string.
    """
    if not isinstance(value, str) or not value:
        got = "an empty string" if value == "" else kind(value) if secret else describe(value)
        raise ConfigError(field, f"got {got}; expected a non-empty string")
    _utf8(value, field)
    bad = next((char for char in value if unicodedata.category(char) == "Cc"), None)
    if bad is not None:
        raise ConfigError(field, f"contains the control character {bad!r}; only printable characters are accepted")
    if max_length is not None and len(value) > max_length:
        raise ConfigError(field, f"is {len(value)} characters long; at most {max_length} are accepted")
    return value


def _utf8(value: str, field: str) -> bytes:
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        # JSON can carry a lone surrogate such as \ud800, which no URL or header can.
        raise ConfigError(field, "is not valid Unicode (it holds a lone surrogate)") from None


def optional_text(value: object, field: str, *, secret: bool = False) -> str | None:
    """Like :func:`text`, but ``null`` stays ``None``."""
    return None if value is None else text(value, field, secret=secret)


def flag(value: object, field: str) -> bool:
    """Check that a value is a JSON boolean.

    :param value: The value from the request.
    :param field: The name to report in errors.
    """
    if not isinstance(value, bool):
        raise ConfigError(field, f"got {describe(value)}; expected true or false")
    return value


def choice(value: object, field: str, choices: tuple[_Choice, ...]) -> _Choice:
    """Check that a value is one of a few accepted words.

    :param value: The value from the request.
    :param field: The name to report in errors.
    :param choices: The accepted words.
    """
    for accepted in choices:
        if value == accepted:
            return accepted
    raise ConfigError(field, f"got {describe(value)}; expected one of {', '.join(choices)}")


def object_key(value: object, field: str, key_prefix: str = "") -> str:
    """Check an object key and prepend the source's ``key_prefix``; the key itself is passed on unchanged.

    :param value: The key from the request.
    :param field: The name to report in errors.
    :param key_prefix: The source's prefix.
    """
    if not isinstance(value, str) or not value:
        raise ConfigError(field, f"got {describe(value)}; expected a non-empty object key such as folder/file.txt")
    if _S3_ADDRESS.match(value):
        raise ConfigError(
            field,
            f"got {describe(value)}, an S3 address; please give the key alone, such as folder/file.txt: "
            "the bucket comes from source.bucket",
        )
    key = key_prefix + value
    size = len(_utf8(key, field))
    if size > MAX_KEY_BYTES:
        raise ConfigError(field, f"the key is {size} bytes long in UTF-8; S3 accepts at most {MAX_KEY_BYTES}")
    if has_dot_segment(key):
        raise ConfigError(field, f"the key {describe(key)} {DOT_SEGMENT_PROBLEM}")
    return key


# The step's records are NamedTuples: every step defines them as it starts, and defining one costs a sixth of
# what a frozen dataclass does.
class Source(NamedTuple):
    """The validated ``source``: how to reach the bucket, and the prefix of every key."""

    connection: Connection
    key_prefix: str


def parse_source(raw: Mapping[str, object]) -> Source:
    """Validate ``source``: the names of its fields, then their values.

    :param raw: The request's ``source``.
    :raises ConfigError: Naming the first field that is unknown, missing or malformed.
    """
    given = fields.source_fields(raw)
    checked_endpoint = _endpoint(given.get("endpoint"))
    key_prefix = given.get("key_prefix")
    skip_verification = fields.value(given, "skip_ssl_verification")
    connection = Connection(
        bucket=_bucket(given.get("bucket")),
        region=_region(given.get("region"), custom_endpoint=checked_endpoint is not None),
        endpoint=checked_endpoint,
        addressing_style=choice(fields.value(given, "addressing_style"), "source.addressing_style", ADDRESSING_STYLES),
        keys=_static_credentials(
            given.get("access_key_id"), given.get("secret_access_key"), given.get("session_token")
        ),
        role=_role(given),
        ca_bundle=_ca_bundle(given.get("ca_bundle"), skip_verification),
        verify_ssl=not flag(skip_verification, "source.skip_ssl_verification"),
        public_endpoint=_public_endpoint(given.get("public_endpoint"), checked_endpoint),
    )
    return Source(connection, "" if key_prefix is None else _key_prefix(key_prefix))


def _key_prefix(value: object) -> str:
    prefix = text(value, "source.key_prefix", max_length=MAX_KEY_BYTES)
    if _S3_ADDRESS.match(prefix):
        raise ConfigError("source.key_prefix", f"got {describe(prefix)}, an S3 address; please give the prefix alone")
    return prefix


def _bucket(value: object) -> str:
    if value is None:
        raise ConfigError("source.bucket", "required; please specify the bucket name, such as my-bucket")
    if not isinstance(value, str) or not _BUCKET.fullmatch(value):
        raise ConfigError(
            "source.bucket",
            f"got {describe(value)}; please specify the bucket name, such as my-bucket, without s3:// or a key",
        )
    return value


def _region(value: object, *, custom_endpoint: bool) -> str | None:
    if value is None:
        return None
    pattern = REGION if custom_endpoint else AWS_REGION
    if not isinstance(value, str) or not pattern.fullmatch(value):
        example = "a lowercase name such as us-east-1 or auto" if custom_endpoint else "an AWS region such as eu-west-2"
        raise ConfigError("source.region", f"got {describe(value)}; expected {example}")
    return value


def _endpoint(value: object, field: str = "source.endpoint") -> str | None:
    if value is None:
        return None
    accepted = "expected an http:// or https:// URL such as https://minio.example.com:9000"
    if not isinstance(value, str):
        raise ConfigError(field, f"got {describe(value)}; {accepted}")
    shown = "the endpoint" if "@" in value else value  # a user part may hold a password, even one with a /
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  # raises ValueError for a port that is not a number
    except ValueError:
        raise ConfigError(field, f"{_quoted(shown)} is not a valid URL; {accepted}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(field, f"{_quoted(shown)} is not a URL; {accepted}")
    if parts.username or parts.password or parts.query or parts.fragment:
        # The user part may hold a secret, so the value is not quoted.
        raise ConfigError(field, f"must not hold credentials, a query or a fragment; {accepted}")
    return normalized_endpoint(value, field)


def _public_endpoint(value: object, endpoint: str | None) -> str | None:
    field = "source.public_endpoint"
    public = _endpoint(value, field)
    if public is None:
        return None
    if endpoint is None:
        raise ConfigError(field, "is set without endpoint, the address the step itself reaches the store at")
    # SigV4 signs the path: a proxy can only pass a link on if it keeps the path as it is.
    public_path, path = urlsplit(public).path, urlsplit(endpoint).path
    if public_path != path:
        raise ConfigError(
            field,
            f"has the path {public_path or '/'!r}, and endpoint {path or '/'!r}; a signed link's path cannot change "
            "on its way, so give both the same path",
        )
    return None if public == endpoint else public


def _quoted(shown: str) -> str:
    return shown if shown == "the endpoint" else describe(shown)


def _static_credentials(access_key_id: object, secret_access_key: object, token: object) -> Keys | None:
    if access_key_id is None and secret_access_key is None:
        if token is not None:
            raise ConfigError("source.session_token", "is set without access_key_id and secret_access_key")
        return None
    if access_key_id is None:
        raise ConfigError("source.access_key_id", "please specify it together with secret_access_key, or neither")
    if secret_access_key is None:
        raise ConfigError("source.secret_access_key", "please specify it together with access_key_id, or neither")
    return Keys(
        access_key_id=text(access_key_id, "source.access_key_id", secret=True),
        secret_access_key=text(secret_access_key, "source.secret_access_key", secret=True),
        session_token=optional_text(token, "source.session_token", secret=True),
    )


def _role(given: Mapping[str, object]) -> Role | None:
    arn, session_name, external_id = given.get("role_arn"), given.get("role_session_name"), given.get("external_id")
    token = given.get("web_identity_token")
    if arn is None:
        for field in ("role_session_name", "external_id", "web_identity_token"):
            if field in given:
                raise ConfigError(f"source.{field}", "is set without role_arn, the role it is for")
        return None
    token = None if token is None else _web_identity_token(given, token)
    if not isinstance(arn, str) or not _ROLE_ARN.fullmatch(arn):
        raise ConfigError(
            "source.role_arn", f"got {describe(arn)}; expected an ARN such as arn:aws:iam::123456789012:role/name"
        )
    if session_name is None:
        session_name = fields.BY_NAME["role_session_name"].default
    if not isinstance(session_name, str) or not _ROLE_SESSION_NAME.fullmatch(session_name):
        raise ConfigError(
            "source.role_session_name", f"got {describe(session_name)}; expected 2 to 64 of letters, digits and +=,.@_-"
        )
    if external_id is not None and (not isinstance(external_id, str) or not _EXTERNAL_ID.fullmatch(external_id)):
        raise ConfigError("source.external_id", "expected 2 to 1224 of letters, digits and +=,.@:/_-")
    return Role(arn=arn, session_name=session_name, external_id=external_id, web_identity_token=token)


def _web_identity_token(given: Mapping[str, object], token: object) -> str:
    for field in ("access_key_id", "secret_access_key", "session_token", "external_id"):
        if field in given:
            raise ConfigError(
                f"source.{field}", "is not used with web_identity_token, which STS trades for the role's keys"
            )
    checked = text(token, "source.web_identity_token", max_length=_WEB_IDENTITY_TOKEN_CHARS[-1], secret=True)
    if len(checked) not in _WEB_IDENTITY_TOKEN_CHARS:
        raise ConfigError("source.web_identity_token", "is shorter than 4 characters; expected an OIDC token (a JWT)")
    return checked


def _ca_bundle(value: object, skip_ssl_verification: object) -> str | None:
    if value is None:
        return None
    if skip_ssl_verification is True:
        raise ConfigError("source.ca_bundle", "please specify either ca_bundle or skip_ssl_verification, not both")
    if not isinstance(value, str) or _PEM_CERTIFICATE not in value:
        raise ConfigError("source.ca_bundle", f"expected PEM text containing {_PEM_CERTIFICATE}")
    return value


# get parameters and the response headers they override in a download URL
RESPONSE_OVERRIDES = {
    "content_type": "ResponseContentType",
    "cache_control": "ResponseCacheControl",
    "content_language": "ResponseContentLanguage",
    "content_encoding": "ResponseContentEncoding",
}


class Selection(NamedTuple):
    """Which objects to sign: one key, a list of keys, every key under a prefix, or the newest regexp match."""

    mode: Mode
    keys: tuple[str, ...] = ()
    prefix: str = ""
    pattern: re.Pattern[str] | None = None


class GetParams(NamedTuple):
    """The validated parameters of the implicit get that signs the URLs."""

    selection: Selection
    method: Method
    expires_in: int
    overrides: dict[str, str]
    content_type: str | None
    version_id: str | None
    url_file: str
    verify: bool
    allow_shorter_expiry: bool
    allow_empty: bool
    max_objects: int
    form: Form | None = None
    upload_headers: dict[str, str] = {}  # noqa: RUF012  # never changed
    """The headers a ``put`` upload must send exactly as signed, by name as it is sent."""
    title: str | None = None
    message: str | None = None

    @property
    def single(self) -> bool:
        """Whether the step signs exactly one URL, or one form, written to ``url_file``."""
        return signs_one(self.method, self.selection.mode)

    @property
    def downloads_verified(self) -> bool:
        """Whether the step proves download links: each must fetch, so the objects must exist."""
        return self.verify and self.method == "get"

    @property
    def sends_requests(self) -> bool:
        """Whether the step talks to S3: to prove its links, or because it must list to know what to sign."""
        return self.verify or (self.method == "get" and self.selection.mode in ("prefix", "regexp"))


def parse_get_params(source: Source, raw: Mapping[str, object]) -> GetParams:
    """Validate the put's ``get_params``: the names, where each applies, then the values.

    :param source: The validated source.
    :param raw: The request's ``params``.
    :raises ConfigError: Naming the first field that is unknown, misplaced, missing or malformed.
    """
    given = fields.param_fields(raw)
    method = choice(fields.value(given, "method"), "params.method", METHODS)
    mode = _mode(given)
    fields.check_applies(given, method, mode)
    limit = _max_objects(fields.value(given, "max_objects"))
    selection = _selection(mode, given[mode], source.key_prefix, limit)
    headers = {field: given.get(field) for field in RESPONSE_OVERRIDES}
    for field, value in headers.items():
        if value is not None:
            text(value, f"params.{field}", max_length=1024)
    overrides = {RESPONSE_OVERRIDES[field]: str(value) for field, value in headers.items() if value is not None}
    file_name, disposition = given.get("file_name"), given.get("disposition")
    # One link downloads as a file unless asked otherwise: what an uploader stored is not opened as a page.
    if file_name is not None or disposition is not None or (method == "get" and signs_one(method, mode)):
        chosen = "attachment" if disposition is None else choice(disposition, "params.disposition", DISPOSITIONS)
        name = None if file_name is None else text(file_name, "params.file_name", max_length=MAX_FILE_NAME)
        overrides["ResponseContentDisposition"] = content_disposition(chosen, name)
    if method == "get" and not signs_one(method, mode):
        # A page's link, or a prefix's, downloads whatever the store serves it as: never a page on the store's origin.
        if given.get("disposition") == "inline":
            raise ConfigError("params.disposition", f"applies to one link; the links of {mode} always download")
        overrides.setdefault("ResponseContentDisposition", "attachment")
    content_type = given.get("content_type")
    if content_type is not None and "*" in str(content_type) and method != "post":
        raise ConfigError("params.content_type", "a family such as image/* applies to upload forms (method: post)")
    flag(fields.value(given, "overwrite"), "params.overwrite")
    signed_type = None if content_type is None or method != "put" else str(content_type)  # a form signs its own
    upload = upload_headers.parse(given, signed_type, form=method == "post")
    url_file = parse_url_file(fields.value(given, "url_file"))
    if "url_file" in given and not signs_one(method, mode):
        raise ConfigError(
            "params.url_file", f"applies when one link is signed; {mode} writes urls.json and manifest.json"
        )
    return GetParams(
        selection=selection,
        method=method,
        expires_in=parse_expires_in(fields.value(given, "expires_in")),
        overrides=overrides if method == "get" else {},
        content_type=None if content_type is None else str(content_type),
        version_id=optional_text(given.get("version_id"), "params.version_id"),
        url_file=url_file,
        verify=flag(fields.value(given, "verify"), "params.verify"),
        allow_shorter_expiry=flag(fields.value(given, "allow_shorter_expiry"), "params.allow_shorter_expiry"),
        allow_empty=flag(fields.value(given, "allow_empty"), "params.allow_empty"),
        max_objects=limit,
        form=_form(selection, given)._replace(fields=upload.form_fields) if method == "post" else None,
        upload_headers=upload.headers if method == "put" else {},
        title=_page_text(given, "title", method, mode, max_length=MAX_TITLE),
        message=_page_text(given, "message", method, mode, max_length=MAX_MESSAGE),
    )


def _page_text(given: Mapping[str, object], name: str, method: Method, mode: Mode, *, max_length: int) -> str | None:
    # Any characters are accepted: the page shows the invisible ones visibly rather than refusing them.
    value = given.get(name)
    if value is None:
        return None
    if method == "get" and signs_one(method, mode):
        raise ConfigError(f"params.{name}", f"applies where a page is written: file_paths or prefix, not {mode}")
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"params.{name}", f"got {describe(value)}; expected a non-empty string")
    _utf8(value, f"params.{name}")
    if len(value) > max_length:
        raise ConfigError(f"params.{name}", f"is {len(value)} characters long; at most {max_length} are accepted")
    return value


def signs_one(method: Method, mode: Mode) -> bool:
    """Whether a step signs exactly one URL, or one form, written to ``url_file``."""
    return method == "post" or mode in ("file_path", "regexp")


def _form(selection: Selection, given: Mapping[str, object]) -> Form:
    if "max_size" not in given:
        raise ConfigError("params.max_size", "required with method: post; the largest upload, such as 100MB or 2GiB")
    max_size = parse_size(given["max_size"], "params.max_size", least=1)
    min_size = parse_size(given.get("min_size", 0), "params.min_size", least=0)
    if min_size > max_size:
        raise ConfigError("params.min_size", f"is {min_size} bytes, more than max_size ({max_size} bytes)")
    content_type = given.get("content_type")
    if content_type is not None:
        _form_type(str(content_type))
    if selection.keys and FILENAME in selection.keys[0]:
        raise ConfigError(
            "params.file_path", f"holds {FILENAME}, which S3 fills in with the uploader's file name; give it as prefix"
        )
    if selection.prefix:  # the uploader's file name follows it, so it must be a key's start that can stand
        object_key(selection.prefix, "params.prefix")
    key = selection.keys[0] if selection.keys else selection.prefix + FILENAME
    # Media types are case-insensitive, and browsers send them in lower case; S3's policy compares them exactly.
    return Form(key, max_size, min_size, None if content_type is None else str(content_type).lower())


def _form_type(content_type: str) -> None:
    """Admit only one exact type whose content a browser will not run: what a form takes is served as it came."""
    if not _CONTENT_TYPE.fullmatch(content_type):
        raise ConfigError(
            "params.content_type", f"got {describe(content_type)}; expected one type, such as text/csv or image/png"
        )
    if content_type.endswith("/*"):
        raise ConfigError(
            "params.content_type",
            f"got {describe(content_type)}; a form's policy holds a family only by its start, so it would also take "
            f"a list such as {content_type[:-1]}x,text/html, which a browser opens as a page: give one exact type, "
            "such as image/png, or none for application/octet-stream",
        )
    if _RUNS_IN_A_BROWSER.search(content_type):
        raise ConfigError(
            "params.content_type",
            f"got {describe(content_type)}, which a browser runs as a page on the store's site; give a type it "
            "will not run, such as text/plain or image/png, or none for application/octet-stream",
        )


def parse_size(value: object, field: str, *, least: int) -> int:
    """Turn a size into bytes: a whole number of bytes, or a number with a unit such as ``100MB`` or ``2GiB``.

    :param value: The value from the request.
    :param field: The name to report in errors.
    :param least: The smallest accepted size.
    """
    accepted = f"expected bytes, or a size such as 100MB or 2GiB, from {least} B to 5 GiB"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(field, f"got {describe(value)}; {accepted}")
    match = _SIZE.fullmatch(str(value).strip()) if str(value).isascii() else None
    if match is None:
        raise ConfigError(field, f"got {describe(value)}; {accepted}")
    size = int(match["number"]) * _SIZE_UNITS[match["unit"].lower()]
    if not least <= size <= MAX_UPLOAD_BYTES:
        raise ConfigError(field, f"{describe(value)} is {size} bytes; {accepted}")
    return size


def _mode(given: Mapping[str, object]) -> Mode:
    chosen = [mode for mode in MODES if mode in given]
    if not chosen:
        raise ConfigError(
            "params.file_path",
            "required; please specify the object key, or one of file_paths, prefix or regexp, under get_params",
        )
    if len(chosen) > 1:
        raise ConfigError(
            f"params.{chosen[1]}", f"please specify only one of {', '.join(MODES)}; got {' and '.join(chosen)}"
        )
    return chosen[0]


def _max_objects(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_OBJECTS:
        raise ConfigError(
            "params.max_objects", f"got {describe(value)}; expected a whole number from 1 to {MAX_OBJECTS}"
        )
    return value


def _selection(mode: Mode, value: object, key_prefix: str, max_objects: int) -> Selection:
    if mode == "file_path":
        return Selection(mode, keys=(object_key(value, "params.file_path", key_prefix),))
    if mode == "file_paths":
        return Selection(mode, keys=_key_list(value, key_prefix, max_objects))
    if mode == "prefix":
        if not isinstance(value, str):
            raise ConfigError("params.prefix", f"got {describe(value)}; expected a key prefix such as artifacts/1.2.3/")
        if _S3_ADDRESS.match(value):
            raise ConfigError("params.prefix", f"got {describe(value)}, an S3 address; please give the prefix alone")
        return Selection(mode, prefix=key_prefix + value)
    return Selection(mode, prefix=key_prefix, pattern=_regexp(value))


def _key_list(value: object, key_prefix: str, max_objects: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError("params.file_paths", f"got {describe(value)}; expected a non-empty list of object keys")
    if len(value) > max_objects:
        raise ConfigError(
            "params.file_paths", f"has {len(value)} keys, more than max_objects ({max_objects}); raise max_objects"
        )
    keys = tuple(object_key(key, f"params.file_paths[{index}]", key_prefix) for index, key in enumerate(value))
    seen: set[str] = set()
    for index, key in enumerate(keys):
        if key in seen:
            raise ConfigError(f"params.file_paths[{index}]", f"{describe(value[index])} is listed twice")
        seen.add(key)
    return keys


def _regexp(value: object) -> re.Pattern[str]:
    field = "params.regexp"
    example = "expected a regexp with a group for the version, such as releases/app-(.*).tgz"
    if not isinstance(value, str) or not value:
        raise ConfigError(field, f"got {describe(value)}; {example}")
    try:
        with warnings.catch_warnings():
            # Python warns of patterns whose meaning a later version will change, such as a nested set [[.
            warnings.simplefilter("error", FutureWarning)
            pattern = re.compile(value)
    except re.error as error:
        raise ConfigError(field, f"is not a valid regexp ({error.msg} at position {error.pos}); {example}") from None
    except FutureWarning as warning:
        raise ConfigError(field, f"is ambiguous ({warning}); escape the character, such as \\[") from None
    if pattern.groups < 1:
        raise ConfigError(field, f"has no capture group; {example}")
    return pattern


def parse_url_file(value: object) -> str:
    """Check that ``url_file`` names a plain file inside the destination.

    :param value: The value from the request.
    """
    field = "params.url_file"
    name = text(value, field)
    size = len(name.encode("utf-8"))
    if size > MAX_FILE_NAME - _STAGING_ROOM:
        raise ConfigError(
            field, f"is {size} bytes long in UTF-8; at most {MAX_FILE_NAME - _STAGING_ROOM} fit in a file name"
        )
    if name in (".", "..") or "/" in name or "\\" in name:
        raise ConfigError(field, f"got {describe(name)}; expected a plain file name such as url, without / or ..")
    if name in OUTPUT_FILES:
        raise ConfigError(field, f"{name!r} is written by the resource itself; choose another name")
    return name
