"""No identity to sign with: the credential chain found none or failed, or STS gave no role session."""

from __future__ import annotations

from s3_presigned.core.failures.base import Cause
from s3_presigned.core.failures.connections import unreadable_bundle


class CredentialsFailure(Cause):
    """No credentials can sign."""


class NoCredentials(CredentialsFailure):
    """Neither the source nor the credential chain holds keys."""

    template = (
        "credentials: none found; set source.access_key_id and source.secret_access_key, "
        "or provide them through the environment, the AWS config, or an instance or task role"
    )


class ChainFailed(CredentialsFailure):
    """The credential chain failed; ``said`` may quote another program's text, so it is shown by its shape."""

    said: str
    template = "credentials: the AWS credential chain failed: {said}"


class ProviderAnswerUnreadable(CredentialsFailure):
    """A provider's answer, such as a credential_process's, could not be read; ``problem`` never quotes it."""

    problem: str
    template = (
        "credentials: the AWS credential chain failed: a provider's answer could not be read ({problem}); a "
        "credential_process must print one JSON object such as "
        '{{"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "..."}}'
    )


class RoleFailure(CredentialsFailure):
    """STS gave no session for the role ``arn``, assumed with the base keys or the web identity token."""

    arn: str
    web_identity: bool

    def _words(self) -> str:
        how = "assuming role with the web identity token," if self.web_identity else "assuming role"
        return f"{how} {self.arn}: {self.template.format(**vars(self))}"


class StsRefused(RoleFailure):
    """STS refused; ``code`` and ``message`` are its, shown by their shape."""

    code: str
    message: str
    template = "STS answered {code}: {message}"


class StsFailed(RoleFailure):
    """Asking STS failed; ``said`` is botocore's text, shown by its shape."""

    said: str
    template = "{said}"


class StsCaBundleUnreadable(RoleFailure):
    """The CA bundle ``setting`` names cannot be read, so TLS with STS cannot start."""

    setting: str
    bundle: str
    exists: bool

    def _words(self) -> str:
        return super()._words() + unreadable_bundle(self.setting, self.bundle, exists=self.exists)


class StsUntrusted(RoleFailure):
    """TLS with STS at ``endpoint`` failed; ``reason`` as ssl says it."""

    endpoint: str
    reason: str
    template = (
        "TLS with STS at {endpoint} failed ({reason}); STS is trusted through the system's CAs or AWS_CA_BUNDLE, "
        "not source.ca_bundle or skip_ssl_verification"
    )


class NotSts(RoleFailure):
    """What answered at ``endpoint`` is not STS's XML; ``problem`` names the parser's error type."""

    endpoint: str
    problem: str
    template = (
        "{endpoint} did not answer as STS does ({problem}); is AWS_ENDPOINT_URL_STS, or a proxy, pointing elsewhere?"
    )


class NoSigningKeys(RoleFailure):
    """STS at ``endpoint`` answered without the keys a session signs with."""

    endpoint: str
    template = "{endpoint} answered without credentials that can sign"
