"""The get: select the objects, sign with credentials that outlive the links, and prove them before handing out."""

from __future__ import annotations

import base64
import contextlib
import datetime
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO
from urllib.parse import parse_qs, urlsplit

from s3_presigned.core.failures.local import DotSegmentKey, NotOverNetwork, OneKeyPattern, UnlistedHeaders
from s3_presigned.proof.links import prove_link
from s3_presigned.proof.uploads import prove_form, prove_upload
from s3_presigned.request.expiry import fit_to_credentials
from s3_presigned.request.upload_headers import botocore_params
from s3_presigned.s3.facts import ARCHIVED, FILENAME, has_dot_segment
from s3_presigned.s3.policy import Form
from s3_presigned.s3.signed import Info, Signed
from s3_presigned.s3.sigv4 import BatchSigner
from s3_presigned.s3.store import Operation, S3Request, Store
from s3_presigned.steps.select import select

if TYPE_CHECKING:
    from s3_presigned.core.context import StepContext
    from s3_presigned.request.params import GetParams
    from s3_presigned.request.source import Source
    from s3_presigned.s3.client import Opener, S3Client


@contextlib.contextmanager
def sign(
    source: Source, params: GetParams, warnings: TextIO, context: StepContext, open_store: Opener
) -> Iterator[Signed]:
    """Select the objects, sign the first URL and, if ``params.verify`` is set, prove it; the rest sign on demand.

    The store stays open while the body runs, so that every link is signed while it is.

    :param source: The validated source.
    :param params: The validated get parameters.
    :param warnings: Where to report conditions that do not stop the step, such as clock skew.
    :param context: The step's environment, clock and secrets.
    :param open_store: Opens the bucket: :meth:`Store.open`, the store over the network, which every proof needs.
    :raises ResourceError: If the credentials, the objects, the endpoint or a link fail.
    """
    with open_store(
        source.connection, context, wanted_seconds=params.expires_in, may_ask=params.sends_requests, warnings=warnings
    ) as store:
        now = context.clock()
        expires_in = fit_to_credentials(
            params.expires_in,
            now,
            store.identity.expires_at,
            store.identity.origin,
            allow_shorter=params.allow_shorter_expiry,
        )
        if params.form is not None:
            yield _sign_form(store, params.form, expires_in, verify=params.verify)
        else:
            yield _sign_links(store, source.key_prefix, params, expires_in, now)


def _sign_links(store: S3Client, key_prefix: str, params: GetParams, expires_in: int, now: datetime.datetime) -> Signed:
    """Select the objects and sign the first link, proven if asked; the others are signed as they are written.

    :param now: When the step began signing, which an empty selection's expiry counts from.
    """
    operation: Operation = "put_object" if params.method == "put" else "get_object"

    def botocore_url(key: str) -> str:
        return store.presign(operation, object_request(store.name, key, params), expires_in)

    selected, version = select(store, key_prefix, params)
    for key, _ in selected:
        if has_dot_segment(key):
            raise DotSegmentKey(store.name, key)
    if not selected:
        return Signed([], "", botocore_url, expires_in, now + _seconds(expires_in), store.region)
    first_key = selected[0][0]
    first_url = _first_link(store, selected, params, expires_in) or botocore_url(first_key)
    _refuse_unlisted_headers(first_url, params)
    lowered = {name.lower(): value for name, value in params.upload_headers.items()}
    batch = BatchSigner(
        first_url, first_key, params.method.upper(), str(store.identity.credentials.secret_key), lowered
    )
    expires_at = signed_at(first_url) + _seconds(expires_in)
    sign_more = batch.url if batch.agrees else botocore_url
    return Signed(selected, first_url, sign_more, expires_in, expires_at, store.region, version)


def _first_link(store: S3Client, selected: list[tuple[str, Info | None]], params: GetParams, expires_in: int) -> str:
    """Prove what ``verify`` asks of the first link: fetched if it downloads, as far as it can be if it uploads.

    :returns: The proven download link, signed for the region S3 named; empty where there is none to fetch.
    """
    first_key = selected[0][0]
    if params.verify and params.method == "put":
        prove_upload(
            _proving(store), first_key, expires_in, may_overwrite=params.upload_headers.get("If-None-Match") != "*"
        )
    if not params.downloads_verified:
        return ""
    first_url, info = prove_link(_proving(store), object_request(store.name, first_key, params), expires_in)
    selected[0] = (first_key, info)
    # An archived object cannot be fetched, whatever its link says: one listed in such a class is tried too.
    for key, listed in selected[1:]:
        if listed is not None and listed.storage_class in ARCHIVED:
            prove_link(_proving(store), object_request(store.name, key, params), expires_in, check_signatures=False)
    return first_url


def _sign_form(store: S3Client, form: Form, expires_in: int, *, verify: bool) -> Signed:
    """Sign an upload form; with ``verify``, prove what can be proven without writing: the bucket, and forms."""
    if verify:
        # A form may write any key under its prefix, and replace one: the bucket and the clocks are what is proven.
        prove_upload(_proving(store), form.key.removesuffix(FILENAME), expires_in, may_overwrite=True)
    action, form_fields = store.presign_form(form, expires_in)
    if verify:
        prove_form(_proving(store), action, form_fields)
    # The policy says when the form expires, to the second, as S3 will read it.
    policy = json.loads(base64.b64decode(form_fields["policy"]))
    expires_at = datetime.datetime.fromisoformat(policy["expiration"])
    return Signed([(form.key, None)], action, _no_more_links, expires_in, expires_at, store.region, None, form_fields)


def _proving(store: S3Client) -> Store:
    """Return the store a proof fetches through: the one over the network, for a proof is about what S3 answers."""
    if not isinstance(store, Store):
        raise NotOverNetwork(store.name)
    return store


def _no_more_links(key: str) -> str:
    raise OneKeyPattern(key)


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
        raise UnlistedHeaders(signed, listed)


def signed_at(url: str) -> datetime.datetime:
    """Read the signing time from a SigV4 query-signed URL, which is where its expiry counts from."""
    stamp = parse_qs(urlsplit(url).query)["X-Amz-Date"][0]
    # ISO 8601's basic format, such as 20260101T000000Z; strptime would first spend a millisecond on the locale.
    return datetime.datetime.fromisoformat(stamp)


def _seconds(seconds: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=seconds)
