"""A stand-in for S3 as it really answers: a proxy in front of rclone on 127.0.0.1 that changes one behaviour.

rclone is lenient: it accepts any region in a signature, sends clean headers and pages correctly. Each
behaviour here makes the proxy answer one way that AWS, an S3-compatible store or a proxy in front of one
really does, and otherwise passes requests through untouched, Host header and all, so signatures still hold.
"""

from __future__ import annotations

import calendar
import email.utils
import http.client
import http.server
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, unquote_plus, urlsplit

from tests.support import BackgroundServer

BUCKET_REGION = "eu-west-2"  # where the region-strict stand-in says the bucket lives


@dataclass(frozen=True)
class Request:
    """What the proxy received."""

    method: str
    target: str  # the path and query as sent
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def query(self) -> dict[str, str]:
        return {name: values[0] for name, values in parse_qs(urlsplit(self.target).query).items()}

    @property
    def is_listing(self) -> bool:
        return self.method == "GET" and self.query.get("list-type") == "2"

    @property
    def signed_region(self) -> str | None:
        """The region in the signature's scope: access key, date, region, service, aws4_request."""
        credential = (
            self.query.get("X-Amz-Credential") or self.headers.get("authorization", "").partition("Credential=")[2]
        )
        parts = credential.split(",")[0].split("/")
        return parts[2] if len(parts) == 5 else None


@dataclass(frozen=True)
class Reply:
    """What the proxy answers; ``trickle`` sends it a byte at a time, that many seconds apart."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    trickle: float = 0.0

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def with_headers(self, changes: dict[str, str | None], *extra: tuple[str, str]) -> Reply:
        """Replace or drop (``None``) headers by name, then add ``extra`` ones as they are."""
        lowered = {name.lower(): value for name, value in changes.items()}
        kept = [(key, value) for key, value in self.headers if key.lower() not in lowered]
        added = [(name, value) for name, value in changes.items() if value is not None]
        return replace(self, headers=kept + added + list(extra))

    def with_body(self, body: bytes) -> Reply:
        return replace(self.with_headers({"Content-Length": str(len(body))}), body=body)


Forward = Callable[[], Reply]
Behaviour = Callable[[Request, Forward], Reply]


def xml_error(status: int, code: str, message: str, **fields: str) -> Reply:
    extra = "".join(f"<{name}>{value}</{name}>" for name, value in fields.items())
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>{extra}</Error>'
    )
    return Reply(status, [("Content-Type", "application/xml")]).with_body(body.encode())


class StandIn(BackgroundServer):
    """The proxy, on a free port of 127.0.0.1, forwarding to ``upstream`` unless its behaviour answers itself."""

    def __init__(self, upstream: str, behaviour: Behaviour) -> None:
        self.upstream = upstream
        self.behaviour = behaviour
        self.requests: list[Request] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    self.command,
                    self.path,
                    {name.lower(): value for name, value in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                owner.requests.append(request)
                reply = owner.behaviour(request, lambda: owner.forward(request))
                self.send(reply, head=self.command == "HEAD")

            do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = handle_one  # noqa: N815  # http.server's names

            def send(self, reply: Reply, *, head: bool) -> None:
                lines = [f"HTTP/1.1 {reply.status} {http.HTTPStatus(reply.status).phrase}"]
                lines += [f"{name}: {value}" for name, value in reply.headers]
                data = ("\r\n".join([*lines, "Connection: close", "", ""])).encode("latin-1")
                data += b"" if head else reply.body
                self.close_connection = True
                try:
                    if not reply.trickle:
                        self.wfile.write(data)
                        return
                    for index in range(len(data)):
                        self.wfile.write(data[index : index + 1])
                        self.wfile.flush()
                        time.sleep(reply.trickle)
                except OSError:
                    pass  # the client gave up, as it should with a server this slow

            def log_message(self, *_: object) -> None:
                pass

        super().__init__(Handler)

    def forward(self, request: Request) -> Reply:
        """Send the request on to the real server as it came, and return its answer untouched."""
        parts = urlsplit(self.upstream)
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        try:
            connection.putrequest(request.method, request.target, skip_host=True, skip_accept_encoding=True)
            for name, value in request.headers.items():
                if name not in ("connection", "content-length"):
                    connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(request.body)))
            connection.endheaders(request.body)
            response = connection.getresponse()
            body = response.read()
            skipped = ("connection", "transfer-encoding", "content-length")
            headers = [(name, value) for name, value in response.getheaders() if name.lower() not in skipped]
            return Reply(response.status, [*headers, ("Content-Length", str(len(body)))], body)
        finally:
            connection.close()


# Behaviours: each answers one way real stores and proxies do, and passes everything else through.


def passthrough(_: Request, forward: Forward) -> Reply:
    return forward()


def region_strict(request: Request, forward: Forward) -> Reply:
    """AWS for a bucket in eu-west-2: a request signed for another region gets 400 naming the right one."""
    signed = request.signed_region
    if signed is None or signed == BUCKET_REGION:
        return forward()
    reply = xml_error(
        400,
        "AuthorizationQueryParametersError",
        f"Error parsing the X-Amz-Credential parameter; the region '{signed}' is wrong; expecting '{BUCKET_REGION}'",
        Region=BUCKET_REGION,
    )
    return reply.with_headers({"x-amz-bucket-region": BUCKET_REGION})


def region_redirect(request: Request, forward: Forward) -> Reply:
    """AWS's regional endpoint for a bucket in another region: 301 PermanentRedirect naming it."""
    if request.signed_region in (None, BUCKET_REGION):
        return forward()
    reply = xml_error(
        301,
        "PermanentRedirect",
        "The bucket you are attempting to access must be addressed using the specified endpoint.",
        Endpoint=f"bucket.s3.{BUCKET_REGION}.amazonaws.com",
    )
    return reply.with_headers({"x-amz-bucket-region": BUCKET_REGION})


