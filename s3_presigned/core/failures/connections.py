"""No answer came: the endpoint, a proxy or TLS failed; each line names the address, never a link."""

from __future__ import annotations

from s3_presigned.core.failures.base import Cause


class ConnectionFailure(Cause):
    """No attempt got an answer from ``address``, such as ``https://s3.example.com:9000``."""

    address: str


class NotConnected(ConnectionFailure):
    """Nothing took the connection."""

    attempts: int
    template = "could not connect to {address} after {attempts} attempts"


class TooSlow(ConnectionFailure):
    """No answer came in full within the bound of an attempt."""

    seconds: float
    attempts: int
    template = "{address} did not answer in full within {seconds:g} s, {attempts} attempts"


class ConnectionClosed(ConnectionFailure):
    """The server closed the connection before it answered."""

    attempts: int
    template = "{address} closed the connection before answering, {attempts} attempts"


class ProxyFailure(ConnectionFailure):
    """The proxy the environment names failed; ``proxy`` is its address, ``variable`` the setting that named it."""

    proxy: str
    variable: str
    attempts: int


class ProxyUnreachable(ProxyFailure):
    """The proxy refused the connection, or never answered; ``host`` may be added to ``NO_PROXY``."""

    host: str
    template = (
        "could not connect to the proxy {proxy} ({variable}) after {attempts} attempts; check it, or add {host} "
        "to NO_PROXY"
    )


class ProxyFailed(ProxyFailure):
    """The proxy answered, but did not reach the address; ``reason`` is what the connection said."""

    reason: str
    template = "the proxy {proxy} ({variable}) did not reach {address} ({reason}), {attempts} attempts"


def unreadable_bundle(setting: str, bundle: str, *, exists: bool) -> str:
    """Word a CA bundle that cannot be read, which TLS would report as a handshake that failed."""
    state = "cannot be read" if exists else "does not exist"
    return f"{setting} names {bundle}, which {state}; point it at a PEM file of the CAs to trust, or unset it"


class TlsFailure(ConnectionFailure):
    """TLS with the address failed, which no attempt mends."""


class CaBundleUnreadable(TlsFailure):
    """The CA bundle ``setting`` names (``AWS_CA_BUNDLE``, or the AWS config's) cannot be read."""

    setting: str
    bundle: str
    exists: bool

    def _words(self) -> str:
        return f"TLS with {self.address} could not start: " + unreadable_bundle(
            self.setting, self.bundle, exists=self.exists
        )


class PlainHttp(TlsFailure):
    """The address answers a TLS handshake in plain HTTP: an ``http://`` endpoint written as ``https://``."""

    plain: str
    template = "{address} speaks plain HTTP, not TLS; set source.endpoint to {plain}"


class CertificateRefused(TlsFailure):
    """The certificate was not accepted; ``reason`` is as ssl says it, such as ``certificate verify failed``."""

    reason: str

    def _words(self) -> str:
        return f"TLS with {self.address} failed ({self.reason}); {self.remedy}"

    @property
    def remedy(self) -> str:
        """What to set."""
        return self.template.format(**vars(self))


class WrongHost(CertificateRefused):
    """The certificate names another host."""

    template = "the certificate does not name the host in {address}; set source.endpoint to a name it holds"


class UntrustedCertificate(CertificateRefused):
    """No CA the step trusts signed the certificate; ``trusted`` names the setting of the CAs, if one was set."""

    trusted: str | None

    @property
    def remedy(self) -> str:
        """What to set: the CA to trust, or the one that did not sign the certificate."""
        if self.trusted is None:
            return "set source.ca_bundle to the CA that signed its certificate"
        return f"the certificate is not signed by the CA in {self.trusted}"
