"""Signing: select the objects, sign with credentials that outlive the links, and prove them before handing out."""

from __future__ import annotations

import base64
import contextlib
import datetime
import json
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple, TextIO
from urllib.parse import parse_qs, urlsplit

from s3_presigned import failures
from s3_presigned.answers import ListedObject, ObjectInfo
from s3_presigned.bucket import Bucket, Operation, S3Request
from s3_presigned.config import FILENAME, MAX_OBJECTS
from s3_presigned.errors import ResourceError, first_few
from s3_presigned.expiry import fit_to_credentials
from s3_presigned.listing import common_prefix, literal_prefix, newest_match
from s3_presigned.s3 import ARCHIVED, DOT_SEGMENT_PROBLEM, has_dot_segment
from s3_presigned.sigv4 import BatchSigner
from s3_presigned.upload_headers import botocore_params

if TYPE_CHECKING:
    from s3_presigned.config import Form, GetParams, Source

Info = ObjectInfo | ListedObject


class SignedObject(NamedTuple):
    """One presigned URL, with what S3 said of its object when the step checked."""

    key: str
    url: str
    info: Info | None


class Signed(NamedTuple):
    """The outcome of a step: its links, signed as they are written, when they stop working, and where.

    Only the first URL is held; the others are signed on the way to the files, while the bucket is still open,
    so that a step over many objects holds a few hundred bytes per object rather than every URL.
    """

    selected: list[tuple[str, Info | None]]
    first_url: str
    sign_more: Callable[[str], str]
    expires_in: int
    expires_at: datetime.datetime
    region: str
    version: str | None = None
    form_fields: dict[str, str] | None = None
    """The signed fields of an upload form (``method: post``), whose address is :attr:`first_url`."""

    @property
    def keys(self) -> list[str]:
        """Every key signed, in order."""
        return [key for key, _ in self.selected]

    def first(self) -> SignedObject:
        """Return the first link, the one that was proven."""
        key, info = self.selected[0]
        return SignedObject(key, self.first_url, info)

    def links(self) -> Iterator[SignedObject]:
        """Every link, in order, each signed as it is asked for."""
        for index, (key, info) in enumerate(self.selected):
            yield SignedObject(key, self.first_url if index == 0 else self.sign_more(key), info)


@contextlib.contextmanager
def sign(source: Source, params: GetParams, warnings: TextIO = sys.stderr) -> Iterator[Signed]:
    """Select the objects, sign the first URL and, if ``params.verify`` is set, prove it; the rest sign on demand.

    The bucket stays open while the body runs, so that every link is signed while it is.

    :param source: The validated source.
    :param params: The validated get parameters.
    :param warnings: Where to report conditions that do not stop the step, such as clock skew.
    :raises ResourceError: If the credentials, the objects, the endpoint or a link fail.
    """
    with Bucket.open(
        source, wanted_seconds=params.expires_in, may_ask=params.sends_requests, warnings=warnings
    ) as bucket:
        expires_in = fit_to_credentials(
            params.expires_in,
            _utcnow(),
            bucket.identity.expires_at,
            bucket.identity.origin,
            allow_shorter=params.allow_shorter_expiry,
        )
        if params.form is not None:
            yield _sign_form(bucket, params.form, expires_in, verify=params.verify)
            return
        operation: Operation = "put_object" if params.method == "put" else "get_object"

        def botocore_url(key: str) -> str:
            return bucket.presign(operation, object_request(bucket.name, key, params), expires_in)

        selected, version = _select(bucket, source, params)
        for key, _ in selected:
            if has_dot_segment(key):
                raise ResourceError(f"s3://{bucket.name}/{key}: the key {DOT_SEGMENT_PROBLEM}")
        if not selected:
            yield Signed([], "", botocore_url, expires_in, _utcnow() + _seconds(expires_in), bucket.region)
            return
        first_key = selected[0][0]
        if params.verify and params.method == "put":
            _prove_upload(bucket, first_key, params, expires_in)
        if params.downloads_verified:
            first_url, info = bucket.prove_link(object_request(bucket.name, first_key, params), expires_in)
            selected[0] = (first_key, info)
            for key, listed in selected[1:]:
                if listed is not None and listed.storage_class in ARCHIVED:
                    request = object_request(bucket.name, key, params)
                    bucket.prove_link(request, expires_in, check_signatures=False)
        else:
            first_url = botocore_url(first_key)
        _refuse_unlisted_headers(first_url, params)
        lowered = {name.lower(): value for name, value in params.upload_headers.items()}
        batch = BatchSigner(
            first_url, first_key, params.method.upper(), str(bucket.identity.credentials.secret_key), lowered
        )
        expires_at = signed_at(first_url) + _seconds(expires_in)
        sign_more = batch.url if batch.agrees else botocore_url
        yield Signed(selected, first_url, sign_more, expires_in, expires_at, bucket.region, version)


