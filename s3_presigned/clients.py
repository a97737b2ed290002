"""botocore clients for the source: region, credentials, role assumption and the S3 client itself."""

from __future__ import annotations

import contextlib
import datetime
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import botocore.session
from botocore.config import Config
from botocore.credentials import Credentials, ReadOnlyCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
    SSLError,
)
from botocore.loaders import Loader

from s3_presigned.errors import ConfigError, ResourceError, one_line

if TYPE_CHECKING:
    from s3_presigned.config import Role, Source

DEFAULT_STORE_REGION = "us-east-1"  # what S3-compatible stores expect when no region is given
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
MAX_ATTEMPTS = 3
ROLE_MIN_SECONDS = 900  # STS's shortest role session
ROLE_MAX_SECONDS = 43200  # STS's longest role session
ROLE_SLACK_SECONDS = 60  # the session must still cover the URL once the round trip to STS is over


@dataclass(frozen=True)
class SigningIdentity:
    """Credentials ready for signing, with the time they stop working if they are temporary."""

    credentials: ReadOnlyCredentials
    expires_at: datetime.datetime | None
    origin: str

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values that must never be printed."""
        return tuple(s for s in (self.credentials.secret_key, self.credentials.token) if s)


# Every service the step may call: S3, STS for roles, and what the credential chain may call.
SERVICES = ("s3", "sts", "sso", "sso-oidc", "signin")


class KnownServicesLoader(Loader):
    """Loads botocore's models as usual, but without first listing the directories of every AWS service."""

    def list_available_services(self, type_name: str) -> list[str]:  # noqa: ARG002  # the same for every type
        """Name the services this resource calls; botocore lists them only to check a client's name."""
        return list(SERVICES)


def new_session() -> botocore.session.Session:
    """Return a botocore session that reads the environment and AWS config files as the AWS CLI does."""
    session = botocore.session.Session()
    data_path = session.get_config_variable("data_path")
    session.register_component(
        "data_loader", KnownServicesLoader(extra_search_paths=data_path.split(os.pathsep) if data_path else [])
    )
    return session


def resolve_region(source: Source, session: botocore.session.Session) -> str:
    """Pick the region: the source's, else us-east-1 for a custom endpoint, else the AWS config or environment.

    :raises ConfigError: If no region can be found for AWS.
    """
    if source.region is not None:
        return source.region
    if source.endpoint is not None:
        return DEFAULT_STORE_REGION
    # botocore reads only AWS_DEFAULT_REGION; AWS_REGION is what the other AWS SDKs and runtimes set.
    region = os.environ.get("AWS_REGION") or session.get_config_variable("region")
    if not region:
        raise ConfigError(
            "source.region",
            "no region is set here, in AWS_REGION or AWS_DEFAULT_REGION, or in the AWS config; please specify region",
        )
    return str(region)


def client_config(source: Source) -> Config:
    """Build the botocore configuration: bounded timeouts and retries, and the addressing style."""
    style: Literal["auto", "virtual", "path"] = "path" if source.addressing_style == "path" else "virtual"
    if source.addressing_style == "auto":
        # botocore's "auto" signs some regions against the global s3.amazonaws.com host; S3-compatible
        # stores rarely serve virtual hosts. A bucket with dots still falls back to path style.
        style = "path" if source.endpoint is not None else "virtual"
    return Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        signature_version="s3v4",
        s3={"addressing_style": style, "us_east_1_regional_endpoint": "regional"},
    )


def resolve_identity(
    source: Source, session: botocore.session.Session, region: str, wanted_seconds: int, tls_verify: bool | str
) -> SigningIdentity:
    """Find the credentials to sign with: the source's keys, else the default chain; then assume the role, if any.

    :param wanted_seconds: The expiry asked for, so that a role session is requested long enough to cover it.
    :param tls_verify: What botocore's ``verify`` takes: a flag, or the path of a CA bundle.
    :raises ResourceError: If no credentials can be found or the role cannot be assumed.
    """
    if source.credentials is not None:
        static = source.credentials
        base = Credentials(
            static.access_key_id, static.secret_access_key, static.session_token
        ).get_frozen_credentials()
        identity = SigningIdentity(base, None, "source")
    else:
        identity = _default_chain(session)
    if source.role is None:
        return identity
    return _assume_role(source.role, source, session, region, identity, wanted_seconds, tls_verify)


