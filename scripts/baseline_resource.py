"""The plain way to sign one URL in a Concourse resource: concoursetools, boto3.client and generate_presigned_url."""

from __future__ import annotations

from pathlib import Path

import boto3
from concoursetools.additional import InOnlyConcourseResource
from concoursetools.metadata import BuildMetadata


class PlainPresignResource(InOnlyConcourseResource):
    """Signs one GET URL with boto3, as a straightforward resource would."""

    def __init__(self, bucket: str, endpoint: str, access_key_id: str, secret_access_key: str) -> None:
        super().__init__()
        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
        )

    def download_data(  # type: ignore[override]
        self,
        destination_dir: Path,
        build_metadata: BuildMetadata,  # noqa: ARG002  # concoursetools passes it to every step
        file_path: str,
        expires_in: int = 3600,
    ) -> dict[str, str]:
        """Sign the URL and write it to ``url``."""
        url = self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": file_path}, ExpiresIn=expires_in
        )
        (destination_dir / "url").write_text(url)
        return {"key": file_path}
