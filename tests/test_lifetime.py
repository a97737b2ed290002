"""One bound for the whole process, one line when a step is stopped, and nothing left when it fails.

Through the real scripts: a step stopped by its bound, by a signal or by a stdout that takes nothing ends in one
line, and leaves no file in its destination or in the temporary directory.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
import trustme

from s3_presigned.core import lifetime
from tests import standin
from tests.standin import Listing, StandIn, edits, sub, truncated
from tests.support import ACCESS_KEY, ROOT, SECRET_KEY, VERSION, Runner, S3Server, StepResult, step_environment

BOUND = 2  # seconds: the bound of the tests that a step reach it, which only the environment can shorten
# Of the tests that a step end before its bound: far more than they need, so that only a step that hangs reaches it.
WIDE = 60
# Past the bound: the interpreter's start, and the kill and the line, on a machine busy with other work, such as
# another suite on the same two cores.
SLACK = 10
MANY = 100_000  # keys whose links take about a second to write: a signal lands while they are written


@dataclass
class Step:
    """A script started as Concourse starts it, with the test's hand on its process."""

    process: subprocess.Popen[str]
    directory: Path
    request: dict[str, Any]
    started: float  # before the process was: the step's own clock starts later, so elapsed is never less
    bound: float

    def staged(self) -> list[str]:
        return [path.name for path in self.directory.iterdir() if path.name.startswith(".")]

    def wait_for(self, seen: Any, what: str) -> None:
        """Wait until ``seen()`` is true while the step runs; fail if it ends first."""
        while not seen():
            assert self.process.poll() is None, f"the step ended before {what}: {self.process.communicate()}"
            time.sleep(0.001)

    def wait_until_writing_links(self) -> None:
        self.wait_for(lambda: any(name.startswith(".urls.json.") for name in self.staged()), "it wrote urls.json")

    def children(self) -> list[int]:
        return [
            int(child)
            for child in Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        ]

    def worker(self) -> int:
        """The process that runs the step: the child of the process Concourse started that is not its guard."""
        # The guard names itself once it has started: until then, it cannot be told from the step.
        self.wait_for(lambda: any(is_guard(child) for child in self.children()), "its guard started")
        workers = [child for child in self.children() if not is_guard(child)]
        assert len(workers) == 1, workers
        return workers[0]

    def finish(self, runner: Runner, timeout: float | None = None) -> tuple[StepResult, float]:
        """Wait for the step, its stdin left as it is; record it for the leak scan; return what it left and when."""
        timeout = self.bound + SLACK if timeout is None else timeout
        try:
            self.process.wait(timeout=timeout)  # a step's output is a few lines: no pipe fills up meanwhile
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            pytest.fail(f"the step was still running after {timeout} s; it said {self.process.communicate()[1]!r}")
        elapsed = time.monotonic() - self.started
        stdout, stderr = self.process.communicate()
        result = StepResult(self.process.returncode, stdout or "", stderr, self.directory, self.request)
        runner.runs.append(result)
        return result, elapsed


@pytest.fixture
def start(assets: Path, tmp_path: Path) -> Iterator[Any]:
    """Start a script in its own session, so that a test can signal it alone or as a terminal would."""
    started: list[Step] = []

    def start(
        step: str,
        request: dict[str, Any],
        *,
        env: dict[str, str] | None = None,
        stdin: int | IO[Any] | None = None,
        stdout: int | IO[Any] = subprocess.PIPE,
        command: list[str] | None = None,
        bound: float = WIDE,
    ) -> Step:
        directory = tmp_path / f"{step}-{len(started)}"
        directory.mkdir()
        request_file = tmp_path / f"request-{len(started)}.json"
        request_file.write_text(json.dumps(request))
        began = time.monotonic()
        with request_file.open() as given:
            process = subprocess.Popen(
                [*(command or []), sys.executable, str(assets / step), str(directory)],
                stdin=given if stdin is None else stdin,
                stdout=stdout,
                stderr=subprocess.PIPE,
                text=True,
                env=step_environment({lifetime.BOUND_VARIABLE: str(bound)} | (env or {})),
                cwd=tmp_path,
                start_new_session=True,
            )
        started.append(Step(process, directory, request, began, bound))
        return started[-1]

    yield start
    for step in started:
        if step.process.poll() is None:
            os.killpg(step.process.pid, signal.SIGKILL)
        for stream in (step.process.stdin, step.process.stdout, step.process.stderr):
            if stream is not None:
                stream.close()
        step.process.wait()


