"""How the step connects to the store: the region it starts with, and botocore's client settings."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

import botocore.session
from botocore.config import Config

from s3_presigned.s3 import DEFAULT_STORE_REGION

if TYPE_CHECKING:
    from s3_presigned.config import Source


def configured_region(source: Source, session: botocore.session.Session) -> str | None:
    """Pick the region to start with: the source's, us-east-1 for a custom endpoint, else the environment or config.

    :returns: The region, or ``None`` when nothing names one.
    """
    if source.region is not None:
        return source.region
    if source.endpoint is not None:
        return DEFAULT_STORE_REGION
    # botocore reads only AWS_DEFAULT_REGION; AWS_REGION is what the other AWS SDKs and runtimes set.
    region = os.environ.get("AWS_REGION") or session.get_config_variable("region")
    return str(region) if region else None


def client_config(source: Source) -> Config:
    """Build botocore's client settings: SigV4, the addressing style, and regional endpoints."""
    style: Literal["auto", "virtual", "path"] = "path" if source.addressing_style == "path" else "virtual"
    if source.addressing_style == "auto":
        # botocore's "auto" signs some regions against the global s3.amazonaws.com host; S3-compatible
        # stores rarely serve virtual hosts. A bucket with dots still falls back to path style.
        style = "path" if source.endpoint is not None else "virtual"
    return Config(signature_version="s3v4", s3={"addressing_style": style, "us_east_1_regional_endpoint": "regional"})
