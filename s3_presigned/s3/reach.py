"""How the step reaches the store in one region: the client that signs for it, the one that signs links, the wire."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO, cast

from s3_presigned.core import notices
from s3_presigned.s3.transport import Transport, origin

if TYPE_CHECKING:
    from collections.abc import Mapping

    import botocore.session
    from botocore.config import Config
    from mypy_boto3_s3.client import S3Client

    from s3_presigned.s3.connection import Connection
    from s3_presigned.s3.credentials import SigningIdentity
    from s3_presigned.s3.trust import Trust


class Reach:
    """The clients and the transport for one region; built again when S3 names another.

    :ivar routed: Whether requests signed for ``public_endpoint`` go to ``endpoint`` instead; ``None`` until the
        step first sends one.
    """

    def __init__(  # what a botocore client is made of
        self,
        connection: Connection,
        session: botocore.session.Session,
        identity: SigningIdentity,
        trust: Trust,
        config: Config,
        environ: Mapping[str, str],
        region: str,
        routed: bool | None,
    ) -> None:
        """Set up the client that signs for ``endpoint``, the one that signs links, and the transport."""

        def client_for(endpoint: str | None) -> S3Client:
            return cast(
                "S3Client",
                session.create_client(
                    "s3",
                    region_name=region,
                    endpoint_url=endpoint,
                    aws_access_key_id=identity.credentials.access_key,
                    aws_secret_access_key=identity.credentials.secret_key,
                    aws_session_token=identity.credentials.token,
                    config=config,
                    verify=trust.verify,
                ),
            )

        self._public, self._endpoint = connection.public_endpoint, connection.endpoint
        self.client = client_for(self._endpoint)
        self.links_client = self.client if self._public is None else client_for(self._public)
        self.transport = Transport(trust, environ)
        self.routed = routed
        if routed:
            self._route()

    def find_public_route(self, warnings: TextIO) -> None:
        """Reach ``public_endpoint`` as people do; where the step cannot, send its requests to ``endpoint``.

        They carry the public host in ``Host``, as a proxy that keeps ``Host`` sends them.
        """
        public, endpoint = self._public, self._endpoint
        self.routed = public is not None and endpoint is not None and not self.transport.reaches(public)
        if self.routed and public is not None and endpoint is not None:
            self._route()
            warnings.write(notices.public_route_note(public, endpoint))

    def _route(self) -> None:
        if self._public is not None and self._endpoint is not None:
            self.transport.route(origin(self._public), origin(self._endpoint))
