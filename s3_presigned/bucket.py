"""The bucket as one step talks to it: its real region, the identity that signs, and every request to S3."""

from __future__ import annotations

import contextlib
import datetime
import os
import ssl
import tempfile
import warnings as python_warnings
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Literal, TextIO, cast

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError
from urllib3.exceptions import InsecureRequestWarning

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
from s3_presigned.credentials import SigningIdentity, resolve_identity
from s3_presigned.errors import ConfigError, ResourceError, without_user_info
from s3_presigned.listing import PageGuard
from s3_presigned.session import new_session
from s3_presigned.transport import PAGE_LIMIT, Transport

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

    from s3_presigned.config import Source

Operation = Literal["get_object", "put_object", "list_objects_v2"]
S3Request = Mapping[str, str | int]

DEFAULT_STORE_REGION = "us-east-1"  # what S3-compatible stores expect when no region is given
FIRST_GUESS_REGION = "us-east-1"  # where to ask AWS first: it answers with the bucket's region
CLOCK_SKEW_WARNING_SECONDS = 60
INTERNAL_URL_SECONDS = 900  # the step's own listing and probe URLs: long enough for a skewed clock
_REDIRECTS = range(300, 400)
# Said once a step, by a download's check or an upload's alike.
_UNCHECKED_WARNING = (
    "warning: {endpoint} served a request whose signature was altered, and answered as S3 does: it checks no "
    "signatures, so these links work there for anyone who holds them, and nothing about their signing is proven\n"
)


