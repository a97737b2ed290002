"""Validation of ``source``: where the bucket is, how the step reaches it, and whose keys sign."""

import re
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from s3_presigned.core.text import describe
from s3_presigned.request import fields
from s3_presigned.request.fields import SOURCE, Field
from s3_presigned.request.values import S3_ADDRESS, choice, flag, optional_text, text
from s3_presigned.s3.connection import ADDRESSING_STYLES, Connection, Keys, Role
from s3_presigned.s3.endpoint import normalized_endpoint
from s3_presigned.s3.facts import (
    AWS_REGION,
    BUCKET,
    EXTERNAL_ID,
    MAX_KEY_BYTES,
    REGION,
    ROLE_ARN,
    ROLE_SESSION_NAME,
    WEB_IDENTITY_TOKEN_CHARS,
)

_PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"


# The step's records are NamedTuples: every step defines them as it starts, and defining one costs a sixth of
# what a frozen dataclass does.
class Source(NamedTuple):
    """The validated ``source``: how to reach the bucket, and the prefix of every key."""

    connection: Connection
    key_prefix: str


def parse_source(raw: Mapping[str, object]) -> Source:
    """Validate ``source``: the names of its fields, then their values.

    :param raw: The request's ``source``.
    :raises ConfigError: Naming the first field that is unknown, missing or malformed.
    """
    given = fields.source_fields(raw)
    checked_endpoint = _endpoint(SOURCE.endpoint.get(given), SOURCE.endpoint)
    key_prefix = SOURCE.key_prefix.get(given)
    skip_verification = SOURCE.skip_ssl_verification.value(given)
    connection = Connection(
        bucket=_bucket(SOURCE.bucket.get(given)),
        region=_region(SOURCE.region.get(given), custom_endpoint=checked_endpoint is not None),
        endpoint=checked_endpoint,
        addressing_style=choice(SOURCE.addressing_style.value(given), SOURCE.addressing_style.path, ADDRESSING_STYLES),
        keys=_static_credentials(given),
        role=_role(given),
        ca_bundle=_ca_bundle(SOURCE.ca_bundle.get(given), skip_verification),
        # The one place the field's name turns into the connection's: it skips what the connection verifies.
        verify_ssl=not flag(skip_verification, SOURCE.skip_ssl_verification.path),
        public_endpoint=_public_endpoint(SOURCE.public_endpoint.get(given), checked_endpoint),
    )
    return Source(connection, "" if key_prefix is None else _key_prefix(key_prefix))


def _key_prefix(value: object) -> str:
    prefix = text(value, SOURCE.key_prefix.path, max_length=MAX_KEY_BYTES)
    if S3_ADDRESS.match(prefix):
        raise SOURCE.key_prefix.problem(f"got {describe(prefix)}, an S3 address; please give the prefix alone")
    return prefix


def _bucket(value: object) -> str:
    if value is None:
        raise SOURCE.bucket.problem("required; please specify the bucket name, such as my-bucket")
    if not isinstance(value, str) or not BUCKET.fullmatch(value):
        raise SOURCE.bucket.problem(
            f"got {describe(value)}; please specify the bucket name, such as my-bucket, without s3:// or a key"
        )
    return value


def _region(value: object, *, custom_endpoint: bool) -> str | None:
    if value is None:
        return None
    pattern = REGION if custom_endpoint else AWS_REGION
    if not isinstance(value, str) or not pattern.fullmatch(value):
        example = "a lowercase name such as us-east-1 or auto" if custom_endpoint else "an AWS region such as eu-west-2"
        raise SOURCE.region.problem(f"got {describe(value)}; expected {example}")
    return value