def redirect_to_https(request: Request, _: Forward) -> Reply:
    """nginx in front of an http:// endpoint: 301 to https, an HTML page, no region."""
    page = b"<html><head><title>301 Moved Permanently</title></head><body>nginx</body></html>"
    location = f"https://127.0.0.1:8443{request.target}"
    return Reply(301, [("Content-Type", "text/html"), ("Location", location), ("Server", "nginx")]).with_body(page)


def with_headers(changes: dict[str, str | None], *extra: tuple[str, str]) -> Behaviour:
    """Answer as the server does, with headers replaced, dropped (``None``) or added."""

    def behaviour(_: Request, forward: Forward) -> Reply:
        return forward().with_headers(changes, *extra)

    return behaviour


class Listing:
    """Answers listings as the server does, with the body edited; everything else passes.

    A continuation token the proxy made up means nothing to the server, so later pages are the first page
    again, edited again, as a store that ignores the token serves them.
    """

    def __init__(self, edit: Callable[[bytes], bytes]) -> None:
        self.edit = edit
        self.first: Reply | None = None

    def __call__(self, request: Request, forward: Forward) -> Reply:
        if not request.is_listing:
            return forward()
        if self.first is None or not request.query.get("continuation-token"):
            self.first = forward()
        return self.first.with_body(self.edit(self.first.body))


def sub(pattern: str, replacement: str, *, count: int = 0) -> Callable[[bytes], bytes]:
    """Edit a listing's XML with a regular expression."""

    def edit(body: bytes) -> bytes:
        return re.sub(pattern.encode(), replacement.encode(), body, count=count)

    return edit


