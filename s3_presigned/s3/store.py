"""The store as one step talks to it: every request to S3, and the region S3 names for the bucket."""

from __future__ import annotations

import contextlib
import re
import warnings as python_warnings
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING, Literal, TextIO

from botocore.config import Config
from botocore.exceptions import BotoCoreError
from urllib3.exceptions import InsecureRequestWarning

from s3_presigned.core import notices
from s3_presigned.core.failures.base import Asked, BadConfiguredRegion, NoRegion, UnreadableAwsConfig
from s3_presigned.core.failures.behaviour import MovedTwice, PageTooLarge
from s3_presigned.core.failures.connections import ConnectionFailure
from s3_presigned.core.failures.listings import ListingBroken, NotS3Xml
from s3_presigned.core.failures.local import SigningFailed
from s3_presigned.core.failures.refusals import ListingDenied
from s3_presigned.s3 import causes
from s3_presigned.s3.answers import (
    Answer,
    ListedObject,
    clock_skew,
    parse_list_page,
    region_named,
)
from s3_presigned.s3.connection import AddressingStyle, Connection
from s3_presigned.s3.credentials import SigningIdentity, resolve_identity
from s3_presigned.s3.facts import DEFAULT_STORE_REGION, FIRST_GUESS_REGION, REGION
from s3_presigned.s3.listing import PageGuard
from s3_presigned.s3.policy import Form
from s3_presigned.s3.reach import Reach
from s3_presigned.s3.session import new_session
from s3_presigned.s3.transport import PAGE_LIMIT
from s3_presigned.s3.trust import trusted

if TYPE_CHECKING:
    import botocore.session

    from s3_presigned.core.context import StepContext


Operation = Literal["get_object", "put_object", "list_objects_v2"]
S3Request = Mapping[str, object]

INTERNAL_URL_SECONDS = 900  # the step's own listing and probe URLs: long enough for a skewed clock
REDIRECTS = range(300, 400)
# A form's signature, as a multipart body carries it: however it was altered, it was sent, so it is secret too.
_FORM_SIGNATURE = rb'name="x-amz-signature"\r\n\r\n([^\r\n]*+)'


