"""Which CAs the step trusts over TLS: the source's ``ca_bundle``, else ``AWS_CA_BUNDLE``, else the system's store.

The system's store is what curl and Go trust: OpenSSL's bundle and hashed directory, and every PEM file in
``/etc/ssl/certs``, where Concourse puts the worker's certificates, whether or not anything hashed them.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from s3_presigned import lifetime
from s3_presigned.errors import ConfigError

if TYPE_CHECKING:
    import botocore.session

    from s3_presigned.config import Source

SYSTEM_CERTS = "/etc/ssl/certs"  # where Concourse propagates the worker's certificates, and Go looks
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----")
_HASHED = re.compile(r"[0-9a-f]{8}\.r?[0-9]+")  # as OpenSSL's rehash names its links: the subject's hash
_FILE_LIMIT = 4 * 1024 * 1024  # a bundle of every public CA is a quarter of this
_ENVIRON: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("environ", default=None)


class Trust(NamedTuple):
    """What botocore's ``verify`` takes for one peer, and the setting that named the CAs, if one did."""

    verify: bool | str
    """``False``, ``True`` for botocore's own CAs, or the path of a PEM bundle."""
    setting: str | None = None
    """``source.ca_bundle`` or ``AWS_CA_BUNDLE``; ``None`` for the system's store, or with no verification."""


@contextlib.contextmanager
def environment(environ: Mapping[str, str]) -> Iterator[None]:
    """Let the step's environment, as Concourse passed it, name the system's store (``SSL_CERT_FILE``, ``_DIR``)."""
    token = _ENVIRON.set(environ)
    try:
        yield
    finally:
        _ENVIRON.reset(token)


@contextlib.contextmanager
def trusted(source: Source, session: botocore.session.Session) -> Iterator[Trust]:
    """Decide the trust, and hold the files it names while the step talks.

    AWS's own services, such as STS, keep ``AWS_CA_BUNDLE`` or the system's store, given to them through
    ``session``; the source's settings are the store's alone.

    :returns: The store's trust.
    :raises ConfigError: If ``source.ca_bundle`` is not PEM text that TLS can read.
    """
    with contextlib.ExitStack() as files:
        pem = None if source.ca_bundle is None else _readable(source.ca_bundle)
        aws = _aws_trust(session, files)
        if pem is not None:
            yield Trust(files.enter_context(lifetime.scratch_file(pem, ".pem")), "source.ca_bundle")
        else:
            yield aws if source.verify_ssl else Trust(verify=False)


def _aws_trust(session: botocore.session.Session, files: contextlib.ExitStack) -> Trust:
    """Trust ``AWS_CA_BUNDLE``, else the system's store, and give botocore's clients of ``session`` the same."""
    configured = session.get_config_variable("ca_bundle")
    if configured:
        return Trust(str(configured), "AWS_CA_BUNDLE (or ca_bundle in the AWS config)")
    system = _system_trust(files)
    if isinstance(system.verify, str):
        session.set_config_variable("ca_bundle", system.verify)
    return system


def _readable(ca_bundle: str) -> str:
    """Check the source's CA bundle as TLS reads it; PEM is ASCII, and headings such as "subject=O = Société" stay."""
    import ssl  # noqa: PLC0415  # check and out never need TLS

    pem = ca_bundle.encode("ascii", "replace").decode("ascii")
    try:
        ssl.create_default_context(cadata=pem)
    except (ssl.SSLError, ValueError) as error:
        raise ConfigError("source.ca_bundle", f"is not PEM text that TLS can read ({error})") from None
    return pem


def _system_trust(files: contextlib.ExitStack) -> Trust:
    """Trust the system's store: OpenSSL's bundle alone where it holds every certificate, else a bundle of all.

    Only OpenSSL's bundle is read in full; of each other file, the certificates it does not hold. Where the
    system has no CAs at all, as in an image without them, botocore's own are trusted.
    """
    import ssl  # noqa: PLC0415  # check and out never need TLS

    environ = _ENVIRON.get() or {}
    defaults = ssl.get_default_verify_paths()
    cafile = environ.get(defaults.openssl_cafile_env) or defaults.openssl_cafile
    directories = (environ.get(defaults.openssl_capath_env) or defaults.openssl_capath).split(os.pathsep)
    bundled = _read(cafile)
    known = set(_PEM_BLOCK.findall(bundled))
    more: dict[bytes, None] = {}
    for directory in dict.fromkeys(os.path.realpath(name) for name in (*directories, SYSTEM_CERTS) if name):
        for path in _files_in(directory, skip=os.path.realpath(cafile)):
            more.update(dict.fromkeys(block for block in _PEM_BLOCK.findall(_read(path)) if block not in known))
    if not more:
        return Trust(cafile if known else True)
    pem = b"\n".join([*known, *more, b""]).decode("ascii")
    return Trust(files.enter_context(lifetime.scratch_file(pem, ".pem")))


def _files_in(directory: str, skip: str) -> Iterator[str]:
    """Name the files of a directory that may hold certificates, as Go reads them, but ``skip``.

    The links that OpenSSL's hashing adds lead to files in the same directory, which are read by their own names.
    """
    try:
        with os.scandir(directory) as entries:
            found = [
                entry.path
                for entry in entries
                if not entry.is_dir(follow_symlinks=False)
                and not (entry.is_symlink() and _HASHED.fullmatch(entry.name))
                and entry.path != skip
            ]
    except OSError:
        return
    yield from found


def _read(path: str) -> bytes:
    """Read a file that may hold certificates; one that cannot be read, or is too large to be one, holds none."""
    try:
        with open(path, "rb", buffering=0) as stream:  # noqa: PTH123  # pathlib costs more for some hundred files
            return stream.readall() if os.fstat(stream.fileno()).st_size <= _FILE_LIMIT else b""
    except OSError:
        return b""
