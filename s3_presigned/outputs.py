"""Files the ``in`` step leaves in its destination, written so that none is ever half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from s3_presigned.errors import ResourceError

_FILE_MODE = 0o644  # as a plain write under the usual umask: tasks that read the files may run as another user


def write_files(destination: Path, files: dict[str, str]) -> None:
    """Write every file to a temporary name first, then rename them all into place.

    If anything fails, everything written so far is removed, so no file is left in the destination.

    :param destination: The step's destination directory.
    :param files: File names mapped to their exact contents.
    :raises ResourceError: If the destination cannot be written.
    """
    staged: list[tuple[str, Path]] = []
    placed: list[Path] = []
    try:
        destination.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            handle, temporary = tempfile.mkstemp(dir=destination, prefix=f".{name}.")
            staged.append((temporary, destination / name))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(content)
            Path(temporary).chmod(_FILE_MODE)
        for temporary, final in staged:
            Path(temporary).replace(final)
            placed.append(final)
    except OSError as error:
        for leftover in [Path(temporary) for temporary, _ in staged] + placed:
            leftover.unlink(missing_ok=True)
        raise ResourceError(f"destination: cannot write {destination}: {error.strerror}") from None