def _prove_upload(bucket: Bucket, key: str, params: GetParams, expires_in: int) -> None:
    """Prove what can be proven of an upload link without writing: the bucket, and a key it may still write."""
    exists = bucket.probe(key)
    if exists and params.upload_headers.get("If-None-Match") == "*":
        raise failures.exists_already(bucket.name, key)
    bucket.refuse_links_dead_on_arrival(expires_in)


def _sign_form(bucket: Bucket, form: Form, expires_in: int, *, verify: bool) -> Signed:
    """Sign an upload form; with ``verify``, prove what can be proven without writing: the bucket, and forms."""
    if verify:
        bucket.probe(form.key.removesuffix(FILENAME))
        bucket.refuse_links_dead_on_arrival(expires_in)
    action, form_fields = bucket.presign_form(form, expires_in)
    if verify:
        bucket.prove_form(action, form_fields)
    # The policy says when the form expires, to the second, as S3 will read it.
    policy = json.loads(base64.b64decode(form_fields["policy"]))
    expires_at = datetime.datetime.fromisoformat(policy["expiration"])
    return Signed([(form.key, None)], action, _no_more_links, expires_in, expires_at, bucket.region, None, form_fields)


def _no_more_links(key: str) -> str:
    raise ResourceError(f"an upload form signs one key pattern, not {key}")


def _select(bucket: Bucket, source: Source, params: GetParams) -> tuple[list[tuple[str, Info | None]], str | None]:
    selection = params.selection
    # An upload's objects need not exist, and unverified keys are signed as they are.
    if selection.mode == "file_path" or (selection.mode == "file_paths" and not params.downloads_verified):
        return [(key, None) for key in selection.keys], None
    if selection.mode == "file_paths":
        # One listing checks them all; it may hold more than the keys asked for, so it is bounded only by the most.
        prefix = common_prefix(list(selection.keys))
        remedy = "sign keys that share a longer prefix in one step, or set verify: false to skip the check"
        listing = bucket.objects(prefix, MAX_OBJECTS, limit_field="params.file_paths", remedy=remedy)
        listed = {item.key: item for item in listing}
        missing = [key for key in selection.keys if key not in listed]
        if missing:
            raise failures.missing_keys(bucket.name, first_few(missing))
        return [(key, listed[key]) for key in selection.keys], None
    if selection.pattern is not None:
        prefix = selection.prefix + literal_prefix(selection.pattern.pattern)
        remedy = "start the regexp with more whole /-segments of plain text, so that it lists fewer"
        candidates = bucket.objects(prefix, MAX_OBJECTS, limit_field="params.regexp", remedy=remedy)
        newest, version = newest_match(candidates, selection.pattern, source.key_prefix)
        return [(newest.key, newest)], version
    listed_objects = bucket.objects(
        selection.prefix,
        params.max_objects,
        limit_field="params.max_objects",
        remedy="raise max_objects to sign more, or narrow the prefix",
    )
    if not listed_objects and not params.allow_empty:
        raise ResourceError(
            f"params.prefix: no objects under s3://{bucket.name}/{selection.prefix} "
            "(set allow_empty: true to accept none)"
        )
    return [(item.key, item) for item in listed_objects], None


def object_request(bucket: str, key: str, params: GetParams) -> S3Request:
    """Build the ``get_object`` or ``put_object`` parameters for one key."""
    request: dict[str, object] = {"Bucket": bucket, "Key": key}
    if params.method == "put":
        return request | botocore_params(params.upload_headers)
    request |= params.overrides
    if params.version_id is not None:
        request["VersionId"] = params.version_id
    return request


def _refuse_unlisted_headers(url: str, params: GetParams) -> None:
    """Fail unless an upload link signs exactly the headers ``headers.json`` names, and the host: no more, no fewer."""
    if params.method != "put":
        return
    headers = params.upload_headers
    signed = parse_qs(urlsplit(url).query)["X-Amz-SignedHeaders"][0].split(";")
    listed = sorted({"host", *(name.lower() for name in headers)})
    if signed != listed:
        raise ResourceError(f"signing: the link signs the headers {', '.join(signed)}, not {', '.join(listed)}")


def signed_at(url: str) -> datetime.datetime:
    """Read the signing time from a SigV4 query-signed URL, which is where its expiry counts from."""
    stamp = parse_qs(urlsplit(url).query)["X-Amz-Date"][0]
    return datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)


def _seconds(seconds: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=seconds)


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
