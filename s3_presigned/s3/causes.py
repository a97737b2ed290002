"""Which cause an answer of S3's names: decided here from what was asked and answered, worded in core.failures.

What S3 answered is data: its code is one of those S3 documents, and its text a :class:`ServerText`, handed on
only as :mod:`s3_presigned.s3.shape` shows it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from s3_presigned.core.failures.base import Asked, S3Failure
from s3_presigned.core.failures.behaviour import ClockRefused, Redirected
from s3_presigned.core.failures.listings import NotS3Xml
from s3_presigned.core.failures.refusals import (
    AccessDenied,
    Archived,
    BadToken,
    ClockTooSkewed,
    ExpiredToken,
    KmsDenied,
    MissingObject,
    NoSuchBucket,
    NoSuchVersion,
    ObjectFailure,
    Refused,
    RequesterPays,
    ServerRefused,
    UnknownAccessKey,
    WrongSecret,
)
from s3_presigned.core.text import without_user_info
from s3_presigned.s3.answers import Answer, S3Error, error_of
from s3_presigned.s3.connection import Connection
from s3_presigned.s3.shape import ServerText

# Compiled by re's cache when a step first fails rather than by every step.
# S3's own hosts, such as s3.eu-west-2.amazonaws.com and s3-fips.dualstack.us-east-1.amazonaws.com.
_AWS_HOST = r"s3(?:[.-](?:dualstack|fips|accelerate|external-1|[a-z]{2}(?:-[a-z]+)+-[0-9]+))*+\.amazonaws\.com(?:\.cn)?"
_ORIGIN = r"(?i)https?://[a-z0-9.-]{1,253}+(?::[0-9]{1,5}+)?+(?=/|$)"
_NAMED: dict[str, type[Refused]] = {
    cause.code: cause
    for cause in (
        WrongSecret,
        UnknownAccessKey,
        BadToken,
        ExpiredToken,
        NoSuchBucket,
        ClockTooSkewed,
    )
}
# What a store that checks forms answers to one that breaks its policy: refused as S3 refuses it.
FORM_REFUSALS = frozenset(
    {"AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "EntityTooSmall", "EntityTooLarge",
     "InvalidPolicyDocument"}
)  # fmt: skip


def failure(asked: Asked, answer: Answer, error: S3Error, key: str | None = None) -> Refused | ServerRefused:
    """Name the cause of an error answer that any request may get; ``key`` is the object's, for a link."""
    if error.code in _NAMED:
        return _NAMED[error.code](asked, key=key)
    if not answer.body.strip():
        return ServerRefused(asked.where, answer.describe(), None, key=key)
    return ServerRefused(asked.where, answer.describe(), error.code, str(error.message), key=key)


def is_missing(answer: Answer, error: S3Error) -> bool:
    """Whether a download was refused because its object does not exist."""
    return error.code == "NoSuchKey" or (answer.status == 404 and error.code == "404")  # noqa: PLR2004  # Not Found


def is_denied(error: S3Error) -> bool:
    """Whether S3 refused access, itself or through KMS."""
    return error.code == "AccessDenied" or error.code.startswith("KMS.")


def names_kms(error: S3Error) -> bool:
    """Whether a refusal names KMS, whose key the reader may not use."""
    return "kms" in f"{error.code} {error.message.raw}".lower()


def object_failure(
    asked: Asked, answer: Answer, error: S3Error, key: str, version_id: str | None, *, requester_pays: bool
) -> S3Failure:
    """Name why a download link does not work: the object, its storage, its key, or who pays.

    :param asked: The request.
    :param answer: S3's answer to the link.
    :param error: The error S3 named in it.
    :param key: The object's key.
    :param version_id: The version asked for, if any.
    :param requester_pays: Whether the same link with ``x-amz-request-payer`` worked: the bucket is requester-pays.
    """
    bucket, denied = asked.bucket, is_denied(error)
    cause: ObjectFailure
    if is_missing(answer, error):
        cause = MissingObject(bucket, key)
    elif error.code == "NoSuchVersion":
        cause = NoSuchVersion(bucket, key, version_id)
    elif error.code == "InvalidObjectState":
        cause = Archived(bucket, key, error.storage_class)
    elif denied and names_kms(error):
        cause = KmsDenied(bucket, key, asked.identity, error.code, str(error.message))
    elif denied and requester_pays:
        cause = RequesterPays(bucket, key)
    elif denied:
        cause = AccessDenied(bucket, key, asked.identity)
    else:
        # Some stores refuse such a key outright, as rclone does with 400 InvalidArgument: whatever the cause, say it.
        return failure(asked, answer, error, key)
    return cause


def read_error(where: str, answer: Answer, clock_skew: float | None) -> S3Error:
    """Read an error answer; fail at once if it is not S3's, or S3 refused the request by its clock.

    :param clock_skew: S3's clock less this machine's, if known, to say which clock is off.
    :raises S3Failure: Naming a body that is not S3's XML, or the clocks' difference.
    """
    try:
        error = error_of(answer)
    except NotS3Xml as not_xml:
        raise not_xml.at(where) from None
    if error.code == "AccessDenied" and says_expired(error.message):
        raise ClockRefused(where, str(error.message), clock_skew)
    return error


def says_expired(message: ServerText) -> bool:
    """Whether S3's message refuses a request by its clock.

    S3 and MinIO say "Request has expired" or "Request is not yet valid" with code AccessDenied, before any
    permission, and MinIO before the signature too.
    """
    said = message.raw.lower()
    return "expired" in said or "not yet valid" in said


def redirect(where: str, answer: Answer, connection: Connection) -> Redirected:
    """Name where S3 redirected without naming a region, and which endpoint to set.

    :param connection: The bucket, whose name an AWS host may begin with, and the addresses the step was given: a
        redirect to one of their hosts is named as it is.
    """
    bucket, endpoints = connection.bucket, (connection.endpoint, connection.public_endpoint)
    location = without_user_info(answer.headers.get("location", "")).split("?", 1)[0]
    # The origin is shown as it is when its host is one the step knows, since it is the endpoint to set. Any other
    # host is the server's text, as the rest is: a server may spell anything in a host's letters and dots.
    origin = found.group() if (found := re.match(_ORIGIN, location)) else ""
    if origin and not _known_host(urlsplit(origin).hostname or "", bucket, endpoints):
        origin = ""
    rest = location[len(origin) :]
    return Redirected(where, answer.describe(), origin, str(ServerText(rest)) if rest else "")


def _known_host(host: str, bucket: str, endpoints: tuple[str | None, ...]) -> bool:
    if host in {urlsplit(endpoint).hostname for endpoint in endpoints if endpoint is not None}:
        return True
    return re.fullmatch(_AWS_HOST, host.removeprefix(f"{bucket}.")) is not None
