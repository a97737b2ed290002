"""A botocore session that reads the environment and AWS config as the AWS CLI does, and loads its models quickly.

botocore reads a few megabytes of JSON for every client: the endpoints of every AWS service, and the S3 model
and endpoint rules. ``python -m s3_presigned.s3.session`` prepares those files ahead, from botocore's own data:
the endpoints cut down to the services this resource calls, the models without the prose of their operations
and shapes, which only botocore's docstrings show, and everything stored with :mod:`marshal`, which loads
several times faster than JSON. A step uses the prepared files only if botocore and Python are the
versions they were prepared with, and botocore's own files otherwise.
"""

from __future__ import annotations

import gzip
import json
import marshal
import os
import shutil
import sys
import tempfile
from pathlib import Path

import botocore
import botocore.session
from botocore.loaders import JSONFileLoader, Loader

# Every service the step may call: S3, STS for roles, and what the credential chain may call.
SERVICES = ("s3", "sts", "sso", "sso-oidc", "signin")
PREPARED = Path(__file__).with_name("prepared")
_BOTOCORE_DATA = Path(botocore.__file__).parent / "data"
_STAMP = "STAMP"
# The parts of a service model whose prose is left out; the rest of it, such as clientContextParams, is read whole.
_PROSE_HOLDERS = ("operations", "shapes")


def stamp() -> str:
    """Name what prepared files depend on: botocore's data, and Python's marshal format."""
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return f"botocore {botocore.__version__}, python {python}, marshal {marshal.version}"


class ModelFileLoader(JSONFileLoader):
    """Loads botocore's models: a prepared copy where there is one, else the JSON, into plain dicts.

    botocore parses JSON into ``OrderedDict``, which takes four times as long as plain dicts for the megabyte of
    endpoint data every client reads; dicts keep their order too, and nothing in botocore needs more of them.

    :param prepared: A directory written by :func:`prepare`; used only if its stamp matches this process.
    """

    def __init__(self, prepared: Path | None = PREPARED) -> None:
        usable = prepared is not None and _read_stamp(prepared) == stamp()
        self.prepared = prepared if usable else None
        """The directory of prepared models in use, or ``None`` when botocore's own files are read."""

    def load_file(self, file_path: str) -> dict[str, object] | None:
        """Load ``file_path`` plus ``.json`` or ``.json.gz``, as botocore looks for them, or its prepared copy.

        :param file_path: The full path without the extension.
        :returns: The data, or ``None`` if no such file exists.
        """
        prepared = self._prepared_copy(Path(file_path))
        if prepared is not None:
            loaded: dict[str, object] = marshal.loads(prepared.read_bytes())  # noqa: S302  # written by prepare()
            return loaded
        plain, compressed = Path(f"{file_path}.json"), Path(f"{file_path}.json.gz")
        if plain.is_file():
            payload = plain.read_bytes()
        elif compressed.is_file():
            payload = gzip.decompress(compressed.read_bytes())
        else:
            return None
        parsed: dict[str, object] = json.loads(payload)
        return parsed

    def _prepared_copy(self, file_path: Path) -> Path | None:
        # Only botocore's own files are prepared; models a user adds under ~/.aws/models are read as they are.
        if self.prepared is None or not file_path.is_relative_to(_BOTOCORE_DATA):
            return None
        copy = self.prepared / f"{file_path.relative_to(_BOTOCORE_DATA)}.marshal"
        return copy if copy.is_file() else None


class KnownServicesLoader(Loader):
    """Loads botocore's models as usual, but without first listing the directories of every AWS service."""

    def list_available_services(self, type_name: str) -> list[str]:  # noqa: ARG002  # the same for every type
        """Name the services this resource calls; botocore lists them only to check a client's name."""
        return list(SERVICES)


