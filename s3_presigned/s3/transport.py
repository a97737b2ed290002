"""HTTP to S3 through botocore's own session, with a bound on every answer, retries, and no redirect followed."""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import time
from collections.abc import Mapping
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

from botocore.awsrequest import AWSRequest
from botocore.exceptions import (
    BotoCoreError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ProxyConnectionError,
    ReadTimeoutError,
    SSLError,
)
from botocore.httpsession import URLLib3Session
from urllib3.exceptions import HTTPError as URLLib3Error
from urllib3.exceptions import TimeoutError as URLLib3TimeoutError

from s3_presigned.core.deadline import TimeUp, shortened, time_limit
from s3_presigned.core.failures.connections import (
    CaBundleUnreadable,
    ConnectionClosed,
    ConnectionFailure,
    NotConnected,
    PlainHttp,
    ProxyFailed,
    ProxyFailure,
    ProxyUnreachable,
    TlsFailure,
    TooSlow,
    UntrustedCertificate,
    WrongHost,
)
from s3_presigned.s3.answers import Answer
from s3_presigned.s3.facts import DEFAULT_PORTS
from s3_presigned.s3.proxies import environ_proxies, proxies_for, proxy_origin, proxy_variable
from s3_presigned.s3.sigv4 import host_header
from s3_presigned.s3.trust import Trust

CONNECT_TIMEOUT = 5
ANSWER_SECONDS = 10  # for one attempt: connecting, and every byte of the headers and of the body read
ANSWER_VARIABLE = "S3_PRESIGNED_ANSWER_SECONDS"  # where a test shortens it
MAX_ATTEMPTS = 3
BACKOFF_SECONDS = (0.5, 1.0)  # before the second and the third attempt
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
ERROR_BODY_LIMIT = 64 * 1024  # an error is a few hundred bytes of XML; a proxy's page may be more
PAGE_LIMIT = 16 * 1024 * 1024  # a listing page of 1,000 keys of 1,024 bytes is about 1.5 MiB


