"""The headers an upload must send as signed, from the params that ask for them, in the forms S3 wants.

Each is signed as a header, never as a query parameter, so the uploader must send it exactly: leaving it out or
changing it breaks the signature. The same table gives botocore's name for each, and a form's field.
"""

import base64
import re
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import quote

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.core.text import describe
from s3_presigned.request.fields import PARAMS, Field

CANNED_ACLS = (
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
)
ENCRYPTIONS = ("AES256", "aws:kms", "aws:kms:dsse")
META_PREFIX = "x-amz-meta-"
# Each header but the metadata's: botocore's name for it in put_object's parameters, and the param that asks for it.
HEADERS = {
    "Content-Type": ("ContentType", PARAMS.content_type),
    "Content-MD5": ("ContentMD5", PARAMS.content_md5),
    "x-amz-checksum-sha256": ("ChecksumSHA256", PARAMS.checksum_sha256),
    "If-None-Match": ("IfNoneMatch", PARAMS.overwrite),
    "x-amz-acl": ("ACL", PARAMS.acl),
    "x-amz-tagging": ("Tagging", PARAMS.tags),
    "x-amz-server-side-encryption": ("ServerSideEncryption", PARAMS.server_side_encryption),
    "x-amz-server-side-encryption-aws-kms-key-id": ("SSEKMSKeyId", PARAMS.kms_key_id),
}
_METADATA_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,126}[a-z0-9])?", re.ASCII)  # no _: proxies drop such headers
_METADATA_BYTES = 2048  # S3's limit on the names and values of an object's metadata together
_PRINTABLE = re.compile(r"[\x20-\x7e]*", re.ASCII)
_TAG_TEXT = re.compile(r"[\w .:/=+\-@]*")  # S3's tag characters: letters, digits, spaces and _ . : / = + - @
_MOST_TAGS = 10
_RESERVED_TAG_PREFIX = "aws:"  # S3 refuses every upload that sets such a tag, in any case
_TAG_KEY_CHARS, _TAG_VALUE_CHARS = 128, 256
_KMS_KEY_ID_CHARS = 2048  # KMS's longest key id, ARN or alias
_HEX = {PARAMS.checksum_sha256.name: (64, "sha256sum"), PARAMS.content_md5.name: (32, "md5sum")}


class UploadHeaders(NamedTuple):
    """What an upload must carry: the headers of a ``put`` link, and the extra fields of a form."""

    headers: dict[str, str]
    form_fields: dict[str, str]


def parse(given: Mapping[str, object], content_type: str | None, *, form: bool) -> UploadHeaders:
    """Check the params that shape an upload, and build the headers, or the form's fields, that carry them.

    :param given: The params, by their own names, already checked to apply to the method.
    :param content_type: The upload's exact ``Content-Type``, for a ``put`` link; a form signs its own.
    :param form: Build a form's fields (``method: post``) rather than a link's headers.
    :raises ConfigError: Naming the first param whose value S3 would not take.
    """
    metadata = _metadata(PARAMS.metadata.get(given))
    tags = _tags(PARAMS.tags.get(given))
    acl = PARAMS.acl.get(given)
    if acl is not None and acl not in CANNED_ACLS:
        raise PARAMS.acl.problem(f"got {describe(acl)}; expected a canned ACL: {', '.join(CANNED_ACLS)}")
    if form:
        fields = {f"{META_PREFIX}{name}": value for name, value in metadata.items()}
        if acl is not None:
            fields["acl"] = str(acl)
        if tags:
            fields["tagging"] = _tagging_xml(tags)
        return UploadHeaders({}, fields)
    headers = {} if content_type is None else {"Content-Type": _header_text(content_type, PARAMS.content_type.path)}
    for field, header in ((PARAMS.content_md5, "Content-MD5"), (PARAMS.checksum_sha256, "x-amz-checksum-sha256")):
        if (digest := field.get(given)) is not None:
            headers[header] = _base64_digest(digest, field)
    if PARAMS.overwrite.get(given) is False:
        headers["If-None-Match"] = "*"
    if acl is not None:
        headers["x-amz-acl"] = str(acl)
    if tags:
        headers["x-amz-tagging"] = "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in tags)
    headers |= _encryption(PARAMS.server_side_encryption.get(given), PARAMS.kms_key_id.get(given))
    headers |= {f"{META_PREFIX}{name}": value for name, value in metadata.items()}
    return UploadHeaders(headers, {})


def botocore_params(headers: Mapping[str, str]) -> dict[str, object]:
    """Give the headers as put_object's parameters, which botocore signs as these headers."""
    params: dict[str, object] = {HEADERS[name][0]: headers[name] for name in headers if name in HEADERS}
    metadata = {name.removeprefix(META_PREFIX): headers[name] for name in headers if name.startswith(META_PREFIX)}
    if metadata:
        params["Metadata"] = metadata
    return params


