"""The identity that signs: the source's keys, botocore's credential chain, or a role assumed through STS."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, cast

import botocore.session
from botocore import UNSIGNED
from botocore.config import Config
from botocore.credentials import Credentials, ReadOnlyCredentials
from botocore.exceptions import BotoCoreError, ClientError, SSLError

from s3_presigned.core.failures.credentials import (
    ChainFailed,
    NoCredentials,
    NoSigningKeys,
    NotSts,
    ProviderAnswerUnreadable,
    RoleFailure,
    StsCaBundleUnreadable,
    StsFailed,
    StsRefused,
    StsUntrusted,
)
from s3_presigned.s3.connection import Keys, Role
from s3_presigned.s3.facts import ROLE_MAX_SECONDS, ROLE_MIN_SECONDS
from s3_presigned.s3.shape import ServerText
from s3_presigned.s3.transport import CONNECT_TIMEOUT, MAX_ATTEMPTS, tls_reason, unreadable_ca_bundle

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_sts.client import STSClient
    from mypy_boto3_sts.type_defs import AssumeRoleResponseTypeDef

    from s3_presigned.core.context import StepContext
    from s3_presigned.core.gate import Knowledge


ROLE_SLACK_SECONDS = 60  # the session must still cover the URL once the round trip to STS is over
STS_READ_TIMEOUT = 10


class SigningIdentity(NamedTuple):
    """Credentials ready for signing, with the time they stop working if they are temporary."""

    credentials: ReadOnlyCredentials
    expires_at: datetime.datetime | None
    origin: str

    @property
    def described(self) -> str:
        """Name the credentials for a message, such as ``the keys in source`` or ``the env credentials``."""
        return "the keys in source" if self.origin == "source" else f"the {self.origin} credentials"


def resolve_identity(
    keys: Keys | None,
    role: Role | None,
    session: botocore.session.Session,
    region: str,
    wanted_seconds: int,
    context: StepContext,
) -> SigningIdentity:
    """Find the credentials to sign with: the given keys, else the default chain; then assume the role, if any.

    With a web identity token, STS trades the token for the role's keys, and no other credentials are used.

    :param wanted_seconds: The expiry asked for, so that a role session is requested long enough to cover it.
    :param context: The step's environment, and what it knows is secret, which learns the keys once found.
    :raises CredentialsFailure: If no credentials can be found or the role cannot be assumed.
    """
    base = None
    if role is None or role.web_identity_token is None:
        base = _base_identity(keys, session)
        _remember(base, context.knowledge)
        if role is None:
            return base
    assumed = _assume_role(role, session, region, base, wanted_seconds, context.environ)
    _remember(assumed, context.knowledge)
    return assumed


def _base_identity(keys: Keys | None, session: botocore.session.Session) -> SigningIdentity:
    if keys is None:
        return _default_chain(session)
    frozen = Credentials(keys.access_key_id, keys.secret_access_key, keys.session_token).get_frozen_credentials()
    return SigningIdentity(frozen, None, "source")


def _remember(identity: SigningIdentity, knowledge: Knowledge) -> None:
    """Let the gate know the keys as soon as they are found, whatever happens next."""
    found = identity.credentials
    knowledge.remember(found.secret_key, found.token)
    knowledge.identify(found.access_key)


def _default_chain(session: botocore.session.Session) -> SigningIdentity:
    try:
        found = session.get_credentials()
        frozen = None if found is None else found.get_frozen_credentials()
    except BotoCoreError as error:
        # Its text may quote another program's, such as a credential process's: shown by its shape, as a server's is.
        raise ChainFailed(str(ServerText(str(error)))) from None
    # botocore reads what a credential_process prints without checking its shape, and fails inside, untyped.
    except (ValueError, TypeError, AttributeError, KeyError) as error:  # its message may quote what was printed
        raise ProviderAnswerUnreadable(type(error).__name__) from None
    if frozen is not None and not all(isinstance(part, str | None) for part in frozen):
        raise ProviderAnswerUnreadable("a key that is not text")
    if found is None or frozen is None or not frozen.access_key:
        raise NoCredentials
    # botocore exposes no public accessor for when refreshable credentials lapse.
    expiry = getattr(found, "_expiry_time", None)
    return SigningIdentity(frozen, expiry if isinstance(expiry, datetime.datetime) else None, found.method)


def _assume_role(
    role: Role,
    session: botocore.session.Session,
    region: str,
    base: SigningIdentity | None,
    wanted_seconds: int,
    environ: Mapping[str, str],
) -> SigningIdentity:
    """Assume the role with the base credentials, or, with none, by its web identity token, which STS takes unsigned."""
    sts = _sts_client(session, region, None if base is None else base.credentials)
    request: dict[str, str | int] = {
        "RoleArn": role.arn,
        "RoleSessionName": role.session_name,
        "DurationSeconds": min(max(wanted_seconds + ROLE_SLACK_SECONDS, ROLE_MIN_SECONDS), ROLE_MAX_SECONDS),
    }
    if role.external_id is not None:
        request["ExternalId"] = role.external_id
    if role.web_identity_token is not None:
        request["WebIdentityToken"] = role.web_identity_token
    assume = cast(
        "Callable[..., AssumeRoleResponseTypeDef]",
        sts.assume_role if role.web_identity_token is None else sts.assume_role_with_web_identity,
    )
    asked = (role.arn, role.web_identity_token is not None)
    try:
        response = _ask(assume, request)
    except (ClientError, SSLError, BotoCoreError, KeyError, ValueError, TypeError) as error:
        raise _sts_failure(asked, error, sts, session, environ) from None
    return _issued(response, asked, sts.meta.endpoint_url)


def _sts_client(session: botocore.session.Session, region: str, keys: ReadOnlyCredentials | None) -> STSClient:
    """Make the client that asks STS: signed with the base keys, or unsigned where a web identity token is traded."""
    config = Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=STS_READ_TIMEOUT,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    )
    if keys is None:
        config = config.merge(Config(signature_version=UNSIGNED))
    return cast(
        "STSClient",
        session.create_client(
            "sts",
            region_name=region,
            aws_access_key_id=None if keys is None else keys.access_key,
            aws_secret_access_key=None if keys is None else keys.secret_key,
            aws_session_token=None if keys is None else keys.token,
            config=config,
        ),
    )


def _ask(assume: Callable[..., AssumeRoleResponseTypeDef], request: dict[str, str | int]) -> AssumeRoleResponseTypeDef:
    """Ask STS for the role session; a role whose maximum session is shorter than asked gets its default hour."""
    try:
        return assume(**request)
    except ClientError as error:
        if "DurationSeconds" not in str(error.response.get("Error", {}).get("Message", "")):
            raise
    return assume(**{name: value for name, value in request.items() if name != "DurationSeconds"})


def _sts_failure(
    asked: tuple[str, bool],
    error: Exception,
    sts: STSClient,
    session: botocore.session.Session,
    environ: Mapping[str, str],
) -> RoleFailure:
    """Say why STS gave no role session, of an error botocore raised asking it."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        # STS's text is a server's: shown by its shape, as S3's is.
        code, message = (details.get("Code") or "an error", details.get("Message") or "no message")
        return StsRefused(*asked, str(ServerText(code)), str(ServerText(message)))
    if isinstance(error, SSLError):
        bundle = session.get_config_variable("ca_bundle")
        unreadable = unreadable_ca_bundle(bundle if isinstance(bundle, str) else None, environ)
        if unreadable is not None:
            setting, path, exists = unreadable
            return StsCaBundleUnreadable(*asked, setting, path, exists)
        return StsUntrusted(*asked, sts.meta.endpoint_url, tls_reason(error))
    if isinstance(error, BotoCoreError):
        return StsFailed(*asked, str(ServerText(str(error))))
    # botocore's parser, on an answer that is not STS's XML
    return NotSts(*asked, sts.meta.endpoint_url, type(error).__name__)


def _issued(response: AssumeRoleResponseTypeDef, asked: tuple[str, bool], endpoint: str) -> SigningIdentity:
    """Read the role session's keys from STS's answer, which must hold all of them to sign."""
    issued: Mapping[str, object] = response.get("Credentials", {})
    key, secret, token, expires_at = (
        issued.get(name) for name in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
    )
    if not (isinstance(key, str) and isinstance(secret, str) and isinstance(expires_at, datetime.datetime)):
        raise NoSigningKeys(*asked, endpoint)
    credentials = Credentials(key, secret, token if isinstance(token, str) else None)
    return SigningIdentity(credentials.get_frozen_credentials(), expires_at, "assumed role")
