"""What S3 said, read defensively: a missing or odd field is left out, never a reason to crash."""

import datetime
import email.utils
import re
from collections.abc import Mapping
from typing import Literal, NamedTuple
from urllib.parse import unquote_plus
from xml.etree import ElementTree as ET

from s3_presigned.core.failures.listings import (
    BrokenXml,
    DoctypeSent,
    EntryWithoutKey,
    KeyTooLong,
    NotS3Xml,
    NotXml,
    WrongRoot,
)
from s3_presigned.core.gate import SIGNING_NAME
from s3_presigned.s3.facts import (
    ERROR_CODES,
    ETAG,
    MAX_KEY_BYTES,
    REGION,
    STORAGE_CLASSES,
    UNKNOWN_ERROR_CODE,
    VERSION_ID,
)
from s3_presigned.s3.shape import ServerText

_CONTENT_RANGE_TOTAL = re.compile(r"bytes\s+(?:\d+-\d+|\*)/(\d+)\s*$")
# In AuthorizationHeaderMalformed and the like; compiled when such an error comes, by re's cache.
_EXPECTED_REGION = r"expecting '([a-z0-9-]+)'"
_SIZE_DIGITS = 13
_XML_TYPES = ("xml",)  # application/xml, text/xml and S3's own variants all say so


class Answer(NamedTuple):
    """One HTTP answer: its status, its headers with lower-case names, and as much of its body as was read."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def ok(self) -> bool:
        """Whether the status is a success."""
        return 200 <= self.status < 300  # noqa: PLR2004  # the success range of HTTP

    def describe(self) -> str:
        """Name the status as a person reads it, such as ``403 Forbidden``: the reason phrase is the server's text."""
        return f"{self.status} {ServerText(self.reason)}".strip()


class S3Error(NamedTuple):
    """An error answer: S3's code and message, and the region it names for the bucket, if any.

    :ivar code: One of the codes S3 documents, :data:`UNKNOWN_ERROR_CODE`, or the status when there was no body.
    :ivar message: What the server wrote, shown only by its shape.
    """

    code: str
    message: ServerText
    region: str | None
    storage_class: str | None


class ObjectInfo(NamedTuple):
    """What S3 said of an object, all of it safe to show in the build's metadata."""

    size: int | None = None
    etag: str | None = None
    last_modified: datetime.datetime | None = None
    content_type: str | None = None
    version_id: str | None = None
    storage_class: str | None = None


class ListedObject(NamedTuple):
    """An object as a listing describes it; the fields besides the key may be missing from odd stores."""

    key: str
    size: int | None
    etag: str | None
    last_modified: str | None
    storage_class: str | None

    def as_info(self) -> ObjectInfo:
        """Describe the object as a GET of it would, from what the listing said."""
        return ObjectInfo(
            size=self.size,
            etag=self.etag,
            last_modified=iso_date(self.last_modified),
            storage_class=self.storage_class,
        )


class ListPage(NamedTuple):
    """One page of a ``ListObjectsV2`` answer."""

    objects: list[ListedObject]
    truncated: bool
    next_token: str | None


def error_of(answer: Answer) -> S3Error:
    """Read the code, message and region from an error answer; HEAD-like answers without a body have only a status.

    :raises NotS3Xml: If there is a body, but it is not S3's XML.
    """
    fields: dict[str, str] = {}
    if answer.body.strip():
        root = _parse_xml(answer)
        if _local(root.tag) != "Error":
            raise WrongRoot(answer.describe(), str(ServerText(_local(root.tag)[:40])), "an S3 error")
        fields = {_local(child.tag): (child.text or "").strip() for child in root}
    message = fields.get("Message", "")
    region = answer.headers.get("x-amz-bucket-region") or fields.get("Region")
    if not region and (expected := re.search(_EXPECTED_REGION, message)):
        region = expected.group(1)
    code = fields.get("Code")
    return S3Error(
        code=str(answer.status) if not code else code if code in ERROR_CODES else UNKNOWN_ERROR_CODE,
        message=ServerText(message),
        region=_region(region),
        storage_class=_storage_class(fields.get("StorageClass") or answer.headers.get("x-amz-storage-class")),
    )


def _storage_class(named: str | None) -> str | None:
    return named if named in STORAGE_CLASSES else None


def _region(named: str | None) -> str | None:
    region = (named or "").strip().lower()
    return region if REGION.fullmatch(region) else None


def region_named(answer: Answer) -> str | None:
    """Name the region an error answer gives for the bucket, from its header or its body; ``None`` if none."""
    if answer.ok:
        return None
    try:
        return error_of(answer).region
    except NotS3Xml:
        return _region(answer.headers.get("x-amz-bucket-region"))  # a redirect or a proxy's page may still say


def object_info(headers: Mapping[str, str]) -> ObjectInfo:
    """Describe an object from the headers of a GET of it, ranged or not.

    :param headers: With lower-case names.
    """
    total = _CONTENT_RANGE_TOTAL.search(headers.get("content-range", ""))
    return ObjectInfo(
        size=_count(total.group(1) if total else headers.get("content-length")),
        etag=_etag(headers.get("etag")),
        last_modified=http_date(headers.get("last-modified")),
        content_type=headers.get("content-type") or None,
        version_id=headers.get("x-amz-version-id") or None,
        storage_class=headers.get("x-amz-storage-class") or None,
    )


