"""Presigning: the selected objects checked and signed with credentials whose lifetime covers the URLs'."""

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

from s3_presigned import clients, listing
from s3_presigned.errors import ResourceError, first_few
from s3_presigned.expiry import fit_to_credentials
from s3_presigned.sigv4 import BatchSigner

if TYPE_CHECKING:
    from s3_presigned.config import GetParams, Source

CLOCK_SKEW_WARNING_SECONDS = 60


@dataclass(frozen=True)
class ObjectInfo:
    """What S3 said of an object, all of it safe to show in the build's metadata."""

    size: int
    etag: str
    last_modified: datetime.datetime
    content_type: str | None = None
    version_id: str | None = None


@dataclass(frozen=True)
class SignedObject:
    """One presigned URL, with what S3 said of its object when the step checked."""

    key: str
    url: str
    info: ObjectInfo | None


@dataclass(frozen=True)
class Signed:
    """The outcome of a step: its URLs, when they stop working, and the regexp's version if one was matched."""

    objects: list[SignedObject]
    expires_in: int
    expires_at: datetime.datetime
    version: str | None = None


def sign(source: Source, params: GetParams, warnings: TextIO = sys.stderr) -> Signed:
    """Select the objects, check them if ``params.verify`` is set, and sign a URL for each.

    :param source: The validated source.
    :param params: The validated get parameters.
    :param warnings: Where to report conditions that do not stop the step, such as clock skew.
    :raises ResourceError: If the credentials, the objects or the endpoint fail.
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
        secrets = source.secrets + identity.secrets
        found, version = _select(client, source, params, secrets, warnings)
        with clients.translate_errors(f"signing in s3://{source.bucket}", secrets):
            urls = _sign_all(
                client, source.bucket, params, list(found), expires_in, str(identity.credentials.secret_key)
            )
    objects = [SignedObject(key, url, found[key]) for key, url in zip(found, urls, strict=True)]
    expires_at = (signed_at(urls[0]) if urls else _utcnow()) + datetime.timedelta(seconds=expires_in)
    return Signed(objects, expires_in, expires_at, version)


def _select(
    client: Any,  # noqa: ANN401  # botocore builds the client class at run time
    source: Source,
    params: GetParams,
    secrets: tuple[str, ...],
    warnings: TextIO,
) -> tuple[dict[str, ObjectInfo | None], str | None]:
    selection = params.selection
    bucket = source.bucket
    if selection.mode == "file_path":
        key = selection.keys[0]
        return {key: _head(client, bucket, key, params.version_id, secrets, warnings) if params.verify else None}, None
    if selection.mode == "file_paths" and not params.verify:
        return dict.fromkeys(selection.keys), None
    prefix = listing.common_prefix(list(selection.keys)) if selection.mode == "file_paths" else selection.prefix
    if selection.pattern is not None:
        prefix += listing.literal_prefix(selection.pattern.pattern)
    with clients.translate_errors(f"listing s3://{bucket}/{prefix}", secrets):
        listed = {item.key: item for item in listing.list_objects(client, bucket, prefix)}
    if selection.mode == "file_paths":
        missing = [key for key in selection.keys if key not in listed]
        if missing:
            raise ResourceError(
                f"params.file_paths: not in s3://{bucket}: {first_few(missing)} (set verify: false to skip the check)"
            )
        return {key: _listed_info(listed[key]) for key in selection.keys}, None
    if selection.pattern is not None:
        newest, version = listing.newest_match(list(listed.values()), selection.pattern, source.key_prefix)
        return {newest.key: _listed_info(newest)}, version
    if not listed and not params.allow_empty:
        raise ResourceError(
            f"params.prefix: no objects under s3://{bucket}/{prefix} (set allow_empty: true to accept none)"
        )
    return {key: _listed_info(item) for key, item in sorted(listed.items())}, None


def _listed_info(item: listing.ListedObject) -> ObjectInfo:
    return ObjectInfo(size=item.size, etag=item.etag, last_modified=item.last_modified)


def _sign_all(
    client: Any,  # noqa: ANN401  # botocore builds the client class at run time
    bucket: str,
    params: GetParams,
    keys: list[str],
    expires_in: int,
    secret_key: str,
) -> list[str]:
    """Sign the first key with botocore, and the rest of the batch the same way, much faster, when that agrees."""
    if not keys:
        return []
    operation = "put_object" if params.method == "put" else "get_object"

    def botocore_url(key: str) -> str:
        return str(
            client.generate_presigned_url(operation, Params=object_request(bucket, key, params), ExpiresIn=expires_in)
        )

    first = botocore_url(keys[0])
    if len(keys) == 1:
        return [first]
    lowered = {name.lower(): value for name, value in params.upload_headers.items()}
    batch = BatchSigner(first, keys[0], params.method.upper(), secret_key, lowered)
    sign_one = batch.url if batch.agrees else botocore_url
    return [first, *(sign_one(key) for key in keys[1:])]


def object_request(bucket: str, key: str, params: GetParams) -> dict[str, str]:
    """Build the ``get_object`` or ``put_object`` parameters for one key."""
    request = {"Bucket": bucket, "Key": key}
    if params.method == "put":
        if params.content_type is not None:
            request["ContentType"] = params.content_type
        return request
    request |= params.overrides
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
    key: str,
    version_id: str | None,
    secrets: tuple[str, ...],
    warnings: TextIO,
) -> ObjectInfo:
    where = f"s3://{bucket}/{key}"
    request: dict[str, str] = {"Bucket": bucket, "Key": key}
    if version_id is not None:
        request["VersionId"] = version_id
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
        etag=str(response.get("ETag", "")).strip('"'),
        last_modified=response["LastModified"],
        content_type=str(response.get("ContentType", "")),
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
