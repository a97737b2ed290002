"""Presigning: one object checked and signed with credentials whose lifetime covers the URL's."""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import parse_qs, urlsplit

from s3_presigned import clients
from s3_presigned.expiry import fit_to_credentials

if TYPE_CHECKING:
    from s3_presigned.config import GetParams, Source

CLOCK_SKEW_WARNING_SECONDS = 60


@dataclass(frozen=True)
class SignedUrl:
    """A presigned URL and when it stops working."""

    url: str
    expires_in: int
    expires_at: datetime.datetime


@dataclass(frozen=True)
class ObjectInfo:
    """What a HEAD of the object said, all of it safe to show in the build's metadata."""

    size: int
    content_type: str
    etag: str
    last_modified: datetime.datetime
    version_id: str | None


@dataclass(frozen=True)
class Signed:
    """The outcome of signing one object."""

    signed: SignedUrl
    info: ObjectInfo | None


def sign_object(source: Source, params: GetParams, warnings: TextIO = sys.stderr) -> Signed:
    """Sign a URL for one object, checking first that it exists when ``params.verify`` is set.

    :param source: The validated source.
    :param params: The validated get parameters.
    :param warnings: Where to report conditions that do not stop the step, such as clock skew.
    :raises ResourceError: If the credentials, the object or the endpoint fail.
    """
    session = clients.new_session()
    region = clients.resolve_region(source, session)
    with tls_verification(source) as tls_verify:
        identity = clients.resolve_identity(source, session, region, params.expires_in, tls_verify)
        expires_in = fit_to_credentials(
            params.expires_in,
            _utcnow(),
            identity.expires_at,
            identity.origin,
            allow_shorter=params.allow_shorter_expiry,
        )
        client = clients.create_s3_client(source, session, region, identity, tls_verify)
        where = f"s3://{source.bucket}/{params.key}"
        secrets = source.secrets + identity.secrets
        info = None
        if params.verify:
            info = _head(client, source.bucket, params, where, secrets, warnings)
        with clients.translate_errors(f"signing {where}", secrets):
            url = client.generate_presigned_url(
                "get_object", Params=object_request(source.bucket, params), ExpiresIn=expires_in
            )
    return Signed(SignedUrl(url, expires_in, signed_at(url) + datetime.timedelta(seconds=expires_in)), info)


def object_request(bucket: str, params: GetParams) -> dict[str, str]:
    """Build the ``get_object`` parameters for one key: bucket, key, version and response overrides."""
    request = {"Bucket": bucket, "Key": params.key, **params.overrides}
    if params.version_id is not None:
        request["VersionId"] = params.version_id
    return request


def signed_at(url: str) -> datetime.datetime:
    """Read the signing time from a SigV4 query-signed URL, which is where its expiry counts from."""
    stamp = parse_qs(urlsplit(url).query)["X-Amz-Date"][0]
    return datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)


@contextlib.contextmanager
def tls_verification(source: Source) -> Iterator[bool | str]:
    """Yield what botocore's ``verify`` takes: a flag, or the path of the source's CA bundle while it is needed."""
    if source.ca_bundle is None:
        yield source.verify_ssl
        return
    with tempfile.NamedTemporaryFile("w", suffix=".pem", encoding="ascii", errors="replace") as bundle:
        bundle.write(source.ca_bundle)
        bundle.flush()
        yield bundle.name


def _head(
    client: Any,  # noqa: ANN401  # botocore builds the client class at run time
    bucket: str,
    params: GetParams,
    where: str,
    secrets: tuple[str, ...],
    warnings: TextIO,
) -> ObjectInfo:
    request: dict[str, str] = {"Bucket": bucket, "Key": params.key}
    if params.version_id is not None:
        request["VersionId"] = params.version_id
    # HEAD responses have no body, so S3 reports only the status; say what each one means here.
    statuses = {
        404: f"{where} does not exist (checked with HEAD; set verify: false to skip the check)",
        403: f"{where}: access denied; the credentials lack s3:GetObject, "
        "or the object does not exist and s3:ListBucket is not granted",
    }
    with clients.translate_errors(f"checking {where}", secrets, statuses):
        response = client.head_object(**request)
    _warn_on_clock_skew(response["ResponseMetadata"].get("HTTPHeaders", {}).get("date"), warnings)
    return ObjectInfo(
        size=int(response.get("ContentLength", 0)),
        content_type=str(response.get("ContentType", "")),
        etag=str(response.get("ETag", "")).strip('"'),
        last_modified=response["LastModified"],
        version_id=response.get("VersionId"),
    )


def _warn_on_clock_skew(date_header: str | None, warnings: TextIO) -> None:
    if not date_header:
        return
    try:
        server_time = email.utils.parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return
    skew = (server_time - _utcnow()).total_seconds()
    if abs(skew) > CLOCK_SKEW_WARNING_SECONDS:
        direction = "ahead of" if skew > 0 else "behind"
        warnings.write(
            f"warning: the S3 server's clock is {abs(skew):.0f} s {direction} this machine's; "
            "the URL's validity window is shifted by as much\n"
        )


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
