"""HTTP to S3 through botocore's own session, with a bound on every answer, retries, and no redirect followed."""

from __future__ import annotations

import time
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
from botocore.utils import get_environ_proxies
from urllib3.exceptions import HTTPError as URLLib3Error

from s3_presigned.answers import Answer
from s3_presigned.deadline import TimeUp, time_limit
from s3_presigned.errors import ResourceError

CONNECT_TIMEOUT = 5
ANSWER_SECONDS = 10  # for one attempt: connecting, and every byte of the headers and of the body read
MAX_ATTEMPTS = 3
BACKOFF_SECONDS = (0.5, 1.0)  # before the second and the third attempt
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
ERROR_BODY_LIMIT = 64 * 1024  # an error is a few hundred bytes of XML; a proxy's page may be more
PAGE_LIMIT = 16 * 1024 * 1024  # a listing page of 1,000 keys of 1,024 bytes is about 1.5 MiB


class Transport:
    """Sends GET requests to one endpoint the way botocore would: its TLS settings, its proxies, its HTTP stack.

    :param verify: What botocore's ``verify`` takes: a flag, or the path of a CA bundle.
    :param endpoint: A URL of the endpoint, for the proxies the environment sets for it.
    """

    def __init__(self, verify: bool | str, endpoint: str) -> None:
        self._custom_ca = isinstance(verify, str)
        self._session = URLLib3Session(
            verify=verify,  # type: ignore[arg-type]  # botocore takes a CA bundle's path as well as a flag
            proxies=get_environ_proxies(endpoint),
            timeout=(CONNECT_TIMEOUT, ANSWER_SECONDS),  # type: ignore[arg-type]  # and a (connect, read) pair
            max_pool_connections=1,
        )

    def get(self, url: str, headers: dict[str, str] | None = None, *, body_limit: int = ERROR_BODY_LIMIT) -> Answer:
        """Send a GET, retrying what may pass; return the last answer, whatever its status.

        Redirects are returned as they are: where they lead is for the caller to judge.

        :param url: A presigned URL.
        :param headers: Unsigned headers to send, such as ``Range``.
        :param body_limit: How many bytes of a successful body to read (one more is read, to tell a body that
            was cut); errors read at most their own limit.
        :raises ResourceError: If no attempt got an answer; the message names the endpoint, never the URL.
        """
        origin = _origin(url)
        bound = f"the answer from {origin}"
        problem = ""
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                time.sleep(BACKOFF_SECONDS[attempt - 1])
            try:
                with time_limit(ANSWER_SECONDS, bound):
                    answer = self._attempt(url, headers or {}, body_limit)
            except TimeUp as up:
                if up.what != bound:
                    raise  # the step's own limit: nothing is retried past it
                problem = f"{origin} did not answer in full within {ANSWER_SECONDS} s, {MAX_ATTEMPTS} attempts"
            except SSLError as error:
                raise ResourceError(_tls_problem(error, origin, custom_ca=self._custom_ca)) from None
            except (BotoCoreError, URLLib3Error, OSError) as error:
                problem = _problem(error, origin)
            else:
                if answer.status not in RETRIED_STATUSES or attempt == MAX_ATTEMPTS - 1:
                    return answer
        raise ResourceError(problem)

    def _attempt(self, url: str, headers: dict[str, str], body_limit: int) -> Answer:
        request = AWSRequest(method="GET", url=url, headers=headers, stream_output=True).prepare()
        response = self._session.send(request)
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


def _tls_problem(error: SSLError, origin: str, *, custom_ca: bool) -> str:
    """Name why TLS failed, which no retry mends, and what to set."""
    reason = tls_reason(error)
    if "mismatch" in reason or "doesn't match" in reason:  # as ssl and urllib3 word a certificate for another host
        remedy = f"the certificate does not name the host in {origin}; set source.endpoint to a name it holds"
    elif custom_ca:
        remedy = "the certificate is not signed by the CA in source.ca_bundle (or AWS_CA_BUNDLE)"
    else:
        remedy = "set source.ca_bundle to the CA that signed its certificate"
    return f"TLS with {origin} failed ({reason}); {remedy}"


def _problem(error: Exception, origin: str) -> str:
    """Name what went wrong with an attempt that got no answer, which may pass on another attempt."""
    if isinstance(error, EndpointConnectionError | ProxyConnectionError):
        return f"could not connect to {origin} after {MAX_ATTEMPTS} attempts"
    if isinstance(error, ConnectTimeoutError | ReadTimeoutError):
        return f"{origin} did not answer in full within {ANSWER_SECONDS} s, {MAX_ATTEMPTS} attempts"
    return f"{origin} closed the connection before answering, {MAX_ATTEMPTS} attempts"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
