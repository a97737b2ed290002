"""A botocore session that reads the environment and AWS config as the AWS CLI does, and loads its models quickly."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import botocore.session
from botocore.loaders import JSONFileLoader, Loader

# Every service the step may call: S3, STS for roles, and what the credential chain may call.
SERVICES = ("s3", "sts", "sso", "sso-oidc", "signin")


class PlainJSONFileLoader(JSONFileLoader):
    """Loads botocore's JSON models into plain dicts.

    botocore parses them into ``OrderedDict``, which costs four times as long for the megabyte of endpoint
    data every client reads; dicts keep their order too, and nothing in botocore needs more of them.
    """

    def load_file(self, file_path: str) -> dict[str, object] | None:
        """Load ``file_path`` plus ``.json``, or plus ``.json.gz``, as botocore looks for them.

        :param file_path: The full path without the extension.
        :returns: The data, or ``None`` if neither file exists.
        """
        plain, compressed = Path(f"{file_path}.json"), Path(f"{file_path}.json.gz")
        if plain.is_file():
            payload = plain.read_bytes()
        elif compressed.is_file():
            payload = gzip.decompress(compressed.read_bytes())
        else:
            return None
        loaded: dict[str, object] = json.loads(payload)
        return loaded


class KnownServicesLoader(Loader):
    """Loads botocore's models as usual, but without first listing the directories of every AWS service."""

    def list_available_services(self, type_name: str) -> list[str]:  # noqa: ARG002  # the same for every type
        """Name the services this resource calls; botocore lists them only to check a client's name."""
        return list(SERVICES)


def new_session() -> botocore.session.Session:
    """Return a botocore session that reads the environment and AWS config files as the AWS CLI does."""
    session = botocore.session.Session()
    data_path = session.get_config_variable("data_path")
    session.register_component(
        "data_loader",
        KnownServicesLoader(
            extra_search_paths=data_path.split(os.pathsep) if data_path else [], file_loader=PlainJSONFileLoader()
        ),
    )
    return session