def bound_line(seconds: float = BOUND) -> str:
    return f"error: the step took longer than {seconds:g} s, its bound, and was stopped\n"


def many_links(count: int = MANY) -> dict[str, Any]:
    """A request that signs many links without asking a server: their writing is the step's longest part."""
    source = {"bucket": "bucket", "endpoint": "http://127.0.0.1:9", "access_key_id": ACCESS_KEY}
    return {
        "source": source | {"secret_access_key": SECRET_KEY},
        "version": VERSION,
        "params": {"file_paths": [f"big/part-{n:06}.bin" for n in range(count)], "verify": False, "max_objects": count},
    }


def test_the_bound_is_only_ever_shortened() -> None:
    for asked, bound in (("2.5", 2.5), ("119", 119), ("120", 120), ("1000", 120), ("0", 120), ("-1", 120)):
        assert lifetime.bound({lifetime.BOUND_VARIABLE: asked}) == bound
    for nonsense in ("", "2 s", "nan", "inf"):
        assert lifetime.bound({lifetime.BOUND_VARIABLE: nonsense}) == lifetime.STEP_SECONDS
    assert lifetime.bound({}) == lifetime.STEP_SECONDS == 120


def test_a_new_file_is_private_named_as_tempfile_names_them_and_never_taken_over(tmp_path: Path) -> None:
    handle, path = lifetime.create(tmp_path, ".url.")
    os.close(handle)
    assert path.parent == tmp_path
    assert path.name.startswith(".url.")
    assert len(path.name) == len(".url.") + 8  # the room other checks leave for a staged name
    assert path.stat().st_mode & 0o777 == 0o600
    names = {lifetime.create(tmp_path, ".url.")[1].name for _ in range(50)}
    assert len(names) == 50


def test_a_scratch_file_holds_its_text_only_while_the_block_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # tempfile reads TMPDIR once and keeps it
    with lifetime.scratch_file("-----BEGIN CERTIFICATE-----\n", ".pem") as name:
        assert Path(name).parent == tmp_path
        assert Path(name).read_text() == "-----BEGIN CERTIFICATE-----\n"
    assert list(tmp_path.iterdir()) == []


def test_a_step_stops_at_its_bound_in_one_line_and_leaves_nothing(
    s3: S3Server, runner: Runner, start: Any, tmp_path: Path
) -> None:
    # Each page comes back in good time, but pages never end: only the step's own bound stops it, with the
    # CA bundle held for TLS all the while, in memory: nothing of it is ever in the temporary directory.
    s3.put("deadline/a.txt")
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    def slowly(_: standin.Request, forward: standin.Forward) -> standin.Reply:
        time.sleep(0.3)
        return forward()

    slow_pages = standin.compose(slowly, Listing(edits(sub(r"(?s)<Contents>.*?</Contents>", ""), truncated(str))))
    with StandIn(s3.endpoint, slow_pages) as proxy:
        source = s3.source(endpoint=proxy.endpoint, ca_bundle=trustme.CA().cert_pem.bytes().decode())
        request = {"source": source, "version": VERSION, "params": {"prefix": "deadline/", "max_objects": 100_000}}
        step = start("in", request, env={"TMPDIR": str(scratch)}, bound=BOUND)
        result, elapsed = step.finish(runner)
    assert result.returncode == 1
    assert result.stderr == bound_line()
    assert BOUND <= elapsed < BOUND + SLACK
    assert list(result.directory.iterdir()) == []
    assert list(scratch.iterdir()) == []