def _endpoint(value: object, field: Field) -> str | None:
    if value is None:
        return None
    accepted = "expected an http:// or https:// URL such as https://minio.example.com:9000"
    if not isinstance(value, str):
        raise field.problem(f"got {describe(value)}; {accepted}")
    shown = "the endpoint" if "@" in value else value  # a user part may hold a password, even one with a /
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  # raises ValueError for a port that is not a number
    except ValueError:
        raise field.problem(f"{_quoted(shown)} is not a valid URL; {accepted}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise field.problem(f"{_quoted(shown)} is not a URL; {accepted}")
    if parts.username or parts.password or parts.query or parts.fragment:
        # The user part may hold a secret, so the value is not quoted.
        raise field.problem(f"must not hold credentials, a query or a fragment; {accepted}")
    return normalized_endpoint(value, field.path)


def _public_endpoint(value: object, endpoint: str | None) -> str | None:
    field = SOURCE.public_endpoint
    public = _endpoint(value, field)
    if public is None:
        return None
    if endpoint is None:
        raise field.problem("is set without endpoint, the address the step itself reaches the store at")
    # SigV4 signs the path: a proxy can only pass a link on if it keeps the path as it is.
    public_path, path = urlsplit(public).path, urlsplit(endpoint).path
    if public_path != path:
        raise field.problem(
            f"has the path {public_path or '/'!r}, and endpoint {path or '/'!r}; a signed link's path cannot change "
            "on its way, so give both the same path",
        )
    return None if public == endpoint else public


def _quoted(shown: str) -> str:
    return shown if shown == "the endpoint" else describe(shown)


def _static_credentials(given: Mapping[str, object]) -> Keys | None:
    key_id, secret, token = (SOURCE.access_key_id, SOURCE.secret_access_key, SOURCE.session_token)
    if key_id.get(given) is None and secret.get(given) is None:
        if token.get(given) is not None:
            raise token.problem("is set without access_key_id and secret_access_key")
        return None
    if key_id.get(given) is None:
        raise key_id.problem("please specify it together with secret_access_key, or neither")
    if secret.get(given) is None:
        raise secret.problem("please specify it together with access_key_id, or neither")
    return Keys(
        access_key_id=text(key_id.get(given), key_id.path, secret=True),
        secret_access_key=text(secret.get(given), secret.path, secret=True),
        session_token=optional_text(token.get(given), token.path, secret=True),
    )


def _role(given: Mapping[str, object]) -> Role | None:
    arn, session_name, external_id = (
        field.get(given) for field in (SOURCE.role_arn, SOURCE.role_session_name, SOURCE.external_id)
    )
    token = SOURCE.web_identity_token.get(given)
    if arn is None:
        for field in (SOURCE.role_session_name, SOURCE.external_id, SOURCE.web_identity_token):
            if field.name in given:
                raise field.problem("is set without role_arn, the role it is for")
        return None
    token = None if token is None else _web_identity_token(given, token)
    if not isinstance(arn, str) or not re.fullmatch(ROLE_ARN, arn):
        raise SOURCE.role_arn.problem(
            f"got {describe(arn)}; expected an ARN such as arn:aws:iam::123456789012:role/name"
        )
    if session_name is None:
        session_name = SOURCE.role_session_name.default
    if not isinstance(session_name, str) or not re.fullmatch(ROLE_SESSION_NAME, session_name):
        raise SOURCE.role_session_name.problem(
            f"got {describe(session_name)}; expected 2 to 64 of letters, digits and +=,.@_-"
        )
    if external_id is not None and (not isinstance(external_id, str) or not re.fullmatch(EXTERNAL_ID, external_id)):
        raise SOURCE.external_id.problem("expected 2 to 1224 of letters, digits and +=,.@:/_-")
    return Role(arn=arn, session_name=session_name, external_id=external_id, web_identity_token=token)


def _web_identity_token(given: Mapping[str, object], token: object) -> str:
    for field in (SOURCE.access_key_id, SOURCE.secret_access_key, SOURCE.session_token, SOURCE.external_id):
        if field.name in given:
            raise field.problem("is not used with web_identity_token, which STS trades for the role's keys")
    field = SOURCE.web_identity_token
    checked = text(token, field.path, max_length=WEB_IDENTITY_TOKEN_CHARS[-1], secret=True)
    if len(checked) not in WEB_IDENTITY_TOKEN_CHARS:
        raise field.problem("is shorter than 4 characters; expected an OIDC token (a JWT)")
    return checked


def _ca_bundle(value: object, skip_ssl_verification: object) -> str | None:
    if value is None:
        return None
    if skip_ssl_verification is True:
        raise SOURCE.ca_bundle.problem("please specify either ca_bundle or skip_ssl_verification, not both")
    if not isinstance(value, str) or _PEM_CERTIFICATE not in value:
        raise SOURCE.ca_bundle.problem(f"expected PEM text containing {_PEM_CERTIFICATE}")
    return value
