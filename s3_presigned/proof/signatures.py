"""What only a store that checks signatures answers: a request with its signature altered, and S3's listing."""

from __future__ import annotations

from s3_presigned.core.failures.base import ResourceError
from s3_presigned.core.failures.behaviour import PublicHostRefused, UncheckedSignatures
from s3_presigned.s3.answers import Answer, ListPage, S3Error, parse_list_page, server_value
from s3_presigned.s3.store import S3Request, Store
from s3_presigned.s3.transport import PAGE_LIMIT


def refuse_public_host_refused(store: Store, where: str, error: S3Error) -> None:
    """Name the store or the proxy, if a request signed for ``public_endpoint`` was refused by its signature.

    The step's own listing, signed for ``endpoint``, tells a host the store will not sign for from a key that
    does not match: only the first is worded here.
    """
    public, endpoint = store.connection.public_endpoint, store.connection.endpoint
    if public is None or endpoint is None or error.code != "SignatureDoesNotMatch":
        return
    request: S3Request = {"Bucket": store.name, "MaxKeys": 1}
    if store.exchange(where, store.internal_listing(request), {}, body_limit=PAGE_LIMIT).ok:
        raise PublicHostRefused(where, public, endpoint, routed=bool(store.routed))


def unchecked(where: str, forged: Answer, request: str, subject: str, field: str) -> UncheckedSignatures:
    """Name an endpoint that took a request with an altered signature and did not answer as S3 does.

    :param field: The field that set the host the request went to: ``source.public_endpoint`` for a link's own.
    """
    content_type = server_value("content_type", forged.headers.get("content-type"))
    return UncheckedSignatures(where, forged.describe(), content_type, request, subject, field)


def listing_page(answer: Answer) -> ListPage | None:
    """Read a successful answer as a page of S3's listing; ``None`` if it is not one."""
    if not answer.ok:
        return None
    try:
        return parse_list_page(answer)
    except ResourceError:
        return None


def with_altered_signature(url: str) -> str:
    """Return the URL with the last character of its signature changed: a request no store that checks may accept."""
    last = url[-1]
    return url[:-1] + ("0" if last != "0" else "1")