def param_of(header: str) -> str:
    """Name the param that asks for a header, as errors name it: ``params.metadata.owner``, ``params.tags``."""
    if header.startswith(META_PREFIX):
        return f"{PARAMS.metadata.path}.{header.removeprefix(META_PREFIX)}"
    return HEADERS[header][1].path


def _metadata(value: object) -> dict[str, str]:
    field = PARAMS.metadata.path
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        raise ConfigError(field, f"got {describe(value)}; expected a map of names to text, such as {{owner: team-a}}")
    size = 0
    for name, text in value.items():
        if not isinstance(name, str) or not _METADATA_NAME.fullmatch(name):
            raise ConfigError(
                field, f"the name {describe(name)} is not lowercase letters, digits and - (at most 128), such as owner"
            )
        size += len(name) + len(_header_text(text, f"{field}.{name}"))
    if size > _METADATA_BYTES:
        raise ConfigError(field, f"its names and values are {size} bytes; S3 takes at most {_METADATA_BYTES}")
    return dict(value)


def _header_text(value: object, field: str) -> str:
    """Check a header's value as every client sends it alike: printable ASCII, without spaces at either end.

    curl sends other characters as UTF-8, and browsers as Latin-1 or not at all, so no signature fits them all.
    """
    if not isinstance(value, str) or not _PRINTABLE.fullmatch(value) or value != value.strip():
        raise ConfigError(
            field, f"got {describe(value)}; expected printable ASCII text, without spaces at either end, as S3 keeps it"
        )
    return value


def _tags(value: object) -> list[tuple[str, str]]:
    field = PARAMS.tags.path
    if value is None:
        return []
    if not isinstance(value, dict) or not value:
        raise ConfigError(field, f"got {describe(value)}; expected a map of tag keys to values, such as {{team: a}}")
    if len(value) > _MOST_TAGS:
        raise ConfigError(field, f"has {len(value)} tags; S3 takes at most {_MOST_TAGS} on an object")
    accepted = "letters, digits, spaces and _ . : / = + - @"
    for key, text in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= _TAG_KEY_CHARS or not _TAG_TEXT.fullmatch(key):
            raise ConfigError(field, f"the key {describe(key)} is not 1 to {_TAG_KEY_CHARS} of {accepted}")
        if key.lower().startswith(_RESERVED_TAG_PREFIX):
            raise ConfigError(field, f"the key {describe(key)} begins with aws:, which S3 keeps for AWS's own tags")
        if not isinstance(text, str) or len(text) > _TAG_VALUE_CHARS or not _TAG_TEXT.fullmatch(text):
            raise ConfigError(
                f"{field}.{key}", f"got {describe(text)}; expected text of up to {_TAG_VALUE_CHARS} of {accepted}"
            )
    return list(value.items())


def _tagging_xml(tags: list[tuple[str, str]]) -> str:
    """Write tags as a form's ``tagging`` field: S3's Tagging document, where a link's header takes a query.

    S3's tag characters hold none that XML escapes, so the tags stand in it as they are.
    """
    tag_set = "".join(f"<Tag><Key>{key}</Key><Value>{value}</Value></Tag>" for key, value in tags)
    return f"<Tagging><TagSet>{tag_set}</TagSet></Tagging>"


def _base64_digest(value: object, field: Field) -> str:
    """Turn a hex digest, as ``sha256sum`` and ``md5sum`` print it, into the base64 that S3's headers take."""
    length, tool = _HEX[field.name]
    if not isinstance(value, str) or not re.fullmatch(rf"[0-9a-fA-F]{{{length}}}", value):
        raise field.problem(f"got {describe(value)}; expected {length} hex digits, as {tool} prints them")
    return base64.b64encode(bytes.fromhex(value)).decode("ascii")


def _encryption(algorithm: object, key_id: object) -> dict[str, str]:
    if algorithm is None:
        if key_id is None:
            return {}
        algorithm = "aws:kms"  # the one a KMS key is for
    if algorithm not in ENCRYPTIONS:
        raise PARAMS.server_side_encryption.problem(
            f"got {describe(algorithm)}; expected one of {', '.join(ENCRYPTIONS)}"
        )
    headers = {"x-amz-server-side-encryption": str(algorithm)}
    if key_id is None:
        return headers
    if algorithm == "AES256":
        raise PARAMS.kms_key_id.problem("applies to server_side_encryption: aws:kms, not AES256")
    if (
        not isinstance(key_id, str)
        or not 0 < len(key_id) <= _KMS_KEY_ID_CHARS
        or not _PRINTABLE.fullmatch(key_id)
        or key_id != key_id.strip()
    ):
        raise PARAMS.kms_key_id.problem(
            f"got {describe(key_id)}; expected a KMS key's id, ARN or alias, up to {_KMS_KEY_ID_CHARS} printable "
            "ASCII characters, such as alias/uploads",
        )
    return headers | {"x-amz-server-side-encryption-aws-kms-key-id": key_id}