@pytest.fixture(scope="session")
def silent_dns() -> list[str]:
    """The command that runs another where DNS never answers: new network and mount namespaces, as root."""
    command = [shutil.which("unshare") or "unshare", "--net", "--mount"]
    try:
        probe = subprocess.run([*command, "true"], capture_output=True, text=True, timeout=30, check=False)
        problem = probe.stderr.strip() if probe.returncode else None
    except FileNotFoundError:
        problem = "unshare is not installed (Debian's util-linux)"
    if problem is not None:
        if os.environ.get("S3_PRESIGNED_REQUIRE_NAMESPACES") == "1":
            pytest.fail(f"the resolver test is required here, but namespaces cannot be made: {problem}")
        pytest.skip(f"a resolver that never answers needs network and mount namespaces, as root: {problem}")
    return [*command, sys.executable, str(ROOT / "tests" / "silent_dns.py")]


def test_a_resolver_that_never_answers_is_cut_at_the_bound(runner: Runner, start: Any, silent_dns: list[str]) -> None:
    # getaddrinfo blocks in C, where no signal handler runs: only a bound outside the step can end it.
    source = {"bucket": "bucket", "endpoint": "http://store.example.test:9000", "access_key_id": ACCESS_KEY}
    request = {
        "source": source | {"secret_access_key": SECRET_KEY},
        "version": VERSION,
        "params": {"file_path": "a.txt"},
    }
    result, elapsed = start("in", request, command=silent_dns, bound=BOUND).finish(runner)
    assert result.returncode == 1
    assert result.stderr == bound_line()
    assert BOUND <= elapsed < BOUND + SLACK
    assert list(result.directory.iterdir()) == []