def _default_chain(session: botocore.session.Session) -> SigningIdentity:
    try:
        found = session.get_credentials()
        frozen = None if found is None else found.get_frozen_credentials()
    except BotoCoreError as error:
        raise ResourceError(f"credentials: the AWS credential chain failed: {error}") from None
    if found is None or frozen is None or not frozen.access_key:
        raise ResourceError(
            "credentials: none found; set source.access_key_id and source.secret_access_key, "
            "or provide them through the environment, the AWS config, or an instance or task role"
        )
    # botocore exposes no public accessor for when refreshable credentials lapse.
    expiry = getattr(found, "_expiry_time", None)
    return SigningIdentity(frozen, expiry if isinstance(expiry, datetime.datetime) else None, found.method)


def _assume_role(
    role: Role,
    source: Source,
    session: botocore.session.Session,
    region: str,
    base: SigningIdentity,
    wanted_seconds: int,
    tls_verify: bool | str,
) -> SigningIdentity:
    sts: Any = session.create_client(
        "sts",
        region_name=region,
        aws_access_key_id=base.credentials.access_key,
        aws_secret_access_key=base.credentials.secret_key,
        aws_session_token=base.credentials.token,
        config=client_config(source),
        verify=tls_verify,
    )
    request: dict[str, Any] = {
        "RoleArn": role.arn,
        "RoleSessionName": role.session_name,
        "DurationSeconds": min(max(wanted_seconds + ROLE_SLACK_SECONDS, ROLE_MIN_SECONDS), ROLE_MAX_SECONDS),
    }
    if role.external_id is not None:
        request["ExternalId"] = role.external_id
    where = f"assuming role {role.arn}"
    with translate_errors(where, secrets=base.secrets):
        try:
            response = sts.assume_role(**request)
        except ClientError as error:
            # A role whose maximum session is shorter than asked refuses the request; its default hour still works.
            if "DurationSeconds" not in str(error.response.get("Error", {}).get("Message", "")):
                raise
            del request["DurationSeconds"]
            response = sts.assume_role(**request)
    issued = response["Credentials"]
    credentials = Credentials(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])
    return SigningIdentity(credentials.get_frozen_credentials(), issued["Expiration"], "assumed role")


def create_s3_client(
    source: Source, session: botocore.session.Session, region: str, identity: SigningIdentity, tls_verify: bool | str
) -> Any:  # noqa: ANN401  # botocore builds the client class at run time
    """Create the S3 client that checks objects and signs URLs."""
    return session.create_client(
        "s3",
        region_name=region,
        endpoint_url=source.endpoint,
        aws_access_key_id=identity.credentials.access_key,
        aws_secret_access_key=identity.credentials.secret_key,
        aws_session_token=identity.credentials.token,
        config=client_config(source),
        verify=tls_verify,
    )


@contextlib.contextmanager
def translate_errors(
    where: str, secrets: tuple[str, ...] = (), statuses: dict[int, str] | None = None
) -> Iterator[None]:
    """Turn botocore's exceptions into one-line errors that say where the call went, never what it carried.

    :param where: What was being done, such as ``checking s3://bucket/key``.
    :param secrets: Values to keep out of the message.
    :param statuses: Messages for HTTP statuses that mean something specific to this call.
    """
    try:
        yield
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if statuses and status in statuses:
            raise ResourceError(statuses[status]) from None
        details = error.response.get("Error", {})
        code = details.get("Code") or str(status)
        message = details.get("Message") or "no message"
        raise ResourceError(one_line(f"{where}: S3 answered {code}: {message}", secrets)) from None
    except (EndpointConnectionError, ConnectTimeoutError) as error:
        raise ResourceError(
            f"{where}: could not connect to {_endpoint_of(error)} after {MAX_ATTEMPTS} attempts"
        ) from None
    except ReadTimeoutError as error:
        raise ResourceError(
            f"{where}: {_endpoint_of(error)} did not answer within {READ_TIMEOUT} s, {MAX_ATTEMPTS} attempts"
        ) from None
    except SSLError as error:
        raise ResourceError(
            f"{where}: TLS failed for {_endpoint_of(error)}; set source.ca_bundle for a private CA"
        ) from None
    except NoCredentialsError:
        raise ResourceError(f"{where}: no credentials found") from None
    except BotoCoreError as error:
        raise ResourceError(one_line(f"{where}: {error}", secrets)) from None


def _endpoint_of(error: BotoCoreError) -> str:
    url = str(getattr(error, "kwargs", {}).get("endpoint_url", "the endpoint"))
    return url.split("?", 1)[0]
