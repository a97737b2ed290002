"""The Concourse resource type ``s3-presigned-url``."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from s3_presigned.core import lifetime

# Concourse's scripts import this module first: the watcher starts before the imports below, which take a few
# tenths of a second, so that a signal that comes meanwhile gets its one line too.
lifetime.supervise_script()

from concoursetools.additional import InOnlyConcourseResource  # noqa: E402
from concoursetools.metadata import BuildMetadata  # noqa: E402
from concoursetools.typing import Metadata  # noqa: E402

from s3_presigned.core.context import StepContext  # noqa: E402
from s3_presigned.request.params import parse_get_params  # noqa: E402
from s3_presigned.request.source import parse_source  # noqa: E402
from s3_presigned.steps import envelope  # noqa: E402

if TYPE_CHECKING:
    from s3_presigned.s3.client import Opener


class PresignedUrlResource(InOnlyConcourseResource):
    """Signs time-limited S3 URLs in the get that follows a put, so that no URL is stored in a version."""

    def __init__(self, context: StepContext, /, **source: object) -> None:
        """Validate the source.

        Its fields, and those of ``download_data``'s params, are declared in :mod:`s3_presigned.request.fields`.

        :param context: The step's environment, clock and secrets.
        :param source: The pipeline's ``source``.
        """
        super().__init__()
        self.context = context
        self.source = parse_source(source)

    def download_data(
        self,
        destination_dir: Path,
        build_metadata: BuildMetadata,  # noqa: ARG002  # nothing about the build goes into a URL
        **params: object,
    ) -> Metadata:
        """Sign the URLs and write them, with their expiry, into the destination.

        :param destination_dir: The step's directory.
        :param params: The put's ``get_params``.
        :returns: Metadata for the build page; it holds nothing secret.
        """
        # Imported here: check and out never sign, and should not pay for botocore.
        from s3_presigned.outputs import files  # noqa: PLC0415
        from s3_presigned.steps import get  # noqa: PLC0415

        checked = parse_get_params(self.source, params)
        # Warnings wait for success: a step that fails says one line, its cause. The step prints to its log.
        warnings = io.StringIO()
        knowledge = self.context.knowledge
        with get.sign(self.source, checked, warnings, self.context, self.open_store()) as signed:
            files.write_step_files(destination_dir, self.source.connection.bucket, checked, signed, knowledge.gate())
        print(warnings.getvalue(), end="")  # noqa: T201  # the step sends stdout to its log
        return files.step_metadata(self.source.connection.bucket, checked, signed, knowledge.gate())

    @staticmethod
    def open_store() -> Opener:
        """How the get opens the bucket: over the network, where every link is proven."""
        from s3_presigned.s3.store import Store  # noqa: PLC0415  # as above: only the get talks to S3

        return Store.open

    # concoursetools' own mains print a traceback for any error and run the interpreter's teardown; these answer
    # every failure in one line, bound the step's time, and exit as soon as the streams are flushed.
    @classmethod
    def check_main(cls) -> None:
        """Check for new versions: there are none, since every version comes from a put."""
        lifetime.supervise()
        envelope.exit_process(envelope.run(cls, "check", sys.stdin, sys.stdout, sys.stderr, sys.argv, os.environ))

    @classmethod
    def in_main(cls) -> None:
        """Sign the URL and write it into the destination directory."""
        lifetime.supervise()
        envelope.exit_process(envelope.run(cls, "in", sys.stdin, sys.stdout, sys.stderr, sys.argv, os.environ))

    @classmethod
    def out_main(cls) -> None:
        """Emit a new placeholder version, so that the get after the put signs a fresh URL."""
        lifetime.supervise()
        envelope.exit_process(envelope.run(cls, "out", sys.stdin, sys.stdout, sys.stderr, sys.argv, os.environ))