class Transport:
    """Sends GET requests the way botocore would: its TLS settings, the proxies set for each host, its HTTP stack.

    :param trust: The CAs to trust.
    :param environ: The step's environment, which sets the proxies, ``AWS_CA_BUNDLE`` and a test's shorter bound.
    """

    def __init__(self, trust: Trust, environ: Mapping[str, str]) -> None:
        self._trust = trust
        self._environ = environ
        self._proxies = environ_proxies(environ)  # read once: the step's environment does not change
        self._seconds = shortened(ANSWER_SECONDS, ANSWER_VARIABLE, environ)
        # One session for each set of proxies: NO_PROXY may name endpoint and not public_endpoint, or the reverse.
        self._sessions: dict[tuple[tuple[str, str], ...], URLLib3Session] = {}
        self._routes: dict[str, str] = {}

    def _session_for(self, url: str) -> URLLib3Session:
        """Give the session that sends to the URL's host through the proxies the environment sets for it."""
        proxies = proxies_for(url, self._proxies)
        key = tuple(sorted(proxies.items()))
        if key not in self._sessions:
            self._sessions[key] = URLLib3Session(
                verify=self._trust.verify,  # type: ignore[arg-type]  # botocore takes a CA bundle's path too
                proxies=proxies,
                # botocore takes a (connect, read) pair as well as one number
                timeout=(CONNECT_TIMEOUT, self._seconds),  # type: ignore[arg-type]
                max_pool_connections=1,
            )
        return self._sessions[key]

    def route(self, signed_for: str, through: str) -> None:
        """Send what is signed for one origin to another, with the first's Host, as a proxy that keeps Host does.

        A bucket's virtual host under the first origin's host goes the same way.

        :param signed_for: The scheme, host and port a link is signed for, as :func:`origin` writes them.
        :param through: The scheme, host and port to connect to instead.
        """
        self._routes[signed_for] = through

    def _routed(self, url: str) -> str:
        """Where to send a URL: to the origin it is routed through, if any, with a virtual host's bucket too."""
        parts = urlsplit(url)
        for signed_for, through in self._routes.items():
            base = urlsplit(signed_for)
            if parts.scheme == base.scheme and (
                parts.netloc == base.netloc or parts.netloc.endswith(f".{base.netloc}")
            ):
                return through + url[len(origin(url)) :]
        return url

    def reaches(self, url: str) -> bool:
        """Whether a connection to the URL's host and port opens, directly or through the environment's proxy."""
        parts = urlsplit(url)
        if parts.scheme in proxies_for(url, self._proxies):
            return True  # the proxy is tried as it is for every request, and named if it fails
        port = parts.port or DEFAULT_PORTS[parts.scheme]
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=CONNECT_TIMEOUT):
                return True
        except OSError:
            return False

    def send(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        *,
        body_limit: int = ERROR_BODY_LIMIT,
        form: bytes | None = None,
    ) -> Answer:
        """Send a GET, or a POST of a form, retrying what may pass; return the last answer, whatever its status.

        Redirects are returned as they are: where they lead is for the caller to judge.

        :param url: A presigned URL.
        :param headers: Unsigned headers to send, such as ``Range``.
        :param body_limit: How many bytes of a successful body to read (one more is read, to tell a body that
            was cut); errors read at most their own limit.
        :param form: A ``multipart/form-data`` body to POST, its boundary in ``headers``; ``None`` for a GET.
        :raises ConnectionFailure: If no attempt got an answer; it names the endpoint, never the URL.
        """
        # The Host header curl and browsers derive from the link, not urllib3's: it lower-cases the host, and
        # the signature holds the Host header, so a proof sent otherwise could pass where the link fails.
        parts = urlsplit(url)
        headers = {"Host": host_header(parts.scheme, parts.netloc)} | (headers or {})
        url = self._routed(url)
        problem: ConnectionFailure | None = None
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                time.sleep(BACKOFF_SECONDS[attempt - 1])
            answer = self._try(url, headers, body_limit, form)
            if isinstance(answer, ConnectionFailure):
                problem = answer
            elif answer.status not in RETRIED_STATUSES or attempt == MAX_ATTEMPTS - 1:
                return answer
        raise cast("ConnectionFailure", problem)  # the last attempt got no answer, or it was returned

    def _try(
        self, url: str, headers: dict[str, str], body_limit: int, form: bytes | None
    ) -> Answer | ConnectionFailure:
        """Make one attempt, within the bound: its answer, or what went wrong, which another attempt may mend.

        :raises TlsFailure: If TLS failed, which no attempt mends.
        """
        try:
            with time_limit(self._seconds, f"the answer from {origin(url)}"):
                return self._attempt(url, headers, body_limit, form)
        except TimeUp:
            return self._late(url)
        except SSLError as error:
            raise self._tls_problem(error, url) from None
        except (BotoCoreError, URLLib3Error, OSError) as error:
            return self._problem(error, url)

    def _late(self, url: str) -> TooSlow:
        return TooSlow(origin(url), self._seconds, MAX_ATTEMPTS)

    def _tls_problem(self, error: SSLError, url: str) -> TlsFailure:
        """Name why TLS failed, which no retry mends, and what to set."""
        address = origin(url)
        unreadable = unreadable_ca_bundle(
            self._trust.verify if isinstance(self._trust.verify, str) else None, self._environ
        )
        if unreadable is not None:
            return CaBundleUnreadable(address, *unreadable)
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS["https"]
        if (
            parts.scheme not in proxies_for(url, self._proxies)
            and parts.hostname
            and _answers_in_plain_http(parts.hostname, port)
        ):
            plain = f"http://{parts.netloc}" if parts.port else f"http://{parts.netloc}:{port}"
            return PlainHttp(address, plain)
        reason = tls_reason(error)
        if "mismatch" in reason or "doesn't match" in reason:  # as ssl and urllib3 word a certificate for another host
            return WrongHost(address, reason)
        return UntrustedCertificate(address, reason, self._trust.setting)

    def _problem(self, error: Exception, url: str) -> ConnectionFailure:
        """Name what went wrong with an attempt that got no answer, which may pass on another attempt."""
        address = origin(url)
        if isinstance(error, ProxyConnectionError):
            return self._proxy_problem(error, url)
        if isinstance(error, EndpointConnectionError):
            return NotConnected(address, MAX_ATTEMPTS)
        if isinstance(error, ConnectTimeoutError | ReadTimeoutError):
            return self._late(url)
        return ConnectionClosed(address, MAX_ATTEMPTS)

    def _proxy_problem(self, error: ProxyConnectionError, url: str) -> ProxyFailure:
        """Name the proxy, and the variable that set it, rather than the endpoint behind it."""
        parts = urlsplit(url)
        proxy = proxies_for(url, self._proxies).get(parts.scheme, "")
        named = (origin(url), proxy_origin(proxy), proxy_variable(parts.scheme, proxy, self._environ), MAX_ATTEMPTS)
        cause = error.kwargs.get("error")
        original = getattr(cause, "original_error", cause)
        # Refused, or silent: urllib3 reports a connection it gave up on as a timeout.
        if isinstance(original, URLLib3TimeoutError):
            return ProxyUnreachable(*named, parts.hostname or "")
        return ProxyFailed(*named, str(original))

    def _attempt(self, url: str, headers: dict[str, str], body_limit: int, form: bytes | None) -> Answer:
        method = "GET" if form is None else "POST"
        request = AWSRequest(method=method, url=url, headers=headers, data=form, stream_output=True).prepare()
        response = self._session_for(url).send(request)
        try:
            limit = body_limit if 200 <= response.status_code < 300 else ERROR_BODY_LIMIT  # noqa: PLR2004  # success
            # One byte past the limit tells a body that was cut from one that fitted.
            body = response.raw.read(limit + 1, decode_content=True) if limit else b""
        finally:
            if response.raw.isclosed():
                response.raw.release_conn()  # read to its end: the connection can serve the next page
            else:
                response.raw.close()
        return Answer(
            status=response.status_code,
            reason=response.raw.reason or "",
            headers={name.lower(): value for name, value in response.headers.items()},
            body=body or b"",
        )


