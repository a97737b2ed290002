"""A step's process from its start to its exit: one bound on its time, one line when it is stopped, nothing left.

The process Concourse starts forks first thing. The child runs the step; the parent watches it and does nothing
else. The watcher needs nothing from the step, not even its interpreter lock, so no call the step is in holds it
past the bound: a DNS lookup blocked in C, a regular expression over a long text, a read from a stdin that never
ends. It ends the process when the step exits, when the bound passes, or when a signal comes, such as the SIGTERM
that ends the step of an aborted build. Whenever the step did not succeed, it removes every file the step had
claimed, staged or placed, in the destination or in the temporary directory.
"""

import base64
import contextlib
import gc
import os
import select
import signal
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple, NoReturn

from s3_presigned.core.claims import Claims
from s3_presigned.core.deadline import shortened

STEP_SECONDS = 120  # no step runs longer, from its start to its exit, whatever servers, DNS or stdin do
BOUND_VARIABLE = "S3_PRESIGNED_STEP_SECONDS"
# An aborted build's, a terminal's, a lost terminal's, and every other signal that ends a process unhandled,
# but those no process can catch (SIGKILL) and those a fault raises in the process itself (SIGSEGV and the like).
_STOPPING: tuple[int, ...] = tuple(
    number
    for number in (
        *(
            getattr(signal, name)
            for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGVTALRM",
                         "SIGPROF", "SIGXCPU", "SIGXFSZ", "SIGIO", "SIGPWR", "SIGSTKFLT")
            if hasattr(signal, name)
        ),
        *range(signal.SIGRTMIN, signal.SIGRTMAX + 1),
    )
)  # fmt: skip
_REAP_SECONDS = 1.0  # for a killed step to be gone; only a call stuck in the kernel takes longer
_LINE_SECONDS = 1.0  # for stderr to take the last line: a reader that stopped reading does not hold the process
_NAME_BYTES = 5  # eight characters in base32, as many as tempfile gives its names
_NAME_ATTEMPTS = 100
_PR_SET_PDEATHSIG = 1  # from linux/prctl.h
_PR_SET_NAME = 15  # the same
_PR_SET_CHILD_SUBREAPER = 36  # the same
GUARD_NAME = b"presigned-guard"  # as ps shows it: a process name holds 15 bytes
STEPS = ("check", "in", "out")  # the scripts Concourse runs, as /opt/resource names them

# In the step, the pipe to its watcher; None where nothing watches, as in tests. The one state of the process's
# own: set in the step's process before anything is imported, so that every file created anywhere is claimed.
_channel: int | None = None


class _Watched(NamedTuple):
    """The step, as its watcher sees it."""

    pid: int
    claims: Claims
    grouped: bool  # whether the step leads a process group of its own
    guard: int | None  # the guard, the one child of the watcher's own that outlives it


def supervise_script() -> None:
    """Supervise the process if it runs one of Concourse's scripts, before they import anything else.

    A signal in the step's first moments, while botocore and the rest are imported, then gets its one line too.
    """
    main = sys.modules.get("__main__")
    if Path(getattr(main, "__file__", None) or "").name in STEPS:
        supervise()
        # The step lives for a fraction of a second and makes few reference cycles; the cyclic collector would
        # only walk, again and again, the millions of objects that importing botocore and the rest create.
        gc.disable()


def supervise() -> None:
    """Return in a new process that runs the step, while this one watches it and exits as it should end.

    Call it first thing, before anything reads stdin; in a process already supervised, it returns at once.
    """
    global _channel  # noqa: PLW0603  # one process has one watcher
    if _channel is not None:
        return
    started = time.monotonic()
    seconds = bound(os.environ)  # the process's own: the watcher starts before any step is made
    _hold_standard_streams()
    read_end, write_end = os.pipe()
    # Signals wait until each process has set up its own handling of them.
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    watcher = os.getpid()
    grouped = not _in_terminal()
    _reap_orphans()
    try:
        step = os.fork()
    except OSError as error:
        _say(f"cannot start the step: {error.strerror}")
        os._exit(1)
    if step == 0:
        _die_with(watcher)
        if grouped:
            os.setpgid(0, 0)
        os.close(read_end)
        _channel = write_end
        for signum in _STOPPING:
            signal.signal(signum, signal.SIG_DFL)  # the watcher says the one line, and no KeyboardInterrupt does
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
        return
    os.close(write_end)
    if grouped:
        with contextlib.suppress(OSError):  # the step has done it already
            os.setpgid(step, step)  # here too, so that the group is there before anything relies on it
    guard = _guard(step, read_end) if grouped else None
    _watch(_Watched(step, Claims(read_end), grouped, guard), started + seconds, seconds)


