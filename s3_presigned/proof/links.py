"""A download link, proven: fetched as the person who gets it will, from a store shown to check signatures."""

from __future__ import annotations

from collections.abc import Callable

from s3_presigned.core import notices
from s3_presigned.core.failures.base import ResourceError
from s3_presigned.proof.signatures import listing_page, refuse_public_host_refused, unchecked, with_altered_signature
from s3_presigned.s3 import causes
from s3_presigned.s3.answers import Answer, ObjectInfo, object_info
from s3_presigned.s3.store import S3Request, Store
from s3_presigned.s3.transport import PAGE_LIMIT


def prove_link(
    store: Store, request: S3Request, expires_in: int, *, check_signatures: bool = True
) -> tuple[str, ObjectInfo]:
    """Sign a download link and fetch its first byte, as the person who gets it will, with the same endpoint.

    This proves what a check with the signer's own client cannot: the link's scope is the bucket's region,
    the object is readable with these credentials, decryptable, not archived, and no requester pays.

    :param request: The ``get_object`` parameters.
    :param expires_in: Seconds.
    :param check_signatures: First prove that the endpoint checks signatures, which one link per step needs.
    :returns: The link, signed again if S3 named another region, and what the answer said of the object.
    :raises ResourceError: Naming why the link would not work.
    """
    subject = f"s3://{store.name}/{request['Key']}"
    where = f"checking the link to {subject}"
    signed: dict[str, str] = {}

    def sign() -> str:
        # Signed once for each region the step signs for: after a move, S3's region.
        if store.region not in signed:
            signed[store.region] = store.presign("get_object", request, expires_in)
        return signed[store.region]

    if check_signatures:
        _refuse_unchecked_signatures(store, subject, sign, request)
    answer = store.exchange(where, sign, {"Range": "bytes=0-0"})
    if answer.status == 416:  # noqa: PLR2004  # Range Not Satisfiable: an empty object has no first byte
        answer = store.exchange(where, sign, {})
    if not answer.ok:
        raise _refused(store, where, answer, request, expires_in)
    return sign(), object_info(answer.headers)


def _refused(store: Store, where: str, answer: Answer, request: S3Request, expires_in: int) -> ResourceError:
    """Name why S3 refused a link: the object, its storage, its key, or who pays."""
    error = causes.read_error(where, answer, store.clock_skew)
    refuse_public_host_refused(store, where, error)
    pays = causes.is_denied(error) and not causes.names_kms(error) and not causes.is_missing(answer, error)
    version = request.get("VersionId")
    return causes.object_failure(
        store.asked(where),
        answer,
        error,
        str(request["Key"]),
        None if version is None else str(version),
        requester_pays=pays and _requester_pays(store, where, request, expires_in),
    )


def _refuse_unchecked_signatures(store: Store, subject: str, sign: Callable[[], str], request: S3Request) -> None:
    """Fail if the endpoint serves a link with an altered signature and is not S3 serving the object.

    A web console answers 200, even 206, to every path. A store that checks no signatures (LocalStack by
    default, moto) serves the link too, and also lists the object in S3's XML at the size it served: its
    links work for anyone, so the step goes on with a warning. Sent before the real link, the altered one
    cannot leave a cached refusal in the way of the link itself, in a cache that keys by path.
    """
    # Whatever fails on the way (the connection, TLS, a redirect) fails the link itself, and is named so.
    where = f"checking the link to {subject}"
    forged = store.exchange(where, lambda: with_altered_signature(sign()), {"Range": "bytes=0-0"})
    # 416 too: a store that checks nothing would have served the object, had it a first byte.
    if not forged.ok and forged.status != 416:  # noqa: PLR2004  # Range Not Satisfiable
        return
    served = 0 if forged.status == 416 else object_info(forged.headers).size  # noqa: PLR2004  # no first byte
    # A listing gives only the current version's size.
    if not _lists(store, where, str(request["Key"]), None if "VersionId" in request else served):
        raise unchecked(where, forged, "link", "object", store.served_by()[0])
    store.warnings.write(notices.unchecked_warning(store.served_by()[1]))


def _lists(store: Store, where: str, key: str, size: int | None) -> bool:
    """Whether S3's XML listing of the key names it, at ``size`` unless that is ``None``."""
    request: S3Request = {"Bucket": store.name, "Prefix": key, "EncodingType": "url"}
    answer = store.exchange(where, store.internal_listing(request), {}, body_limit=PAGE_LIMIT)
    page = listing_page(answer)
    return page is not None and any(
        listed.key == key and (size is None or listed.size == size) for listed in page.objects
    )


def _requester_pays(store: Store, where: str, request: S3Request, expires_in: int) -> bool:
    """Whether the same GET succeeds when the requester agrees to pay: then the bucket is requester-pays."""
    paid = {**request, "RequestPayer": "requester"}
    headers = {"Range": "bytes=0-0", "x-amz-request-payer": "requester"}
    answer = store.send(where, store.presign("get_object", paid, expires_in), headers, 0)
    return answer.ok or answer.status == 416  # noqa: PLR2004  # an empty object has no first byte