class Store:
    """The S3 conversation of one step: it signs, lists and sends, and follows S3 to the bucket's region.

    Open it with :meth:`open`. Every request goes through here, so that a region S3 names is followed in one
    place, once; :mod:`s3_presigned.proof` proves links with it, and :mod:`s3_presigned.s3.causes` names what
    S3 answered.
    """

    def __init__(
        self,
        connection: Connection,
        identity: SigningIdentity,
        reach_for: Callable[[str, bool | None], Reach],
        region: str,
        warnings: TextIO,
        context: StepContext,
    ) -> None:
        """Start talking to the bucket; use :meth:`open` rather than this.

        :param connection: Where the bucket is, and how to reach it.
        :param identity: The credentials that sign.
        :param reach_for: Sets up the clients and the transport for a region, routed to ``endpoint`` or not.
        :param region: The region to sign for until S3 names another.
        :param warnings: Where conditions that do not stop the step are reported.
        :param context: The step's environment, clock and secrets: what the store signs and sends is learnt there.
        """
        self.context = context
        self.name = connection.bucket
        self.identity = identity
        self.connection = connection
        self.warnings = warnings
        self._moved_from: str | None = None
        self.clock_skew: float | None = None
        """S3's clock less this machine's, in seconds, once an answer has said; ``None`` before."""
        self.region = region
        self._reach_for = reach_for
        self._reach = reach_for(region, None if connection.public_endpoint is not None else False)

    @classmethod
    @contextlib.contextmanager
    def open(
        cls, connection: Connection, context: StepContext, *, wanted_seconds: int, may_ask: bool, warnings: TextIO
    ) -> Iterator[Store]:
        """Resolve the region and the identity, and hold the TLS settings while the step talks to S3.

        :param connection: Where the bucket is, and how to reach it.
        :param context: The step's environment, clock and secrets.
        :param wanted_seconds: The expiry asked for, so that a role session covers it.
        :param may_ask: Whether the step sends requests, so that S3 can tell the bucket's region.
        :param warnings: Where conditions that do not stop the step are reported.
        :raises ConfigError: If no region is known and the step may not ask S3.
        """
        try:
            session = new_session()
            region = configured_region(connection, session, context.environ)
        except BotoCoreError as error:
            raise UnreadableAwsConfig(str(error)) from None
        if region is None and not may_ask:
            raise NoRegion
        with trusted(connection.ca_bundle, connection.verify_ssl, session, context.environ) as trust:
            if trust.verify is False:
                # The user turned verification off on purpose; urllib3 would warn on every request.
                python_warnings.filterwarnings("ignore", category=InsecureRequestWarning)
            start = region or FIRST_GUESS_REGION
            identity = resolve_identity(connection.keys, connection.role, session, start, wanted_seconds, context)
            reach_for = partial(Reach, connection, session, identity, trust, client_config(connection), context.environ)
            yield cls(connection, identity, reach_for, start, warnings, context)

    def presign(self, operation: Operation, request: S3Request, expires_in: int, *, for_people: bool = True) -> str:
        """Sign a URL with botocore, for the bucket's region as known now.

        :param operation: ``get_object`` or ``put_object`` for links, ``list_objects_v2`` for the step's own use.
        :param request: The operation's parameters, such as ``Bucket`` and ``Key``.
        :param expires_in: Seconds.
        :param for_people: Sign for the host people reach, ``public_endpoint``; else for ``endpoint``, which
            only the step uses.
        """
        client = self._reach.links_client if for_people else self._reach.client
        try:
            return client.generate_presigned_url(operation, Params=request, ExpiresIn=expires_in)
        except BotoCoreError as error:
            raise SigningFailed(self.name, str(error)) from None

    def presign_form(self, form: Form, expires_in: int) -> tuple[str, dict[str, str]]:
        """Sign an upload form: its address, and the fields that carry the policy and its signature.

        :param form: The key, or prefix, the sizes and the content type the policy allows.
        :param expires_in: Seconds.
        """
        fields, conditions = form.policy()
        try:
            post = self._reach.links_client.generate_presigned_post(
                self.name, form.key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in
            )
        except BotoCoreError as error:
            raise SigningFailed(self.name, str(error)) from None
        self.context.knowledge.remember(post["fields"].get("x-amz-signature"), post["fields"].get("policy"))
        return post["url"], post["fields"]

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
            answer = self.exchange(where, self.internal_listing(request), {}, body_limit=PAGE_LIMIT)
            if not answer.ok:
                error = causes.read_error(where, answer, self.clock_skew)
                if error.code == "AccessDenied":
                    raise ListingDenied(self.asked(where))
                raise causes.failure(self.asked(where), answer, error)
            if len(answer.body) > PAGE_LIMIT:
                raise PageTooLarge(where, PAGE_LIMIT)
            try:
                page = parse_list_page(answer)
            except (ListingBroken, NotS3Xml) as error:
                raise error.at(where) from None
            token = guard.accept(page)
            objects.extend(listed for listed in page.objects if not listed.key.endswith("/"))
            if token is None:
                return objects
            request["ContinuationToken"] = token

    def internal_listing(self, request: S3Request) -> Callable[[], str]:
        """Sign a listing the step sends for itself, to ``endpoint``."""
        return lambda: self.presign("list_objects_v2", request, INTERNAL_URL_SECONDS, for_people=False)

    def exchange(
        self, where: str, url_for: Callable[[], str], headers: dict[str, str], *, body_limit: int = 0
    ) -> Answer:
        """Send one request; if S3 names another region for the bucket, follow it once and send it again.

        :param where: What the step is doing, for the line that names a failure.
        :param url_for: Signs the request, again after a move, for the region known then.
        """
        answer = self.send(where, url_for(), headers, body_limit)
        named = region_named(answer)
        if named is not None and named != self.region:
            self._move_to(named, where)
            answer = self.send(where, url_for(), headers, body_limit)
            if (again := region_named(answer)) is not None and again != self.region:
                self._move_to(again, where)  # fails: a region is followed once
        if answer.status in REDIRECTS:
            raise causes.redirect(where, answer, self.connection)
        if self.clock_skew is None and (skew := clock_skew(answer, self.context.clock())) is not None:
            self.clock_skew = skew
            if warning := notices.clock_warning(skew):
                self.warnings.write(warning)
        return answer

    def send(
        self, where: str, url: str, headers: dict[str, str], body_limit: int = 0, form: bytes | None = None
    ) -> Answer:
        """Send one request as it is, to the host it is signed for or the route to it; ``form`` is a POST body."""
        # A server may quote a request back, in any encoding: its signature is then blanked wherever it stands.
        _, signed, signature = url.rpartition("X-Amz-Signature=")
        sent = [signature] if signed else []
        sent += [found.decode("ascii", "replace") for found in re.findall(_FORM_SIGNATURE, form or b"")]
        self.context.knowledge.remember(*sent)
        if self.routed is None:
            self._reach.find_public_route(self.warnings)
        try:
            return self._reach.transport.send(url, headers, body_limit=body_limit, form=form)
        except ConnectionFailure as error:
            raise error.at(where) from None

    @property
    def routed(self) -> bool | None:
        """Whether requests signed for ``public_endpoint`` go to ``endpoint``; ``None`` until the step sends one."""
        return self._reach.routed

    def _move_to(self, region: str, where: str) -> None:
        if self._moved_from is not None:
            raise MovedTwice(where, self.name, (self._moved_from, self.region, region))
        if self.connection.region is not None:
            self.warnings.write(notices.region_warning(self.connection.region, self.name, region))
        self._moved_from = self.region
        self.region = region
        self._reach = self._reach_for(region, self.routed)

    def served_by(self) -> tuple[str, str]:
        """Name the field, and the address, of the host that answers what is signed for people, as sent so far."""
        public = self.connection.public_endpoint
        if public is not None and not self.routed:
            return "source.public_endpoint", public
        return "source.endpoint", self.connection.endpoint or f"AWS ({self.region})"

    def asked(self, where: str) -> Asked:
        """Who asked what of which bucket, for the line that names a failed request."""
        return Asked(where, self.name, self.identity.described, self.connection.endpoint or f"AWS ({self.region})")


