"""The pipeline lint, beside the resource: ``s3-presigned-lint``, the pre-commit hook and ``/opt/resource/lint``."""

from s3_presigned.lint.command import main

__all__ = ["main"]