def tls_reason(error: SSLError) -> str:
    """Say why a TLS handshake failed, as ssl says it, such as ``certificate verify failed``."""
    return str(error.kwargs.get("error", "")) or "the handshake failed"


def unreadable_ca_bundle(bundle: str | None, environ: Mapping[str, str]) -> tuple[str, str, bool] | None:
    """Find a CA bundle that cannot be read, which TLS would report as a handshake that failed.

    :param bundle: The path botocore's ``verify`` takes, if it is one.
    :param environ: The step's environment, to tell whether ``AWS_CA_BUNDLE`` named the bundle.
    :returns: The setting that names it, the bundle and whether it exists, or ``None`` if it can be read or there
        is none.
    """
    if bundle is None or os.access(bundle, os.R_OK):
        return None
    # The source's own CA bundle is a file the step wrote: only the environment or the AWS config names a missing one.
    setting = "AWS_CA_BUNDLE" if environ.get("AWS_CA_BUNDLE") == bundle else "ca_bundle in the AWS config"
    return setting, bundle, Path(bundle).exists()


def _answers_in_plain_http(host: str, port: int) -> bool:
    """Whether the server answers a TLS handshake in plain HTTP: an http:// endpoint written as https://."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only the server's first bytes are read; nothing is sent after them
    outgoing = ssl.MemoryBIO()
    with contextlib.suppress(ssl.SSLWantReadError):  # the ClientHello is written, and the answer awaited
        context.wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname=host).do_handshake()
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT) as connection:
            connection.sendall(outgoing.read())
            return connection.makefile("rb").read(5) == b"HTTP/"
    except OSError:
        return False


def origin(url: str) -> str:
    """Write the scheme, host and port of a URL, as written."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