class Bucket:
    """The S3 conversation of one step: it signs, lists and proves links, and follows S3 to the bucket's region.

    Open it with :meth:`open`. Every request goes through here, so that a region S3 names is followed in one
    place, once, and every answer becomes one line that names its cause.
    """

    def __init__(
        self,
        source: Source,
        session: botocore.session.Session,
        identity: SigningIdentity,
        region: str,
        tls_verify: bool | str,
        warnings: TextIO,
    ) -> None:
        """Start talking to the bucket; use :meth:`open` rather than this.

        :param source: The validated source.
        :param session: The botocore session the identity came from.
        :param identity: The credentials that sign.
        :param region: The region to sign for until S3 names another.
        :param tls_verify: What botocore's ``verify`` takes: a flag, or the path of a CA bundle.
        :param warnings: Where conditions that do not stop the step are reported.
        """
        self.name = source.bucket
        self.identity = identity
        self._sent_signatures: list[str] = []
        self._source = source
        self._session = session
        self._tls_verify = tls_verify
        self._warnings = warnings
        self._moved_from: str | None = None
        self.clock_skew: float | None = None
        """S3's clock less this machine's, in seconds, once an answer has said; ``None`` before."""
        self.region = region
        self._client, self._transport = self._connect(region)

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
            raise ResourceError(
                f"AWS config: {error}; check AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE"
            ) from None
        if region is None and not may_ask:
            raise ConfigError(
                "source.region",
                "no region is set here, in AWS_REGION or AWS_DEFAULT_REGION, or in the AWS config; please specify "
                "region, or leave verify on so that the step can ask S3 where the bucket is",
            )
        with _tls_verification(source, session) as tls_verify:
            if tls_verify is False:
                # The user turned verification off on purpose; urllib3 would warn on every request.
                python_warnings.filterwarnings("ignore", category=InsecureRequestWarning)
            start = region or FIRST_GUESS_REGION
            identity = resolve_identity(source, session, start, wanted_seconds, tls_verify)
            bucket = cls(source, session, identity, start, tls_verify, warnings)
            try:
                yield bucket
            except ResourceError as error:
                # Keys from the environment or a role, and the signatures sent, are known only here.
                error.secrets = bucket.secrets
                raise
            except Exception as error:  # noqa: BLE001  # reported as the step reports any fault, with the secrets
                unexpected = ResourceError(f"unexpected {type(error).__name__}: {error}")
                unexpected.secrets = bucket.secrets
                raise unexpected from None

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every value no message may show: the keys and tokens, and the signature of every URL sent to S3.

        A server may quote a request back, in any encoding; its signature is then blanked out wherever it stands.
        """
        return self._source.secrets + self.identity.secrets + tuple(self._sent_signatures)

    def presign(self, operation: Operation, request: S3Request, expires_in: int) -> str:
        """Sign a URL with botocore, for the bucket's region as known now.

        :param operation: ``get_object`` or ``put_object`` for links, ``list_objects_v2`` for the step's own use.
        :param request: The operation's parameters, such as ``Bucket`` and ``Key``.
        :param expires_in: Seconds.
        """
        try:
            return self._client.generate_presigned_url(operation, Params=request, ExpiresIn=expires_in)
        except BotoCoreError as error:
            raise ResourceError(f"signing in s3://{self.name}: {error}") from None

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
            raise self._object_failure(where, subject, answer, request, expires_in)
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
            raise _unchecked_failure(where, forged, "link", "object")
        self._warnings.write(_UNCHECKED_WARNING.format(endpoint=self._endpoint))

    def _lists(self, where: str, key: str, size: int | None) -> bool:
        """Whether S3's XML listing of the key names it, at ``size`` unless that is ``None``."""
        request: S3Request = {"Bucket": self.name, "Prefix": key, "EncodingType": "url"}
        answer = self._exchange(
            where, lambda: self.presign("list_objects_v2", request, INTERNAL_URL_SECONDS), {}, body_limit=PAGE_LIMIT
        )
        page = _listing_page(answer)
        return page is not None and any(
            listed.key == key and (size is None or listed.size == size) for listed in page.objects
        )

    def probe(self, key: str) -> None:
        """Prove the region, the credentials and the bucket with one small listing, before signing an upload.

        An upload cannot be tried without writing, so this is as far as a check can go: ``AccessDenied`` here
        still proves the signature and region, since S3 checks those first. The listing goes first with its
        signature altered: a web console serves it, and fails the step, as for a download.

        :param key: The key the upload will write, as the listing's prefix, to keep the answer small.
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
                raise _unchecked_failure(where, forged, "listing", "bucket")
            self._warnings.write(_UNCHECKED_WARNING.format(endpoint=self._endpoint))
        answer = self._exchange(where, sign, {})
        if answer.ok:
            return
        error = self._read_error(where, answer)
        if error.code != "AccessDenied":
            raise self._failure(where, answer, error)

    def refuse_links_dead_on_arrival(self, expires_in: int) -> None:
        """Fail if S3's clock is so far ahead that a link lasting ``expires_in`` has expired by S3's reckoning.

        A download link is proven by fetching it; an upload link is not, so its expiry is checked this way.

        :raises ResourceError: Naming both clocks' difference and the expiry.
        """
        if self.clock_skew is not None and self.clock_skew >= expires_in:
            raise ResourceError(
                f"S3's clock is {self.clock_skew:.0f} s ahead of this machine's, so a link that lasts {expires_in} s "
                "has expired by S3's clock before anyone can use it; set this machine's clock right, for example "
                "with NTP, or lengthen expires_in"
            )

    def list(self, prefix: str, max_objects: int, *, limit_field: str, remedy: str) -> list[ListedObject]:
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
            answer = self._exchange(
                where,
                lambda: self.presign("list_objects_v2", request, INTERNAL_URL_SECONDS),
                {},
                body_limit=PAGE_LIMIT,
            )
            if not answer.ok:
                error = self._read_error(where, answer)
                if error.code == "AccessDenied":
                    raise ResourceError(
                        f"{where}: access denied to {self.identity.described}: grant s3:ListBucket on {self.name}"
                    )
                raise self._failure(where, answer, error)
            if len(answer.body) > PAGE_LIMIT:
                raise ResourceError(f"{where}: a page is larger than {PAGE_LIMIT >> 20} MiB: is a proxy in the way?")
            try:
                page = parse_list_page(answer)
            except ResourceError as error:
                raise ResourceError(f"{where}: {error}") from None
            token = guard.accept(page)
            objects.extend(listed for listed in page.objects if not listed.key.endswith("/"))
            if token is None:
                return objects
            request["ContinuationToken"] = token

    def _connect(self, region: str) -> tuple[S3Client, Transport]:
        client = cast(
            "S3Client",
            self._session.create_client(
                "s3",
                region_name=region,
                endpoint_url=self._source.endpoint,
                aws_access_key_id=self.identity.credentials.access_key,
                aws_secret_access_key=self.identity.credentials.secret_key,
                aws_session_token=self.identity.credentials.token,
                config=_client_config(self._source),
                verify=self._tls_verify,
            ),
        )
        return client, Transport(self._tls_verify, client.meta.endpoint_url)

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
            raise self._redirect_failure(where, answer)
        if self.clock_skew is None:
            self._read_clock(answer.headers.get("date"))
        return answer

    def _send(self, where: str, url: str, headers: dict[str, str], body_limit: int) -> Answer:
        _, signed, signature = url.rpartition("X-Amz-Signature=")
        if signed:
            self._sent_signatures.append(signature)
        try:
            return self._transport.get(url, headers, body_limit=body_limit)
        except ResourceError as error:
            raise ResourceError(f"{where}: {error}") from None

    def _move_to(self, region: str, where: str) -> None:
        if self._moved_from is not None:
            raise ResourceError(
                f"{where}: S3 named the region {region} for bucket {self.name}, after {self._moved_from} and "
                f"{self.region}; please specify source.region"
            )
        if self._source.region is not None:
            self._warnings.write(
                f"warning: source.region is {self._source.region}, but S3 says bucket {self.name} is in {region}; "
                f"signing for {region} (set region: {region} to save a request)\n"
            )
        self._moved_from = self.region
        self.region = region
        self._client, self._transport = self._connect(region)

    def _read_error(self, where: str, answer: Answer) -> S3Error:
        """Read an error answer; fail at once if it is not S3's, or S3 refused the request by its clock.

        :raises ResourceError: Naming a body that is not S3's XML, or the clocks' difference.
        """
        try:
            error = error_of(answer)
        except NotS3XmlError as not_xml:
            raise ResourceError(f"{where}: {not_xml}") from None
        if error.code == "AccessDenied" and _expired(error.message):
            raise self._expired_failure(where, error.message)
        return error

    def _failure(self, where: str, answer: Answer, error: S3Error) -> ResourceError:
        """Name the cause of an error answer that any request may get."""
        described = self.identity.described
        causes = {
            "SignatureDoesNotMatch": f"the secret key of {described} does not match its access key id",
            "InvalidAccessKeyId": f"S3 does not know the access key id of {described}",
            "InvalidToken": f"S3 refused the session token of {described}",
            "ExpiredToken": f"the session token of {described} has expired",
            "NoSuchBucket": f"the bucket {self.name} does not exist at {self._endpoint}",
            "RequestTimeTooSkewed": "this machine's clock is too far from S3's; set it right, for example with NTP",
        }
        if error.code in causes:
            return ResourceError(f"{where}: {causes[error.code]} ({error.code})")
        said = f"{error.code}: {error.message}" if error.message else error.code
        if not answer.body.strip():
            said = "no details"
        return ResourceError(f"{where}: S3 answered {answer.describe()}, {said}")

    def _object_failure(
        self, where: str, subject: str, answer: Answer, request: S3Request, expires_in: int
    ) -> ResourceError:
        """Name why a download link does not work: the object, its storage, its key, or who pays."""
        error = self._read_error(where, answer)
        code, denied = error.code, error.code == "AccessDenied" or error.code.startswith("KMS.")
        if code == "NoSuchKey" or (answer.status == 404 and code == "404"):  # noqa: PLR2004  # Not Found
            cause = f"{subject} does not exist (checked by fetching the link; set verify: false to skip)"
        elif code == "NoSuchVersion":
            cause = f"version {request.get('VersionId')} of {subject} does not exist"
        elif code == "InvalidObjectState":
            archive = error.storage_class or "an archive storage class"
            cause = f"{subject} is archived in {archive} and not restored; restore it before sharing it"
        elif denied and "kms" in f"{code} {error.message}".lower():
            cause = (
                f"{subject} is encrypted with a KMS key that {self.identity.described} may not use; "
                f"grant kms:Decrypt on the key (S3 answered {code}: {error.message})"
            )
        elif denied and self._requester_pays(where, request, expires_in):
            cause = (
                f"{subject} is in a requester-pays bucket: S3 refuses a link that does not say who pays, "
                "and a plain link cannot"
            )
        elif denied:
            cause = (
                f"{subject}: access denied to {self.identity.described}; grant s3:GetObject on it, and "
                "s3:ListBucket on the bucket so that a missing object is reported as missing (AccessDenied)"
            )
        else:
            return self._failure(where, answer, error)
        return ResourceError(cause)

    def _expired_failure(self, where: str, message: str) -> ResourceError:
        """Say why S3 refused a fresh request as expired or not yet valid: its clock, or a very short expiry."""
        skew = self.clock_skew or 0
        if abs(skew) > CLOCK_SKEW_WARNING_SECONDS:
            direction = "ahead of" if skew > 0 else "behind"
            cause = f"S3's clock is {abs(skew):.0f} s {direction} this machine's; set this machine's clock right"
        else:
            cause = "the clocks disagree, or expires_in is shorter than the check took"
        return ResourceError(f"{where}: S3 refused the request by its clock ({message}): {cause}")

    def _requester_pays(self, where: str, request: S3Request, expires_in: int) -> bool:
        """Whether the same GET succeeds when the requester agrees to pay: then the bucket is requester-pays."""
        paid = {**request, "RequestPayer": "requester"}
        headers = {"Range": "bytes=0-0", "x-amz-request-payer": "requester"}
        answer = self._send(where, self.presign("get_object", paid, expires_in), headers, 0)
        return answer.ok or answer.status == 416  # noqa: PLR2004  # an empty object has no first byte

    def _redirect_failure(self, where: str, answer: Answer) -> ResourceError:
        location = without_user_info(answer.headers.get("location", ""))
        target = location.split("?", 1)[0] or "nowhere"
        origin = "/".join(target.split("/", 3)[:3]) if "://" in target else ""
        hint = f"; set source.endpoint to {origin}" if origin else "; set source.endpoint to the store's real address"
        return ResourceError(
            f"{where}: S3 answered {answer.describe()}, redirecting to {target} without naming a region{hint}"
        )

    @property
    def _endpoint(self) -> str:
        return self._source.endpoint or f"AWS ({self.region})"

    def _read_clock(self, date_header: str | None) -> None:
        """Compare S3's clock with this machine's, from the first answer that has a readable Date, and warn."""
        server_time = http_date(date_header)
        if server_time is None:
            return
        skew = self.clock_skew = (server_time - datetime.datetime.now(datetime.UTC)).total_seconds()
        if abs(skew) > CLOCK_SKEW_WARNING_SECONDS:
            direction = "ahead of" if skew > 0 else "behind"
            self._warnings.write(
                f"warning: the S3 server's clock is {abs(skew):.0f} s {direction} this machine's; "
                "the URL's validity window is shifted by as much\n"
            )


def _expired(message: str) -> bool:
    # S3 and MinIO say "Request has expired" or "Request is not yet valid" with code AccessDenied, before any
    # permission, and MinIO before the signature too.
    said = message.lower()
    return "expired" in said or "not yet valid" in said


def _unchecked_failure(where: str, forged: Answer, request: str, subject: str) -> ResourceError:
    """Name an endpoint that accepted a request with an altered signature and did not answer as S3 does."""
    said = forged.headers.get("content-type") or "no content type"
    return ResourceError(
        f"{where}: the endpoint answered {forged.describe()} with {said} to the {request} with its signature "
        f"altered, and does not list as S3 does: it is not S3 serving the {subject}. Is source.endpoint a web "
        "console or a proxy?"
    )


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


def configured_region(source: Source, session: botocore.session.Session) -> str | None:
    """Pick the region to start with: the source's, us-east-1 for a custom endpoint, else the environment or config.

    :returns: The region, or ``None`` when nothing names one.
    """
    if source.region is not None:
        return source.region
    if source.endpoint is not None:
        return DEFAULT_STORE_REGION
    # botocore reads only AWS_DEFAULT_REGION; AWS_REGION is what the other AWS SDKs and runtimes set.
    region = os.environ.get("AWS_REGION") or session.get_config_variable("region")
    return str(region) if region else None


def _client_config(source: Source) -> Config:
    style: Literal["auto", "virtual", "path"] = "path" if source.addressing_style == "path" else "virtual"
    if source.addressing_style == "auto":
        # botocore's "auto" signs some regions against the global s3.amazonaws.com host; S3-compatible
        # stores rarely serve virtual hosts. A bucket with dots still falls back to path style.
        style = "path" if source.endpoint is not None else "virtual"
    return Config(signature_version="s3v4", s3={"addressing_style": style, "us_east_1_regional_endpoint": "regional"})


@contextlib.contextmanager
def _tls_verification(source: Source, session: botocore.session.Session) -> Iterator[bool | str]:
    """Yield what botocore's ``verify`` takes: the source's CA bundle as a file while it is needed, or a flag."""
    if source.ca_bundle is None:
        yield False if not source.verify_ssl else (session.get_config_variable("ca_bundle") or True)
        return
    # PEM is ASCII; headings such as "subject=O = Société" around the certificates are left as they read.
    pem = source.ca_bundle.encode("ascii", "replace").decode("ascii")
    try:
        ssl.create_default_context(cadata=pem)
    except (ssl.SSLError, ValueError) as error:
        raise ConfigError("source.ca_bundle", f"is not PEM text that TLS can read ({error})") from None
    with tempfile.NamedTemporaryFile("w", suffix=".pem", encoding="ascii") as bundle:
        bundle.write(pem)
        bundle.flush()
        yield bundle.name
