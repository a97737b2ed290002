"""SigV4 query signing for a batch of keys, modelled on a URL botocore signed and checked against it."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote, unquote, urlsplit

from s3_presigned.s3.facts import DEFAULT_PORTS

_ALGORITHM = "AWS4-HMAC-SHA256"
_UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


class BatchSigner:
    """Signs more keys exactly as botocore signed one, reusing its time, scope, query and signing key.

    botocore stays the authority: it resolves the credentials, the endpoint and the host, and signs the
    first URL. Every other key in the batch differs from that URL only in its path and signature, so
    those are computed here, in a few microseconds instead of botocore's few hundred. :attr:`agrees`
    says whether this signer reproduces botocore's first URL byte for byte; when it does not, the
    caller must sign every key with botocore instead.

    :param first_url: The URL botocore signed.
    :param first_key: The key that URL was signed for.
    :param method: The HTTP method it was signed for, ``GET`` or ``PUT``.
    :param secret_key: The secret key it was signed with.
    :param headers: Signed headers other than ``host``, such as ``content-type`` for an upload.
    """

    def __init__(self, first_url: str, first_key: str, method: str, secret_key: str, headers: dict[str, str]) -> None:
        parts = urlsplit(first_url)
        self._query, _, _ = parts.query.rpartition("&X-Amz-Signature=")
        fields = dict(pair.partition("=")[::2] for pair in self._query.split("&"))
        timestamp = fields["X-Amz-Date"]
        # The access key may not contain '/', so the last four parts are the scope.
        scope_parts = unquote(fields["X-Amz-Credential"]).split("/")[-4:]
        date, region, service, _ = scope_parts
        encoded_key = _encode_key(first_key)
        self._path_prefix = parts.path[: -len(encoded_key)] if parts.path.endswith(encoded_key) else ""
        self._origin = f"{parts.scheme}://{parts.netloc}"
        signed = {"host": host_header(parts.scheme, parts.netloc)} | {
            name.lower(): value for name, value in headers.items()
        }
        canonical_headers = "".join(f"{name}:{' '.join(signed[name].split())}\n" for name in sorted(signed))
        canonical_query = "&".join(
            f"{key}={value}" for key, value in sorted(p.partition("=")[::2] for p in self._query.split("&"))
        )
        self._method = method
        self._canonical_tail = (
            f"\n{canonical_query}\n{canonical_headers}\n{';'.join(sorted(signed))}\n{_UNSIGNED_PAYLOAD}"
        )
        self._string_to_sign_head = f"{_ALGORITHM}\n{timestamp}\n{'/'.join(scope_parts)}\n"
        self._signing_key = _signing_key(secret_key, date, region, service)
        self.agrees = bool(self._path_prefix) and self.url(first_key) == first_url

    def url(self, key: str) -> str:
        """Sign the URL for one more key."""
        path = self._path_prefix + _encode_key(key)
        canonical_request = f"{self._method}\n{path}{self._canonical_tail}"
        digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
        signature = hmac.new(self._signing_key, (self._string_to_sign_head + digest).encode("utf-8"), hashlib.sha256)
        return f"{self._origin}{path}?{self._query}&X-Amz-Signature={signature.hexdigest()}"


def _encode_key(key: str) -> str:
    # As botocore renders the greedy {Key+} label of S3's REST paths.
    return quote(key, safe="/~")


def host_header(scheme: str, netloc: str) -> str:
    """Derive the Host header from a URL's host and port as written, without a default port, as curl does."""
    host, _, port = netloc.rpartition(":")
    if host and port.isdigit() and int(port) == DEFAULT_PORTS.get(scheme):
        return host
    return netloc


def _signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret_key}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key
