"""The bucket as one step talks to it: every request to S3, and the region S3 names for the bucket."""

from __future__ import annotations

import contextlib
import datetime
import os
import warnings as python_warnings
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Literal, TextIO, cast

from botocore.exceptions import BotoCoreError
from urllib3.exceptions import InsecureRequestWarning

from s3_presigned import failures, gate
from s3_presigned.answers import (
    Answer,
    ListedObject,
    ListPage,
    NotS3XmlError,
    ObjectInfo,
    S3Error,
    error_of,
    http_date,
    object_info,
    parse_list_page,
    region_named,
)
from s3_presigned.connection import client_config, configured_region
from s3_presigned.credentials import SigningIdentity, resolve_identity
from s3_presigned.errors import ResourceError
from s3_presigned.failures import Asked
from s3_presigned.listing import PageGuard
from s3_presigned.s3 import FIRST_GUESS_REGION, FORM_CONTENT_TYPE
from s3_presigned.session import new_session
from s3_presigned.transport import PAGE_LIMIT, Transport, origin
from s3_presigned.trust import Trust, trusted

if TYPE_CHECKING:
    import botocore.session
    from mypy_boto3_s3.client import S3Client

    from s3_presigned.config import Form, Source

Operation = Literal["get_object", "put_object", "list_objects_v2"]
S3Request = Mapping[str, object]

INTERNAL_URL_SECONDS = 900  # the step's own listing and probe URLs: long enough for a skewed clock
_REDIRECTS = range(300, 400)
_FORM_REFUSED = (400, 403)  # Bad Request and Forbidden: how S3 refuses a form that breaks its policy


