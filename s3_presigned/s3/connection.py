"""Where the bucket is, how the step reaches it, and whose keys sign: plain values, whatever front end gave them."""

from typing import Literal, NamedTuple

AddressingStyle = Literal["auto", "virtual", "path"]
ADDRESSING_STYLES: tuple[AddressingStyle, ...] = ("auto", "virtual", "path")


class Keys(NamedTuple):
    """Keys given to the step, rather than found by the AWS credential chain."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None


class Role(NamedTuple):
    """An IAM role to assume through STS before signing."""

    arn: str
    session_name: str
    external_id: str | None
    web_identity_token: str | None = None


class Connection(NamedTuple):
    """Where the bucket is, how the step reaches it, and whose keys sign."""

    bucket: str
    region: str | None
    endpoint: str | None
    addressing_style: AddressingStyle
    keys: Keys | None
    role: Role | None
    ca_bundle: str | None
    verify_ssl: bool
    public_endpoint: str | None = None
    """Where people reach the store, which links and forms are signed for; ``None`` for ``endpoint`` itself."""