def configured_region(
    connection: Connection, session: botocore.session.Session, environ: Mapping[str, str]
) -> str | None:
    """Pick the region to start with: the given one, us-east-1 for a custom endpoint, else the environment or config.

    :returns: The region, or ``None`` when nothing names one.
    :raises ConfigError: If the environment or the config names a region botocore would refuse.
    """
    if connection.region is not None:
        return connection.region
    if connection.endpoint is not None:
        return DEFAULT_STORE_REGION
    # botocore reads only AWS_DEFAULT_REGION; AWS_REGION is what the other AWS SDKs and runtimes set.
    region = environ.get("AWS_REGION") or session.get_config_variable("region")
    if not region:
        return None
    if not REGION.fullmatch(str(region)):
        setting = next((name for name in ("AWS_REGION", "AWS_DEFAULT_REGION") if environ.get(name)), None)
        raise BadConfiguredRegion(setting or "the AWS config's region", str(region))
    return str(region)


def client_config(connection: Connection) -> Config:
    """Build botocore's client settings: SigV4, the addressing style, and regional endpoints."""
    style: AddressingStyle = "path" if connection.addressing_style == "path" else "virtual"
    if connection.addressing_style == "auto":
        # botocore's "auto" signs some regions against the global s3.amazonaws.com host; S3-compatible
        # stores rarely serve virtual hosts. A bucket with dots still falls back to path style.
        style = "path" if connection.endpoint is not None else "virtual"
    return Config(signature_version="s3v4", s3={"addressing_style": style, "us_east_1_regional_endpoint": "regional"})