class Bucket:
    """The S3 conversation of one step: it signs, lists and proves links, and follows S3 to the bucket's region.

    Open it with :meth:`open`. Every request goes through here, so that a region S3 names is followed in one
    place, once; :mod:`s3_presigned.failures` words what S3 answered.
    """

    def __init__(
        self,
        source: Source,
        session: botocore.session.Session,
        identity: SigningIdentity,
        region: str,
        trust: Trust,
        warnings: TextIO,
    ) -> None:
        """Start talking to the bucket; use :meth:`open` rather than this.

        :param source: The validated source.
        :param session: The botocore session the identity came from.
        :param identity: The credentials that sign.
        :param region: The region to sign for until S3 names another.
        :param trust: The CAs the step trusts for the store.
        :param warnings: Where conditions that do not stop the step are reported.
        """
        self.name = source.bucket
        self.identity = identity
        self._source = source
        self._session = session
        self._trust = trust
        self._warnings = warnings
        self._moved_from: str | None = None
        self.clock_skew: float | None = None
        """S3's clock less this machine's, in seconds, once an answer has said; ``None`` before."""
        self.region = region
        # Whether requests signed for public_endpoint go to endpoint instead; None until the step first sends one.
        self._routed: bool | None = None if source.public_endpoint is not None else False
        self._client, self._links_client, self._transport = self._connect(region)

    @classmethod
    @contextlib.contextmanager
    def open(cls, source: Source, *, wanted_seconds: int, may_ask: bool, warnings: TextIO) -> Iterator[Bucket]:
        """Resolve the region and the identity, and hold the TLS settings while the step talks to S3.

        :param source: The validated source.
        :param wanted_seconds: The expiry asked for, so that a role session covers it.
        :param may_ask: Whether the step sends requests, so that S3 can tell the bucket's region.
        :param warnings: Where conditions that do not stop the step are reported.
        :raises ConfigError: If no region is known and the step may not ask S3.
        """
        try:
            session = new_session()
            region = configured_region(source, session)
        except BotoCoreError as error:
            raise failures.aws_config(error) from None
        if region is None and not may_ask:
            raise failures.no_region()
        with trusted(source, session) as trust:
            if trust.verify is False:
                # The user turned verification off on purpose; urllib3 would warn on every request.
                python_warnings.filterwarnings("ignore", category=InsecureRequestWarning)
            start = region or FIRST_GUESS_REGION
            identity = resolve_identity(source, session, start, wanted_seconds)
            yield cls(source, session, identity, start, trust, warnings)

    def presign(self, operation: Operation, request: S3Request, expires_in: int, *, for_people: bool = True) -> str:
        """Sign a URL with botocore, for the bucket's region as known now.

        :param operation: ``get_object`` or ``put_object`` for links, ``list_objects_v2`` for the step's own use.
        :param request: The operation's parameters, such as ``Bucket`` and ``Key``.
        :param expires_in: Seconds.
        :param for_people: Sign for the host people reach, ``public_endpoint``; else for ``endpoint``, which
            only the step uses.
        """
        client = self._links_client if for_people else self._client
        try:
            return client.generate_presigned_url(operation, Params=request, ExpiresIn=expires_in)
        except BotoCoreError as error:
            raise ResourceError(f"signing in s3://{self.name}: {error}") from None

    def presign_form(self, form: Form, expires_in: int) -> tuple[str, dict[str, str]]:
        """Sign an upload form: its address, and the fields that carry the policy and its signature.

        :param form: The key, or prefix, the sizes and the content type the policy allows.
        :param expires_in: Seconds.
        """
        fields: dict[str, str] = {"success_action_status": "201"}
        conditions: list[object] = [
            {"success_action_status": "201"},
            ["content-length-range", form.min_size, form.max_size],
        ]
        fields |= form.fields
        conditions += [{name: value} for name, value in form.fields.items()]
        # Always one exact type: some stores take a Content-Type the policy does not name, and serve the object
        # with it, so a form that names none would store a page.
        content_type = form.content_type or FORM_CONTENT_TYPE
        fields["Content-Type"] = content_type
        conditions.append({"Content-Type": content_type})
        try:
            post = self._links_client.generate_presigned_post(
                self.name, form.key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in
            )
        except BotoCoreError as error:
            raise ResourceError(f"signing in s3://{self.name}: {error}") from None
        gate.remember(post["fields"].get("x-amz-signature"), post["fields"].get("policy"))
        return post["url"], post["fields"]

    def prove_form(self, action: str, fields: dict[str, str]) -> None:
        """Prove that the store takes upload forms and checks them, without writing: post one it must refuse.

        The form goes with its signature altered, and a field its policy does not allow, and an empty file. Only
        S3's own refusal of it proves that the store takes forms and checks them: a form taken, a page, a
        redirect or another error fails the step.

        :param action: The form's address.
        :param fields: The signed fields.
        :raises ResourceError: If the store does not take forms, or took one it should have refused.
        """
        where = f"checking the upload form for s3://{self.name}/{fields.get('key', '')}"
        forged = fields | {
            "x-amz-signature": _with_altered_signature(fields.get("x-amz-signature", "0")),
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
        try:
            answer = self._transport.send(action, headers, form="".join(parts).encode("utf-8"))
        except ResourceError as unsent:
            raise ResourceError(f"{where}: {unsent}") from None
        if answer.ok:
            raise failures.form_taken(where, answer)
        if answer.status in _REDIRECTS:
            raise failures.redirect(where, answer, self.name, self._endpoints)
        # Only S3's own refusal counts: a page, a redirect or another error says nothing of a form that fits.
        refused = self._read_error(where, answer)
        if answer.status not in _FORM_REFUSED or refused.code not in failures.FORM_REFUSALS:
            raise failures.forms_not_taken(where, answer, refused)

    def prove_link(
        self, request: S3Request, expires_in: int, *, check_signatures: bool = True
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
        subject = f"s3://{self.name}/{request['Key']}"
        where = f"checking the link to {subject}"
        signed: dict[str, str] = {}

        def sign() -> str:
            # Signed once for each region the step signs for: after a move, S3's region.
            if self.region not in signed:
                signed[self.region] = self.presign("get_object", request, expires_in)
            return signed[self.region]

        if check_signatures:
            self._refuse_unchecked_signatures(subject, sign, request)
        answer = self._exchange(where, sign, {"Range": "bytes=0-0"})
        if answer.status == 416:  # noqa: PLR2004  # Range Not Satisfiable: an empty object has no first byte
            answer = self._exchange(where, sign, {})
        if not answer.ok:
            error = self._read_error(where, answer)
            self._refuse_public_host_refused(where, error)
            asked = self._asked(where)
            pays = (
                failures.is_denied(error) and not failures.names_kms(error) and not failures.is_missing(answer, error)
            )
            requester_pays = pays and self._requester_pays(where, request, expires_in)
            version = request.get("VersionId")
            raise failures.object_failure(
                asked,
                answer,
                error,
                str(request["Key"]),
                None if version is None else str(version),
                requester_pays=requester_pays,
            )
        return sign(), object_info(answer.headers)

    def _refuse_unchecked_signatures(self, subject: str, sign: Callable[[], str], request: S3Request) -> None:
        """Fail if the endpoint serves a link with an altered signature and is not S3 serving the object.

        A web console answers 200, even 206, to every path. A store that checks no signatures (LocalStack by
        default, moto) serves the link too, and also lists the object in S3's XML at the size it served: its
        links work for anyone, so the step goes on with a warning. Sent before the real link, the altered one
        cannot leave a cached refusal in the way of the link itself, in a cache that keys by path.
        """
        # Whatever fails on the way (the connection, TLS, a redirect) fails the link itself, and is named so.
        where = f"checking the link to {subject}"
        forged = self._exchange(where, lambda: _with_altered_signature(sign()), {"Range": "bytes=0-0"})
        # 416 too: a store that checks nothing would have served the object, had it a first byte.
        if not forged.ok and forged.status != 416:  # noqa: PLR2004  # Range Not Satisfiable
            return
        served = 0 if forged.status == 416 else object_info(forged.headers).size  # noqa: PLR2004  # no first byte
        # A listing gives only the current version's size.
        if not self._lists(where, str(request["Key"]), None if "VersionId" in request else served):
            raise failures.unchecked_signatures(where, forged, "link", "object", self._served_by()[0])
        self._warnings.write(failures.unchecked_warning(self._served_by()[1]))

    def _lists(self, where: str, key: str, size: int | None) -> bool:
        """Whether S3's XML listing of the key names it, at ``size`` unless that is ``None``."""
        request: S3Request = {"Bucket": self.name, "Prefix": key, "EncodingType": "url"}
        answer = self._exchange(where, self._internal_listing(request), {}, body_limit=PAGE_LIMIT)
        page = _listing_page(answer)
        return page is not None and any(
            listed.key == key and (size is None or listed.size == size) for listed in page.objects
        )

    def probe(self, key: str) -> bool:
        """Prove the region, the credentials and the bucket with one small listing, before signing an upload.

        An upload cannot be tried without writing, so this is as far as a check can go: ``AccessDenied`` here
        still proves the signature and region, since S3 checks those first. The listing goes first with its
        signature altered: a web console serves it, and fails the step, as for a download.

        :param key: The key the upload will write, as the listing's prefix, to keep the answer small.
        :returns: Whether the key exists, as far as the listing says.
        :raises ResourceError: If the bucket, the region or the credentials are wrong.
        """
        where = f"checking s3://{self.name} for the upload"
        request: S3Request = {"Bucket": self.name, "Prefix": key, "MaxKeys": 1}

        def sign() -> str:
            return self.presign("list_objects_v2", request, INTERNAL_URL_SECONDS)

        # As for a download: the same listing with its signature altered must be refused, or listed in S3's XML.
        forged = self._exchange(where, lambda: _with_altered_signature(sign()), {}, body_limit=PAGE_LIMIT)
        if forged.ok:
            if _listing_page(forged) is None:
                raise failures.unchecked_signatures(where, forged, "listing", "bucket", self._served_by()[0])
            self._warnings.write(failures.unchecked_warning(self._served_by()[1]))
        answer = self._exchange(where, sign, {}, body_limit=PAGE_LIMIT)
        if answer.ok:
            page = _listing_page(answer)
            return page is not None and any(listed.key == key for listed in page.objects)
        error = self._read_error(where, answer)
        self._refuse_public_host_refused(where, error)
        if error.code != "AccessDenied":
            raise failures.failure(self._asked(where), answer, error)
        return False

    def refuse_links_dead_on_arrival(self, expires_in: int) -> None:
        """Fail if S3's clock is so far ahead that a link lasting ``expires_in`` has expired by S3's reckoning.

        A download link is proven by fetching it; an upload link is not, so its expiry is checked this way.

        :raises ResourceError: Naming both clocks' difference and the expiry.
        """
        if self.clock_skew is not None and self.clock_skew >= expires_in:
            raise failures.dead_on_arrival(self.clock_skew, expires_in)

    def objects(self, prefix: str, max_objects: int, *, limit_field: str, remedy: str) -> list[ListedObject]:
        """List every object under a prefix, page by page, checking each page; folder markers are left out.

        :param prefix: The key prefix, possibly empty.
        :param max_objects: The most objects the listing may hold.
        :param limit_field: The field to name when it holds more.
        :param remedy: What to do then.
        :raises ResourceError: If the listing fails, or is broken in a way that could loop or leave the prefix.
        """
        listing = f"s3://{self.name}/{prefix}"
        where = f"listing {listing}"
        guard = PageGuard(listing, prefix, max_objects, limit_field, remedy)
        request: dict[str, str | int] = {"Bucket": self.name, "Prefix": prefix, "EncodingType": "url"}
        objects: list[ListedObject] = []
        while True:
            answer = self._exchange(where, self._internal_listing(request), {}, body_limit=PAGE_LIMIT)
            if not answer.ok:
                error = self._read_error(where, answer)
                if error.code == "AccessDenied":
                    raise failures.listing_denied(self._asked(where))
                raise failures.failure(self._asked(where), answer, error)
            if len(answer.body) > PAGE_LIMIT:
                raise failures.page_too_large(where, PAGE_LIMIT)
            try:
                page = parse_list_page(answer)
            except ResourceError as error:
                raise ResourceError(f"{where}: {error}") from None
            token = guard.accept(page)
            objects.extend(listed for listed in page.objects if not listed.key.endswith("/"))
            if token is None:
                return objects
            request["ContinuationToken"] = token

    def _internal_listing(self, request: S3Request) -> Callable[[], str]:
        """Sign a listing the step sends for itself, to ``endpoint``."""
        return lambda: self.presign("list_objects_v2", request, INTERNAL_URL_SECONDS, for_people=False)

    def _connect(self, region: str) -> tuple[S3Client, S3Client, Transport]:
        """Set up the client that signs for ``endpoint``, the one that signs links, and the transport."""

        def client_for(endpoint: str | None) -> S3Client:
            return cast(
                "S3Client",
                self._session.create_client(
                    "s3",
                    region_name=region,
                    endpoint_url=endpoint,
                    aws_access_key_id=self.identity.credentials.access_key,
                    aws_secret_access_key=self.identity.credentials.secret_key,
                    aws_session_token=self.identity.credentials.token,
                    config=client_config(self._source),
                    verify=self._trust.verify,
                ),
            )

        endpoint, public = self._source.endpoint, self._source.public_endpoint
        client = client_for(endpoint)
        links_client = client if public is None else client_for(public)
        transport = Transport(self._trust)
        if self._routed and public is not None and endpoint is not None:
            transport.route(origin(public), origin(endpoint))
        return client, links_client, transport

    def _find_public_route(self) -> None:
        """Reach ``public_endpoint`` as people do; where the step cannot, send its requests to ``endpoint``.

        They carry the public host in ``Host``, as a proxy that keeps ``Host`` sends them.
        """
        public, endpoint = self._source.public_endpoint, self._source.endpoint
        self._routed = public is not None and endpoint is not None and not self._transport.reaches(public)
        if self._routed and public is not None and endpoint is not None:
            self._transport.route(origin(public), origin(endpoint))
            self._warnings.write(failures.public_route_note(public, endpoint))

    def _refuse_public_host_refused(self, where: str, error: S3Error) -> None:
        """Name the store or the proxy, if a request signed for ``public_endpoint`` was refused by its signature.

        The step's own listing, signed for ``endpoint``, tells a host the store will not sign for from a key that
        does not match: only the first is worded here.
        """
        public, endpoint = self._source.public_endpoint, self._source.endpoint
        if public is None or endpoint is None or error.code != "SignatureDoesNotMatch":
            return
        request: S3Request = {"Bucket": self.name, "MaxKeys": 1}
        if self._exchange(where, self._internal_listing(request), {}, body_limit=PAGE_LIMIT).ok:
            raise failures.public_host_refused(where, public, endpoint, routed=bool(self._routed))

    def _exchange(
        self, where: str, url_for: Callable[[], str], headers: dict[str, str], *, body_limit: int = 0
    ) -> Answer:
        """Send one request; if S3 names another region for the bucket, follow it once and send it again."""
        answer = self._send(where, url_for(), headers, body_limit)
        named = region_named(answer)
        if named is not None and named != self.region:
            self._move_to(named, where)
            answer = self._send(where, url_for(), headers, body_limit)
            if (again := region_named(answer)) is not None and again != self.region:
                self._move_to(again, where)  # fails: a region is followed once
        if answer.status in _REDIRECTS:
            raise failures.redirect(where, answer, self.name, self._endpoints)
        if self.clock_skew is None:
            self._read_clock(answer.headers.get("date"))
        return answer

    def _send(self, where: str, url: str, headers: dict[str, str], body_limit: int) -> Answer:
        # A server may quote a request back, in any encoding: its signature is then blanked wherever it stands.
        _, signed, signature = url.rpartition("X-Amz-Signature=")
        if signed:
            gate.remember(signature)
        if self._routed is None:
            self._find_public_route()
        try:
            return self._transport.send(url, headers, body_limit=body_limit)
        except ResourceError as error:
            raise ResourceError(f"{where}: {error}") from None

    @property
    def _endpoints(self) -> tuple[str | None, ...]:
        return self._source.endpoint, self._source.public_endpoint

    def _move_to(self, region: str, where: str) -> None:
        if self._moved_from is not None:
            raise failures.moved_twice(where, self.name, (self._moved_from, self.region, region))
        if self._source.region is not None:
            self._warnings.write(failures.region_warning(self._source.region, self.name, region))
        self._moved_from = self.region
        self.region = region
        self._client, self._links_client, self._transport = self._connect(region)

    def _read_error(self, where: str, answer: Answer) -> S3Error:
        """Read an error answer; fail at once if it is not S3's, or S3 refused the request by its clock.

        :raises ResourceError: Naming a body that is not S3's XML, or the clocks' difference.
        """
        try:
            error = error_of(answer)
        except NotS3XmlError as not_xml:
            raise ResourceError(f"{where}: {not_xml}") from None
        if error.code == "AccessDenied" and failures.says_expired(error.message):
            raise failures.expired(where, error.message, self.clock_skew)
        return error

    def _served_by(self) -> tuple[str, str]:
        """Name the field, and the address, of the host that answers what is signed for people, as sent so far."""
        public = self._source.public_endpoint
        if public is not None and not self._routed:
            return "source.public_endpoint", public
        return "source.endpoint", self._source.endpoint or f"AWS ({self.region})"

    def _asked(self, where: str) -> Asked:
        return Asked(where, self.name, self.identity.described, self._source.endpoint or f"AWS ({self.region})")

    def _requester_pays(self, where: str, request: S3Request, expires_in: int) -> bool:
        """Whether the same GET succeeds when the requester agrees to pay: then the bucket is requester-pays."""
        paid = {**request, "RequestPayer": "requester"}
        headers = {"Range": "bytes=0-0", "x-amz-request-payer": "requester"}
        answer = self._send(where, self.presign("get_object", paid, expires_in), headers, 0)
        return answer.ok or answer.status == 416  # noqa: PLR2004  # an empty object has no first byte

    def _read_clock(self, date_header: str | None) -> None:
        """Compare S3's clock with this machine's, from the first answer that has a readable Date, and warn."""
        server_time = http_date(date_header)
        if server_time is None:
            return
        self.clock_skew = (server_time - datetime.datetime.now(datetime.UTC)).total_seconds()
        if (warning := failures.clock_warning(self.clock_skew)) is not None:
            self._warnings.write(warning)


def _listing_page(answer: Answer) -> ListPage | None:
    """Read a successful answer as a page of S3's listing; ``None`` if it is not one."""
    if not answer.ok:
        return None
    try:
        return parse_list_page(answer)
    except ResourceError:
        return None


def _with_altered_signature(url: str) -> str:
    """Return the URL with the last character of its signature changed: a request no store that checks may accept."""
    last = url[-1]
    return url[:-1] + ("0" if last != "0" else "1")