def new_session(prepared: Path | None = PREPARED) -> botocore.session.Session:
    """Return a botocore session that reads the environment and AWS config files as the AWS CLI does.

    botocore reads the process's environment, not the step's, for its credential chain and settings
    (``AWS_PROFILE``, ``AWS_DEFAULT_REGION``, ``AWS_CA_BUNDLE``, STS's proxies): the chain is botocore's, and no
    copy of it is made to read another mapping. A step run as Concourse runs it has the process's environment.

    :param prepared: Where prepared models are, if anywhere.
    """
    session = botocore.session.Session()
    data_path = session.get_config_variable("data_path")
    session.register_component(
        "data_loader",
        KnownServicesLoader(
            extra_search_paths=data_path.split(os.pathsep) if data_path else [],
            file_loader=ModelFileLoader(prepared),
        ),
    )
    return session


def prepare(destination: Path = PREPARED) -> list[Path]:
    """Write a prepared copy of every botocore file a client of :data:`SERVICES` loads, then the stamp.

    The files are found by creating those clients, so the copy holds exactly what a step reads.

    :param destination: The directory to write; replaced as a whole.
    :returns: The files written, relative to ``destination``.
    """
    read: list[Path] = []

    class Recorder(JSONFileLoader):
        def load_file(self, file_path: str) -> object:
            data = super().load_file(file_path)
            if data is not None and Path(file_path).is_relative_to(_BOTOCORE_DATA):
                read.append(Path(file_path))
            return data

    session = botocore.session.Session()
    session.register_component("data_loader", KnownServicesLoader(file_loader=Recorder()))
    for service in SERVICES:
        # Made only to see what it loads: it sends nothing, so it needs no real keys.
        session.create_client(service, region_name="us-east-1", aws_access_key_id="-", aws_secret_access_key="-")  # noqa: S106
    staging = Path(tempfile.mkdtemp(prefix=".prepared-", dir=destination.parent))
    written = []
    for file_path in dict.fromkeys(read):
        data = ModelFileLoader(None).load_file(str(file_path))
        if data is not None and file_path == _BOTOCORE_DATA / "endpoints":
            data = _endpoints_of(data, SERVICES)
        elif data is not None and file_path.name == "service-2":
            data = {key: _without_prose(value) if key in _PROSE_HOLDERS else value for key, value in data.items()}
        relative = Path(f"{file_path.relative_to(_BOTOCORE_DATA)}.marshal")
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        (staging / relative).write_bytes(marshal.dumps(data))
        written.append(relative)
    (staging / _STAMP).write_text(stamp() + "\n")
    shutil.rmtree(destination, ignore_errors=True)
    staging.rename(destination)
    return written


def _endpoints_of(endpoints: dict[str, object], services: tuple[str, ...]) -> dict[str, object]:
    """Keep, in each partition of botocore's endpoint data, only the services named."""
    partitions = endpoints.get("partitions")
    if not isinstance(partitions, list):
        return endpoints
    kept = []
    for partition in partitions:
        offered = partition.get("services", {}) if isinstance(partition, dict) else {}
        kept.append({**partition, "services": {name: offered[name] for name in services if name in offered}})
    return {**endpoints, "partitions": kept}


def _without_prose(entry: object) -> object:
    """Leave out every documentation string of a model's operations or shapes, however deep; the rest as it is.

    Most of the S3 model is prose that only docstrings show. A member that is named ``documentation`` is
    a shape, not a string, and stays.
    """
    if isinstance(entry, dict):
        return {
            key: _without_prose(value)
            for key, value in entry.items()
            if not (key == "documentation" and isinstance(value, str))
        }
    if isinstance(entry, list):
        return [_without_prose(value) for value in entry]
    return entry


def _read_stamp(prepared: Path) -> str | None:
    try:
        return (prepared / _STAMP).read_text().strip()
    except OSError:
        return None


if __name__ == "__main__":
    files = prepare()
    print(f"prepared {len(files)} botocore files in {PREPARED} for {stamp()}")  # noqa: T201  # a build step's report