def http_date(value: str | None) -> datetime.datetime | None:
    """Parse an HTTP date into an aware UTC time; ``None`` for anything that is not one.

    A date in ``-0000`` or without a zone is taken as UTC, which is what HTTP dates are.

    :param value: A header's value, possibly joined from duplicate headers.
    """
    if not value or "," in value.partition(",")[2]:
        return None  # absent, or duplicate headers joined with a comma
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed.replace(tzinfo=datetime.UTC) if parsed.tzinfo is None else parsed.astimezone(datetime.UTC)


def clock_skew(answer: Answer, now: datetime.datetime) -> float | None:
    """S3's clock less this machine's, in seconds, from an answer's ``Date``; ``None`` if it has no readable one."""
    server_time = http_date(answer.headers.get("date"))
    return None if server_time is None else (server_time - now).total_seconds()


def iso_date(value: str | None) -> datetime.datetime | None:
    """Parse a listing's ISO 8601 time, such as ``2026-01-01T00:00:00.000Z``; ``None`` for anything else."""
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=datetime.UTC) if parsed.tzinfo is None else parsed.astimezone(datetime.UTC)


def parse_list_page(answer: Answer) -> ListPage:
    """Read one page of a listing, URL-decoding its keys exactly once if the store says it encoded them.

    :raises NotS3Xml: If the body is not a ``ListBucketResult``.
    :raises ListingBroken: If an entry has no key, or one longer than S3 allows.
    """
    root = _parse_xml(answer)
    if _local(root.tag) != "ListBucketResult":
        raise WrongRoot(answer.describe(), str(ServerText(_local(root.tag))), "a listing")
    encoded = (_child_text(root, "EncodingType") or "").lower() == "url"
    objects = []
    for entry in root:
        if _local(entry.tag) != "Contents":
            continue
        fields = {_local(child.tag): child.text or "" for child in entry}
        key = fields.get("Key")
        if not key:
            raise EntryWithoutKey
        key = unquote_plus(key) if encoded else key
        if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
            raise KeyTooLong(len(key.encode("utf-8", "surrogatepass")))
        objects.append(
            ListedObject(
                key=key,
                size=_count(fields.get("Size")),
                etag=_etag(fields.get("ETag")),
                last_modified=fields.get("LastModified") or None,
                storage_class=fields.get("StorageClass") or None,
            )
        )
    return ListPage(
        objects=objects,
        truncated=(_child_text(root, "IsTruncated") or "").strip().lower() == "true",
        next_token=_child_text(root, "NextContinuationToken") or None,
    )


def _parse_xml(answer: Answer) -> ET.Element:
    said = answer.headers.get("content-type", "").split(";")[0].strip()
    xml = any(kind in said for kind in _XML_TYPES)
    said = str(ServerText(said)) if said else "no content type"  # the server's text, shown by its shape
    if any(token in answer.body for token in (b"<!DOCTYPE", b"<!doctype", b"<!ENTITY")):
        # S3 never declares a document type; in XML, one could only expand entities into gigabytes.
        raise DoctypeSent(answer.describe()) if xml else NotXml(answer.describe(), said)
    try:
        return ET.fromstring(answer.body)  # noqa: S314  # no DOCTYPE, so no entity but XML's own five
    except ET.ParseError as error:
        raise BrokenXml(answer.describe(), str(error)) if xml else NotXml(answer.describe(), said) from None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]  # S3's listings carry a namespace, its errors do not


def _child_text(root: ET.Element, name: str) -> str | None:
    for child in root:
        if _local(child.tag) == name:
            return child.text
    return None


def _count(value: str | None) -> int | None:
    # S3's largest object is 5 TiB, 13 digits: a longer number is no size, and could carry anything.
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= _SIZE_DIGITS else None


def _etag(value: str | None) -> str | None:
    return (value or "").strip().strip('"') or None


# What S3 says of an object, as the metadata may show it. A value of another shape may be a proxy reflecting
# the request, and is left out.
_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$^_.+-]{0,126}+"  # RFC 6838's restricted-name, without & which joins queries
# A type, and a charset at most: what an object is served with. Anything longer could carry what a proxy reflects.
_CONTENT_TYPE = re.compile(
    rf"{_NAME}/{_NAME}(?:[ \t]{{0,4}}+;[ \t]{{0,4}}+charset=[A-Za-z0-9._-]{{1,32}}+)?+", re.IGNORECASE
)
_CONTENT_TYPE_CHARS = 256
_SIGNING_PARAMETER = re.compile(rf"(?i);[ \t]*(?:{SIGNING_NAME}|policy)=")
ServerField = Literal["etag", "version_id", "storage_class", "content_type"]


def server_value(field: ServerField, value: str | None) -> str | None:
    """Keep a value from a server's answer only if it has the shape S3 gives that field.

    Pass what is kept through :meth:`Gate.scrub` too: a signature the step sent has the shape of an ETag.

    :param field: Which field of the answer the value is.
    :param value: The value as the answer gave it, if it gave one.
    :returns: The value, or ``None`` if it was not given or has another shape.
    """
    if value is None:
        return None
    if field == "etag":
        fits = ETAG.fullmatch(value) is not None
    elif field == "version_id":
        fits = VERSION_ID.fullmatch(value) is not None
    elif field == "storage_class":
        fits = value in STORAGE_CLASSES
    else:
        fits = (
            len(value) <= _CONTENT_TYPE_CHARS
            and _CONTENT_TYPE.fullmatch(value) is not None
            and _SIGNING_PARAMETER.search(value) is None
        )
    return value if fits else None