def edits(*steps: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """Apply several edits in turn."""

    def edit(body: bytes) -> bytes:
        for step in steps:
            body = step(body)
        return body

    return edit


def undo_url_encoding(body: bytes) -> bytes:
    """Serve keys as a store that ignores encoding-type=url does: as they are, and no EncodingType said."""
    body = body.replace(b"<EncodingType>url</EncodingType>", b"")
    return re.sub(
        rb"<Key>([^<]*)</Key>", lambda key: b"<Key>" + unquote_plus(key.group(1).decode()).encode() + b"</Key>", body
    )


def truncated(token: Callable[[int], str] | None) -> Callable[[bytes], bytes]:
    """Say every page is truncated, with ``token(page number)`` as the next one, or no token at all."""
    pages = iter(range(1, 1_000_000))

    def edit(body: bytes) -> bytes:
        body = body.replace(b"<IsTruncated>false</IsTruncated>", b"<IsTruncated>true</IsTruncated>")
        if token is None:
            return body
        element = f"<NextContinuationToken>{token(next(pages))}</NextContinuationToken>"
        return body.replace(b"</ListBucketResult>", f"{element}</ListBucketResult>".encode())

    return edit


def compose(outer: Behaviour, inner: Behaviour) -> Behaviour:
    """Let ``outer`` answer first, with ``inner`` standing in for the server behind it."""

    def behaviour(request: Request, forward: Forward) -> Reply:
        return outer(request, lambda: inner(request, forward))

    return behaviour


def trickle(seconds: float) -> Behaviour:
    """Send the server's answer a byte at a time."""

    def behaviour(_: Request, forward: Forward) -> Reply:
        return replace(forward(), trickle=seconds)

    return behaviour


def on_object_get(answer: Callable[[Request, Forward], Reply]) -> Behaviour:
    """Answer a GET of an object (not a listing) with ``answer``; everything else passes."""

    def behaviour(request: Request, forward: Forward) -> Reply:
        if request.method == "GET" and not request.is_listing and urlsplit(request.target).path.count("/") >= 2:
            return answer(request, forward)
        return forward()

    return behaviour


def kms_denied(_: Request, __: Forward) -> Reply:
    return xml_error(
        403,
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: kms:Decrypt on the resource "
        "associated with this ciphertext because no identity-based policy allows the kms:Decrypt action",
    )


def archived(_: Request, __: Forward) -> Reply:
    return xml_error(
        403, "InvalidObjectState", "The operation is not valid for the object's storage class", StorageClass="GLACIER"
    )


def requester_pays(request: Request, forward: Forward) -> Reply:
    if request.headers.get("x-amz-request-payer") == "requester":
        return forward()
    return xml_error(403, "AccessDenied", "Access Denied")


def echoes_the_request(request: Request, _: Forward) -> Reply:
    """A broken gateway that quotes the whole request, signature and all, in its error."""
    url = f"http://{request.headers.get('host')}{request.target}"
    authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/x, Signature=f00d"
    quoted = f"cannot route GET {request.target} ({url}); Authorization: {authorization}"
    return xml_error(400, "InvalidRequest", quoted.replace("&", "&amp;"))


def clock_ahead(seconds: float) -> Behaviour:
    """S3 with a clock that many seconds ahead (behind, if negative): its Date says so, and it judges URLs by it.

    A URL is refused once it has expired by S3's clock, and, as AWS and MinIO do, before it was signed by S3's
    clock with 15 minutes' grace.
    """

    def behaviour(request: Request, forward: Forward) -> Reply:
        now = time.time() + seconds
        signed = request.query.get("X-Amz-Date")
        if signed is not None:
            issued = calendar.timegm(time.strptime(signed, "%Y%m%dT%H%M%SZ"))
            refusal = None
            if issued + int(request.query.get("X-Amz-Expires", "0")) < now:
                refusal = "Request has expired"
            elif issued > now + 900:
                refusal = "Request is not yet valid"
            if refusal is not None:
                return xml_error(403, "AccessDenied", refusal).with_headers({"Date": _http_date(now)})
        return forward().with_headers({"Date": _http_date(now)})

    return behaviour


def a_console_that_honours_range(request: Request, _: Forward) -> Reply:
    """A web console serving its page for every path, as Go's http.ServeContent does: 206 to a Range request."""
    page = b"<!doctype html><html><head><title>Console</title></head><body>Sign in</body></html>"
    if request.headers.get("range") == "bytes=0-0":
        headers = [("Content-Type", "application/x-tar"), ("Content-Range", f"bytes 0-0/{len(page)}")]
        return Reply(206, headers).with_body(page[:1])
    return Reply(200, [("Content-Type", "application/x-tar")]).with_body(page)


def ignores_range(request: Request, forward: Forward) -> Reply:
    """A store that answers a Range request with the whole object, as HTTP allows: the header is not signed."""
    request.headers.pop("range", None)
    return forward()


def a_web_page(_: Request, __: Forward) -> Reply:
    """A web console or a single sign-on page where the store was meant to be: 200 to everything."""
    page = b"<!doctype html><html><head><title>Console</title></head><body>Sign in</body></html>"
    return Reply(200, [("Content-Type", "text/html")]).with_body(page)


def quotes_the_session_token(request: Request, _: Forward) -> Reply:
    """A gateway whose error spells out the session token it was given."""
    token = request.query.get("X-Amz-Security-Token")
    return xml_error(400, "InvalidRequest", f"the session token {token} is unknown")


def names_a_new_region_each_time() -> Behaviour:
    """A broken front end that names another region for the bucket on every answer."""
    regions = iter(f"eu-west-{n}" for n in range(1, 1_000_000))

    def behaviour(_: Request, __: Forward) -> Reply:
        region = next(regions)
        return xml_error(400, "AuthorizationQueryParametersError", "wrong region", Region=region).with_headers(
            {"x-amz-bucket-region": region}
        )

    return behaviour


def _http_date(moment: float) -> str:
    return email.utils.formatdate(moment, usegmt=True)


class CachesByPath:
    """A caching proxy keyed by the path alone, query ignored, as nginx with proxy_cache_bypass $http_range:

    a request without Range is served from the store; a ranged one goes through, fetching the whole object
    (Range is not signed, so it can be dropped), and its answer is stored for the next plain request.
    """

    def __init__(self) -> None:
        self.cache: dict[str, Reply] = {}

    def __call__(self, request: Request, forward: Forward) -> Reply:
        path = urlsplit(request.target).path
        if request.method != "GET":
            return forward()
        if request.headers.pop("range", None) is None and path in self.cache:
            return self.cache[path]
        self.cache[path] = forward()
        return self.cache[path]


def an_empty_object_for_anyone(request: Request, _: Forward) -> Reply:
    """A store that checks no signature, holding an empty object: 416 to a Range request, else 200 and no bytes."""
    if "range" in request.headers:
        return xml_error(416, "InvalidRange", "The requested range is not satisfiable")
    return Reply(200, [("Content-Type", "application/octet-stream")]).with_body(b"")
