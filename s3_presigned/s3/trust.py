"""Which CAs the step trusts over TLS: the source's ``ca_bundle``, else ``AWS_CA_BUNDLE``, else the system's store.

The system's store is what curl and Go trust: OpenSSL's bundle and hashed directory, and every PEM file in
``/etc/ssl/certs``, where Concourse puts the worker's certificates, whether or not anything hashed them.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from s3_presigned.core import lifetime
from s3_presigned.core.failures.base import ConfigError

if TYPE_CHECKING:
    import ssl

    import botocore.session


SYSTEM_CERTS = "/etc/ssl/certs"  # where Concourse propagates the worker's certificates, and Go looks
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----")
_BEGIN, _END = len(b"-----BEGIN CERTIFICATE-----"), len(b"-----END CERTIFICATE-----")
_HASHED = re.compile(r"[0-9a-f]{8}\.r?[0-9]+")  # as OpenSSL's rehash names its links: the subject's hash
_FILE_LIMIT = 4 * 1024 * 1024  # a bundle of every public CA is a quarter of this
_CHUNK = 64 * 1024
_OWN_DESCRIPTORS = "/proc/self/fd"


class Trust(NamedTuple):
    """What botocore's ``verify`` takes for one peer, and the setting that named the CAs, if one did."""

    verify: bool | str
    """``False``, ``True`` for botocore's own CAs, or the path of a PEM bundle."""
    setting: str | None = None
    """``source.ca_bundle`` or ``AWS_CA_BUNDLE``; ``None`` for the system's store, or with no verification."""


@contextlib.contextmanager
def trusted(
    ca_bundle: str | None, verify: bool, session: botocore.session.Session, environ: Mapping[str, str]
) -> Iterator[Trust]:
    """Decide the trust, and hold the files it names while the step talks.

    AWS's own services, such as STS, keep ``AWS_CA_BUNDLE`` or the system's store, given to them through
    ``session``; the source's settings are the store's alone.

    :param ca_bundle: ``source.ca_bundle``: PEM text of the CAs the store's certificate comes from.
    :param verify: Whether to verify the store's certificate at all.
    :param environ: The step's environment, which may name the system's store (``SSL_CERT_FILE``, ``_DIR``);
        ``AWS_CA_BUNDLE`` is botocore's to read, from the process's environment, as it reads its other settings.
    :returns: The store's trust.
    :raises ConfigError: If ``source.ca_bundle`` is not PEM text that TLS can read.
    """
    with contextlib.ExitStack() as files:
        pem = None if ca_bundle is None else _readable(ca_bundle)
        aws = _aws_trust(session, files, environ)
        if pem is not None:
            yield Trust(files.enter_context(_held(pem)), "source.ca_bundle")
        else:
            yield aws if verify else Trust(verify=False)


def _aws_trust(session: botocore.session.Session, files: contextlib.ExitStack, environ: Mapping[str, str]) -> Trust:
    """Trust ``AWS_CA_BUNDLE``, else the system's store, and give botocore's clients of ``session`` the same."""
    configured = session.get_config_variable("ca_bundle")
    if configured:
        return Trust(str(configured), "AWS_CA_BUNDLE (or ca_bundle in the AWS config)")
    system = _system_trust(files, environ)
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


def _system_trust(files: contextlib.ExitStack, environ: Mapping[str, str]) -> Trust:
    """Trust the system's store: OpenSSL's bundle alone where it holds every certificate, else a bundle of all.

    Only OpenSSL's bundle is read in full; of each other file, the certificates it does not hold, and of those
    only the ones OpenSSL reads: one block it cannot read would fail the whole bundle, and every TLS connection.
    Where the system has no CAs at all, as in an image without them, botocore's own are trusted.
    """
    import ssl  # noqa: PLC0415  # check and out never need TLS

    defaults = ssl.get_default_verify_paths()
    cafile = environ.get(defaults.openssl_cafile_env) or defaults.openssl_cafile
    directories = (environ.get(defaults.openssl_capath_env) or defaults.openssl_capath).split(os.pathsep)
    bundled = _PEM_BLOCK.findall(_read(cafile))
    known = {_der(block) for block in bundled}
    checker = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    more: dict[bytes, None] = {}
    for directory in dict.fromkeys(os.path.realpath(name) for name in (*directories, SYSTEM_CERTS) if name):
        for path in _files_in(directory, skip=os.path.realpath(cafile)):
            for block in _PEM_BLOCK.findall(_read(path)):
                der = _der(block)
                if der is not None and der not in known and der not in more and _loads(checker, der):
                    more[der] = None
    if not more:
        return Trust(cafile if bundled else True)
    pem = b"\n".join(bundled).decode("ascii") + "\n" + "".join(map(ssl.DER_cert_to_PEM_cert, more))
    return Trust(files.enter_context(_held(pem)))


@contextlib.contextmanager
def _held(pem: str) -> Iterator[str]:
    """Hold a bundle where TLS reads it by its path: in the process's memory, which a SIGKILL takes with it.

    Where Linux's anonymous files are not to be had, in a file of the temporary directory, which the watcher
    removes however the step ends, but killed outright.
    """
    if not hasattr(os, "memfd_create") or not Path(_OWN_DESCRIPTORS).is_dir():
        with lifetime.scratch_file(pem, ".pem") as path:
            yield path
        return
    descriptor = os.memfd_create("ca-bundle.pem")  # close-on-exec: no process the step starts holds it
    try:
        data = pem.encode("ascii")
        while data:
            data = data[os.write(descriptor, data) :]
        yield f"{_OWN_DESCRIPTORS}/{descriptor}"
    finally:
        os.close(descriptor)


def _der(block: bytes) -> bytes | None:
    """Return the certificate a PEM block holds, whatever its line breaks; ``None`` where its base64 is broken."""
    try:
        return base64.b64decode(b"".join(block[_BEGIN:-_END].split()), validate=True)
    except binascii.Error:
        return None


def _loads(checker: ssl.SSLContext, der: bytes) -> bool:
    """Tell whether OpenSSL reads a certificate, as it must read every one of a bundle."""
    import ssl  # noqa: PLC0415  # check and out never need TLS

    try:
        checker.load_verify_locations(cadata=der)
    except ssl.SSLError:
        return False
    return True


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
    """Read a file that may hold certificates; one that cannot be read, is too large, or is no file, holds none.

    A FIFO or a device, such as a link to /dev/zero, is not read at all: it may block, or never end.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError:
        return b""
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > _FILE_LIMIT:
            return b""
        # At its own size, in one read; a file that says 0, as in /proc, in chunks, and never past the limit.
        text = part = os.read(descriptor, status.st_size + 1)
        while part and len(text) <= _FILE_LIMIT:
            part = os.read(descriptor, _CHUNK)
            text += part
        return text if len(text) <= _FILE_LIMIT else b""
    except OSError:
        return b""
    finally:
        os.close(descriptor)