def _in_terminal() -> bool:
    """Whether the process has a terminal, whose job control would stop a step in a group of its own that reads it.

    There, a terminal's Ctrl-C reaches the step and what it started anyway: they share the terminal's group.
    """
    try:
        os.close(os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY))
    except OSError:
        return False
    return True


def _guard(step: int, channel: int) -> int | None:
    """Start a process that kills the step's group once the watcher has ended, however it ended.

    It only waits for the end of a pipe that the watcher alone holds open: the kernel closes it with the watcher.
    """
    alive_read, alive_write = os.pipe()
    try:
        guard = os.fork()
    except OSError:
        os.close(alive_read)
        os.close(alive_write)
        return None  # unguarded, the step still ends with its watcher, by its parent-death signal
    if guard != 0:
        os.close(alive_read)
        return guard
    # Signals stay blocked, as the watcher blocked them before it forked: they are the watcher's to answer.
    os.setpgid(0, 0)  # a signal to the watcher's group, even SIGKILL, leaves the guard to do its work
    os.close(alive_write)
    os.close(channel)
    nothing = os.open(os.devnull, os.O_RDWR)
    for number in range(3):  # nothing that the step's reader waits on stays open here
        os.dup2(nothing, number)
    os.close(nothing)
    _name(GUARD_NAME)
    while os.read(alive_read, 1):
        pass
    with contextlib.suppress(OSError):  # none of it left
        os.killpg(step, signal.SIGKILL)
    os._exit(0)


def _name(name: bytes) -> None:
    if sys.platform == "linux":
        import ctypes  # noqa: PLC0415  # a millisecond, and only here

        ctypes.CDLL(None).prctl(_PR_SET_NAME, ctypes.c_char_p(name))


def _reap_orphans() -> None:
    """Have Linux give the watcher what the step started and left: a daemon, in a session of its own, is its child.

    Without it, a process that forks twice and leaves, as a credential_process may to keep a cache, goes to init.
    """
    if sys.platform == "linux":
        import ctypes  # noqa: PLC0415  # a millisecond, and only here

        ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1)


def _die_with(watcher: int) -> None:
    """Have Linux kill the step if its watcher is killed outright: unwatched, nothing would bound it."""
    if sys.platform != "linux":
        return
    import ctypes  # noqa: PLC0415  # a millisecond, and only here

    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != watcher:  # it was killed before the line above
        os._exit(1)


def bound(environ: Mapping[str, str]) -> float:
    """Return the step's bound in seconds: :data:`STEP_SECONDS`, or less where the environment asks for less."""
    return shortened(STEP_SECONDS, BOUND_VARIABLE, environ)


def claim(path: Path) -> None:
    """Make a file the step's to remove if it does not succeed: claim it before it is created or renamed onto.

    :param path: The file.
    """
    _tell(b"+", path)


def release(path: Path) -> None:
    """Give up the claim on a file that the step removed or renamed away, so that nothing of another's is removed.

    :param path: The file.
    """
    _tell(b"-", path)


def create(directory: Path, prefix: str, suffix: str = "") -> tuple[int, Path]:
    """Create a new file under a random name, readable by its owner only, and claimed before it exists.

    :param directory: Where to create it.
    :param prefix: The start of its name.
    :param suffix: The end of its name.
    :returns: A descriptor open for writing, and the file's path.
    :raises FileExistsError: If no name tried is free.
    """
    for _ in range(_NAME_ATTEMPTS):
        path = directory / f"{prefix}{base64.b32encode(os.urandom(_NAME_BYTES)).decode().lower()}{suffix}"
        claim(path)
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), path
        except FileExistsError:
            release(path)
    raise FileExistsError(f"no free name for a new file in {directory}")