def test_the_resolver_used_above_never_answers(silent_dns: list[str]) -> None:
    # What makes the test above mean something: a lookup there is still blocked at twice the bound, when the
    # bound line above can only have come from the bound.
    lookup = "import socket; socket.getaddrinfo('store.example.test', 9000)"
    process = subprocess.Popen([*silent_dns, sys.executable, "-c", lookup], start_new_session=True)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=2 * BOUND)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def is_guard(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_bytes().strip() == lifetime.GUARD_NAME
    except FileNotFoundError:
        return False


def running(pid: int) -> bool:
    """Whether a process is running: not gone, nor a zombie that nobody has reaped yet."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rpartition(")")[2].split()[0] != "Z"


def waiting_on_a_credential_process(s3: S3Server, start: Any, tmp_path: Path, bound: float) -> tuple[Step, int]:
    """Start a step whose credential chain runs a credential_process that never answers; return it and its pid."""
    pid_file = tmp_path / "credential-process.pid"
    helper = tmp_path / "never_answers.py"
    helper.write_text(f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)\n")
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\ncredential_process = {sys.executable} {helper}\n")
    source = {"bucket": "bucket", "endpoint": s3.endpoint}  # no keys: the chain finds them
    request = {"source": source, "version": VERSION, "params": {"file_path": "x"}}
    step = start("in", request, env={"AWS_CONFIG_FILE": str(config)}, bound=bound)
    step.wait_for(lambda: pid_file.exists() and pid_file.read_text(), "the credential chain ran")
    return step, int(pid_file.read_text())


def test_a_credential_process_that_never_answers_is_cut_at_the_bound_and_ended(
    s3: S3Server, runner: Runner, start: Any, tmp_path: Path
) -> None:
    # The credential chain runs in the step; what it started ends with it.
    step, credential_process = waiting_on_a_credential_process(s3, start, tmp_path, BOUND)
    result, elapsed = step.finish(runner)
    assert result.returncode == 1
    assert result.stderr == bound_line()
    assert BOUND <= elapsed < BOUND + SLACK
    assert gone_within(credential_process, SLACK)  # killed: on a busy machine, the kernel takes a moment to end it


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    return not running(pid)


@pytest.mark.parametrize("killed", ["step", "watcher"])
def test_a_credential_process_ends_with_a_step_killed_outright(
    s3: S3Server, runner: Runner, start: Any, tmp_path: Path, killed: str
) -> None:
    # As the out-of-memory killer ends a process: nothing in it runs again, yet what it started does not stay.
    step, credential_process = waiting_on_a_credential_process(s3, start, tmp_path, WIDE)
    os.kill(step.worker() if killed == "step" else step.process.pid, signal.SIGKILL)
    result, _ = step.finish(runner)
    assert result.returncode == (128 + signal.SIGKILL if killed == "step" else -signal.SIGKILL)
    assert gone_within(credential_process, SLACK)


_LEAVES_A_DAEMON = """\
import json, os, sys, time
pid_file, issued = sys.argv[1], sys.argv[2]
if os.fork() == 0:  # a daemon as such tools start one: a session of its own, its parent gone, no streams
    os.setsid()
    if os.fork() == 0:
        null = os.open(os.devnull, os.O_RDWR)
        for number in range(3):
            os.dup2(null, number)
        open(pid_file + ".tmp", "w").write(str(os.getpid()))
        os.rename(pid_file + ".tmp", pid_file)
        time.sleep(600)
    os._exit(0)
os.wait()
while not os.path.exists(pid_file):
    time.sleep(0.01)
print(issued)
"""


def test_a_daemon_that_a_credential_process_leaves_ends_with_the_step(
    s3: S3Server, runner: Runner, tmp_path: Path
) -> None:
    helper, pid_file = tmp_path / "leaves_a_daemon.py", tmp_path / "daemon.pid"
    helper.write_text(_LEAVES_A_DAEMON)
    issued = json.dumps({"Version": 1, "AccessKeyId": ACCESS_KEY, "SecretAccessKey": SECRET_KEY})
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\ncredential_process = {sys.executable} {helper} {pid_file} '{issued}'\n")
    source = {"bucket": "bucket", "endpoint": s3.endpoint}  # no keys: the chain finds them
    result = runner.get(source, {"file_path": "x", "verify": False}, env={"AWS_CONFIG_FILE": str(config)})
    daemon = int(pid_file.read_text())
    try:
        assert result.returncode == 0, result.stderr
        assert gone_within(daemon, SLACK)
    finally:
        if running(daemon):
            os.kill(daemon, signal.SIGKILL)


@pytest.mark.parametrize("step", ["check", "in", "out"])
def test_a_stdin_that_never_ends_is_cut_at_the_bound(runner: Runner, start: Any, step: str) -> None:
    started = start(step, {}, stdin=subprocess.PIPE, bound=BOUND)
    assert started.process.stdin is not None
    started.process.stdin.write('{"source": {"bucket": "bucket"')
    started.process.stdin.flush()  # and never closed until the step has ended
    result, elapsed = started.finish(runner)
    assert result.returncode == 1
    assert result.stderr == bound_line()
    assert BOUND <= elapsed < BOUND + SLACK


@pytest.mark.parametrize(
    "name", ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGVTALRM", "SIGXCPU", "SIGRTMIN"]
)
def test_every_signal_that_would_end_the_step_unhandled_gets_its_one_line(
    runner: Runner, start: Any, name: str
) -> None:
    # A step waiting for the rest of its request: started, handlers in place, and no file to leave.
    started = start("in", {}, stdin=subprocess.PIPE)
    assert started.process.stdin is not None
    started.process.stdin.write('{"source": {"bucket": "bucket"')
    started.process.stdin.flush()
    started.wait_for(
        lambda: Path(f"/proc/{started.process.pid}/task/{started.process.pid}/children").read_text(), "it forked"
    )
    # The watcher forks before the step imports what it needs, so this signal comes while the step still
    # imports. One that comes before the watcher has its handlers waits, blocked, until it has them.
    started.process.send_signal(signal.Signals[name])
    result, _ = started.finish(runner)
    assert (result.returncode, result.stderr) == (
        128 + signal.Signals[name],
        f"error: the step was stopped by {name}\n",
    )
    assert list(result.directory.iterdir()) == []


@pytest.mark.parametrize("step", ["check", "in"])
def test_a_long_unknown_key_ends_within_the_bound(s3: S3Server, runner: Runner, start: Any, step: str) -> None:
    # Reporting a key of 300,000 characters scans it: however that scan grows, the bound covers it.
    key = "a." * 150_000
    request = {"source": s3.source() | {key: 1}} if step == "check" else {"source": s3.source(), "params": {key: 1}}
    result, elapsed = start(step, request | ({"version": VERSION} if step == "in" else {}), bound=BOUND).finish(runner)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert elapsed < BOUND + SLACK


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGALRM"])
def test_a_signal_while_the_links_are_written_ends_in_one_line_and_leaves_nothing(
    runner: Runner, start: Any, name: str
) -> None:
    # SIGTERM is how an aborted build ends a step. The links' files are staged under temporary names, full of
    # signed URLs, when it comes.
    step = start("in", many_links())
    step.wait_until_writing_links()
    step.process.send_signal(signal.Signals[name])
    result, _ = step.finish(runner)
    assert result.returncode == 128 + signal.Signals[name]
    assert result.stderr == f"error: the step was stopped by {name}\n"
    assert result.stdout == ""
    assert list(result.directory.iterdir()) == []


def test_ctrl_c_reaches_every_process_of_the_step_and_still_gives_one_line(runner: Runner, start: Any) -> None:
    # A terminal sends SIGINT to the whole process group, the step and its watcher alike.
    step = start("in", many_links())
    step.wait_until_writing_links()
    os.killpg(step.process.pid, signal.SIGINT)
    result, _ = step.finish(runner)
    assert result.returncode == 130
    assert result.stderr == "error: the step was stopped by SIGINT\n"
    assert list(result.directory.iterdir()) == []


def test_a_step_killed_outright_leaves_nothing(runner: Runner, start: Any) -> None:
    # As the kernel's out-of-memory killer ends a process: no handler in the step runs, yet nothing stays.
    step = start("in", many_links())
    step.wait_until_writing_links()
    os.kill(step.worker(), signal.SIGKILL)
    result, _ = step.finish(runner)
    assert result.returncode == 128 + signal.SIGKILL
    assert result.stderr == "error: the step was stopped by SIGKILL\n"
    assert list(result.directory.iterdir()) == []


def test_a_watcher_killed_outright_takes_the_step_with_it(start: Any) -> None:
    # Nothing catches SIGKILL, so nothing can clean up after it; but no step runs on unwatched and unbounded,
    # even one waiting for a stdin that never ends.
    step = start("in", {}, stdin=subprocess.PIPE)
    step.wait_for(lambda: Path(f"/proc/{step.process.pid}/task/{step.process.pid}/children").read_text(), "it forked")
    worker = step.worker()
    step.process.kill()
    step.process.wait()
    assert gone_within(worker, SLACK)


@pytest.mark.parametrize(
    ("stdout", "cause"),
    [("closed", "Bad file descriptor"), ("/dev/full", "No space left on device"), ("unread", "Broken pipe")],
)
def test_a_response_that_cannot_be_written_fails_and_takes_the_files_back(
    s3: S3Server, runner: Runner, start: Any, stdout: str, cause: str
) -> None:
    # The files are in place when the response is written; until Concourse has it, the step has not succeeded.
    s3.put("unanswered/a.txt")
    request = {"source": s3.source(), "version": VERSION, "params": {"file_path": "unanswered/a.txt"}}
    if stdout == "closed":
        step = start("in", request, stdout=subprocess.DEVNULL, command=["sh", "-c", 'exec "$0" "$@" >&-'])
    elif stdout == "/dev/full":
        with Path("/dev/full").open("w") as full:
            step = start("in", request, stdout=full)
    else:
        read_end, write_end = os.pipe()
        os.close(read_end)
        step = start("in", request, stdout=write_end)
        os.close(write_end)
    result, _ = step.finish(runner, timeout=60)
    assert result.returncode == 1
    assert result.stderr == f"error: stdout: cannot write the response ({cause})\n"
    assert list(result.directory.iterdir()) == []
