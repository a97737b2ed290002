"""Build botocore's prepared models into the wheel, so that an installed step loads them as fast as the image's.

Everything else is declared in pyproject.toml.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithPreparedModels(build_py):
    """Build the package, then prepare botocore's models beside it, as ``make setup`` does in the source tree."""

    def run(self) -> None:
        """Copy the package, then write ``s3_presigned/s3/prepared`` into the build."""
        super().run()
        # By its path: the package's __init__ would pull in nothing, but its modules need the runtime dependencies.
        spec = importlib.util.spec_from_file_location("_session", Path("s3_presigned", "s3", "session.py"))
        if spec is None or spec.loader is None:
            raise RuntimeError("s3_presigned/s3/session.py is missing")
        session = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(session)
        session.prepare(Path(self.build_lib, "s3_presigned", "s3", "prepared"))


setup(cmdclass={"build_py": BuildWithPreparedModels})
