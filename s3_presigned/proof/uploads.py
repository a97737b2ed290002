"""An upload, proven as far as it can be without writing: the bucket, a key it may still write, and forms."""

from __future__ import annotations

import os

from s3_presigned.core import notices
from s3_presigned.core.failures.behaviour import DeadOnArrival, ExistsAlready, FormsNotTaken, FormTaken
from s3_presigned.proof.signatures import listing_page, refuse_public_host_refused, unchecked, with_altered_signature
from s3_presigned.s3 import causes
from s3_presigned.s3.store import INTERNAL_URL_SECONDS, REDIRECTS, S3Request, Store
from s3_presigned.s3.transport import PAGE_LIMIT

_FORM_REFUSED = (400, 403)  # Bad Request and Forbidden: how S3 refuses a form that breaks its policy


def probe(store: Store, key: str) -> bool:
    """Prove the region, the credentials and the bucket with one small listing, before signing an upload.

    An upload cannot be tried without writing, so this is as far as a check can go: ``AccessDenied`` here
    still proves the signature and region, since S3 checks those first. The listing goes first with its
    signature altered: a web console serves it, and fails the step, as for a download.

    :param key: The key the upload will write, as the listing's prefix, to keep the answer small.
    :returns: Whether the key exists, as far as the listing says.
    :raises ResourceError: If the bucket, the region or the credentials are wrong.
    """
    where = f"checking s3://{store.name} for the upload"
    request: S3Request = {"Bucket": store.name, "Prefix": key, "MaxKeys": 1}

    def sign() -> str:
        return store.presign("list_objects_v2", request, INTERNAL_URL_SECONDS)

    # As for a download: the same listing with its signature altered must be refused, or listed in S3's XML.
    forged = store.exchange(where, lambda: with_altered_signature(sign()), {}, body_limit=PAGE_LIMIT)
    if forged.ok:
        if listing_page(forged) is None:
            raise unchecked(where, forged, "listing", "bucket", store.served_by()[0])
        store.warnings.write(notices.unchecked_warning(store.served_by()[1]))
    answer = store.exchange(where, sign, {}, body_limit=PAGE_LIMIT)
    if answer.ok:
        page = listing_page(answer)
        return page is not None and any(listed.key == key for listed in page.objects)
    error = causes.read_error(where, answer, store.clock_skew)
    refuse_public_host_refused(store, where, error)
    if error.code != "AccessDenied":
        raise causes.failure(store.asked(where), answer, error)
    return False


def prove_upload(store: Store, key: str, expires_in: int, *, may_overwrite: bool) -> None:
    """Prove what can be proven of an upload link without writing: the bucket, and a key it may still write.

    :param may_overwrite: Whether the link may replace an object; if not, a key that exists fails the step.
    """
    exists = probe(store, key)
    if exists and not may_overwrite:
        raise ExistsAlready(store.name, key)
    _refuse_links_dead_on_arrival(store, expires_in)


def _refuse_links_dead_on_arrival(store: Store, expires_in: int) -> None:
    """Fail if S3's clock is so far ahead that a link lasting ``expires_in`` has expired by S3's reckoning.

    A download link is proven by fetching it; an upload link is not, so its expiry is checked this way.

    :raises ResourceError: Naming both clocks' difference and the expiry.
    """
    if store.clock_skew is not None and store.clock_skew >= expires_in:
        raise DeadOnArrival(store.clock_skew, expires_in)


def prove_form(store: Store, action: str, fields: dict[str, str]) -> None:
    """Prove that the store takes upload forms and checks them, without writing: post one it must refuse.

    The form goes with its signature altered, and a field its policy does not allow, and an empty file. Only
    S3's own refusal of it proves that the store takes forms and checks them: a form taken, a page, a
    redirect or another error fails the step.

    :param action: The form's address.
    :param fields: The signed fields.
    :raises ResourceError: If the store does not take forms, or took one it should have refused.
    """
    where = f"checking the upload form for s3://{store.name}/{fields.get('key', '')}"
    forged = fields | {
        "x-amz-signature": with_altered_signature(fields.get("x-amz-signature", "0")),
        "success_action_status": "200",  # the policy allows 201 alone
    }
    boundary = f"s3-presigned-url-{os.urandom(8).hex()}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in forged.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="check"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n\r\n--{boundary}--\r\n"
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    answer = store.send(where, action, headers, form="".join(parts).encode("utf-8"))
    if answer.ok:
        raise FormTaken(where, answer.describe())
    if answer.status in REDIRECTS:
        raise causes.redirect(where, answer, store.connection)
    # Only S3's own refusal counts: a page, a redirect or another error says nothing of a form that fits.
    refused = causes.read_error(where, answer, store.clock_skew)
    if answer.status not in _FORM_REFUSED or refused.code not in causes.FORM_REFUSALS:
        raise FormsNotTaken(where, answer.describe(), refused.code, str(refused.message))
