"""Steps run where the system's CA store is a directory of the test's, bound over /etc/ssl/certs in a mount namespace.

The machine's own store, and the variables that name CA files, never reach the step: it trusts only what the test
put there, as a step in Concourse trusts the certificates its worker propagated.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import Runner, step_environment

SYSTEM_CERTS = "/etc/ssl/certs"
# Variables that name CAs, which a machine may export and a worker may hand to its steps.
CA_VARIABLES = frozenset({"AWS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"})
_BIND_THEN_RUN = f'mount --bind "$0" {SYSTEM_CERTS} && exec "$@"'


def namespace_problem() -> str | None:
    """Say why a mount namespace cannot be made here, or ``None`` if it can."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return "unshare is not installed (Debian's util-linux)"
    probe = subprocess.run(
        [unshare, "--mount", "sh", "-c", _BIND_THEN_RUN, "/", "true"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return (probe.stderr.strip() or f"unshare exited {probe.returncode}") if probe.returncode else None


@dataclass
class SystemStoreRunner(Runner):
    """Runs the scripts with ``certs`` as /etc/ssl/certs, and none of the machine's CA variables."""

    certs: Path = field(kw_only=True)

    def execute(
        self, step: str, stdin: str, directory: Path, env: dict[str, str] | None, timeout: float
    ) -> subprocess.CompletedProcess[str]:
        """Run the step's script in a mount namespace of its own."""
        bind = ["unshare", "--mount", "sh", "-c", _BIND_THEN_RUN, str(self.certs)]
        machine = {name: value for name, value in step_environment().items() if name not in CA_VARIABLES}
        return subprocess.run(
            [*bind, sys.executable, str(self.assets / step), str(directory)],
            input=stdin,
            capture_output=True,
            text=True,
            env=machine | (env or {}),
            cwd=self.tmp_path,
            timeout=timeout,
            check=False,
        )


def required() -> bool:
    """Whether a skip is a failure here, as in CI."""
    return os.environ.get("S3_PRESIGNED_REQUIRE_NAMESPACES") == "1"