@contextlib.contextmanager
def scratch_file(text: str, suffix: str) -> Iterator[str]:
    """Hold ``text`` in a new file of the temporary directory while the block runs, and never after the step.

    :param text: What the file holds.
    :param suffix: The end of its name, such as ``.pem``.
    :returns: The file's path.
    """
    import tempfile  # noqa: PLC0415  # only a step with a CA bundle needs it; check and out never do

    handle, path = create(Path(tempfile.gettempdir()), "tmp", suffix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        yield str(path)
    finally:
        path.unlink(missing_ok=True)
        release(path)


def _tell(kind: bytes, path: Path) -> None:
    if _channel is None:
        return
    message = kind + os.fsencode(Path(path).absolute()) + b"\0"
    if message.count(b"\0") > 1:
        raise ValueError(f"embedded null byte in {path!r}")  # as os.open would, but before a claim is cut short
    while message:
        message = message[os.write(_channel, message) :]


def _hold_standard_streams() -> None:
    """Hold the number of a closed standard stream with /dev/null, read-only.

    A closed stdout stays unwritable, so the step fails when it answers, as it must; but no file the step opens
    takes the number 1 and gets what was meant for stdout.
    """
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        try:
            os.fstat(number)
        except OSError:
            held = os.open(os.devnull, os.O_RDONLY)
            if held != number:
                os.dup2(held, number)
                os.close(held)
        if getattr(sys, name) is None:  # Python starts with None for a stream that was closed
            setattr(sys, name, open(number, "r" if number == 0 else "w", encoding="utf-8", closefd=False))  # noqa: SIM115  # it lives as long as the process


def _watch(step: _Watched, deadline: float, seconds: float) -> NoReturn:
    """Wait for the step to exit, the bound to pass or a signal to come, and end the process accordingly."""
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)  # a signal becomes a byte to select
    for stopping in _STOPPING:
        signal.signal(stopping, _noted)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _stop(step, f"the step took longer than {seconds:g} s, its bound, and was stopped", 1)
        ready = select.select([step.claims.channel, wake_read], [], [], remaining)[0]
        if step.claims.channel in ready and not step.claims.read():
            _end(step, os.waitpid(step.pid, 0)[1])
        if wake_read in ready:
            signum = os.read(wake_read, 1)[0]
            _stop(step, f"the step was stopped by {_signal_name(signum)}", 128 + signum)


def _noted(signum: int, frame: object) -> None:
    """Let a signal through to the wake-up pipe rather than end the watcher."""


def _stop(step: _Watched, line: str, code: int) -> NoReturn:
    """Kill the step, remove what it claimed and end in one line; a step that had exited by itself ends as it did."""
    for pid in _freeze(step.pid):  # and whatever it started, such as a credential_process that never answers
        with contextlib.suppress(OSError):  # gone already
            os.kill(pid, signal.SIGKILL)
    step.claims.read_until_closed(_REAP_SECONDS)
    pid, status = os.waitpid(step.pid, os.WNOHANG)
    if pid and os.WIFEXITED(status):
        _end(step, status)
    step.claims.remove()
    _say(line)
    _exit(step, code)


def _freeze(pid: int) -> list[int]:
    """Stop a process and, once it can start no other, each process it started, and theirs, as /proc lists them."""
    os.kill(pid, signal.SIGSTOP)
    tree = [pid]
    for child in _children(pid):
        with contextlib.suppress(OSError):  # gone already, or not the step's to stop
            tree += _freeze(child)
    return tree


def _children(pid: int) -> list[int]:
    """List the children of a process, as /proc lists them for each of its threads."""
    found: list[int] = []
    # Listed rather than globbed: the watcher does this as it exits, and a glob first compiles its pattern.
    with contextlib.suppress(OSError):  # the process is gone
        for thread in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):  # the thread is gone
                found += map(int, (thread / "children").read_text().split())
    return found


def _end(step: _Watched, status: int) -> NoReturn:
    """End as the step did: a step that failed has said why, and leaves nothing; one killed by a signal says so."""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        step.claims.remove()
    if code < 0:
        _say(f"the step was stopped by {_signal_name(-code)}")
    _exit(step, 128 - code if code < 0 else code)


def _exit(step: _Watched, code: int) -> NoReturn:
    """End the process, and whatever the step started that is still running, such as a credential_process."""
    if step.grouped:
        with contextlib.suppress(OSError):  # none of it left
            os.killpg(step.pid, signal.SIGKILL)
    for pid in _orphans(step.guard):  # whatever left the step's group and the step's tree
        with contextlib.suppress(OSError):  # gone already
            os.kill(pid, signal.SIGKILL)
    os._exit(code)


def _orphans(guard: int | None) -> list[int]:
    """Stop the watcher's children but its guard, each with all it started: processes the step started and left."""
    tree: list[int] = []
    for child in _children(os.getpid()):
        if child != guard:
            with contextlib.suppress(OSError):  # gone already
                tree += _freeze(child)
    return tree


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _say(line: str) -> None:
    """Write the one line to stderr, unless it cannot take it within a second: the process ends either way."""
    with contextlib.suppress(OSError, ValueError):
        if select.select([], [2], [], _LINE_SECONDS)[1]:
            os.write(2, f"error: {line}\n".encode())
