"""Benchmark the resource: its three steps beside the plain boto3 way, big prefixes, and a step in its image.

Every comparison is interleaved, one command after the other in each round, and reports medians and the median
of the per-round ratios, so that a machine whose speed drifts still compares like with like. The scripts run
from bytecode and prepared botocore models, as the image runs them. Figures are also written as JSON
(``--json``, default ``bench-results.json``), so that runs can be compared between commits.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import botocore.session
from botocore.config import Config
from loopback_s3 import ACCESS_KEY, SECRET_KEY, generate_assets, serve

from s3_presigned.s3.session import SERVICES
from s3_presigned.s3.sigv4 import BatchSigner

ROOT = Path(__file__).resolve().parent.parent
BUILD_ENV = {"BUILD_ID": "1", "BUILD_TEAM_NAME": "main", "ATC_EXTERNAL_URL": "http://localhost:8080"}
RUNTIME_REQUIREMENTS = ROOT / "requirements.txt"
VERSION = {"execution_date": "1767225600"}
IMAGE_TAG = "s3-presigned-url:bench"


def main() -> int:
    """Run every comparison and report it."""
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="cold starts of each step (at least 15)")
    parser.add_argument("--keys", type=int, default=10_000, help="keys signed per bulk round")
    parser.add_argument("--prefixes", default="1000,10000", help="object counts of the prefix steps")
    parser.add_argument("--image-runs", type=int, default=7, help="runs of a step in the image; 0 to skip it")
    parser.add_argument("--json", type=Path, default=Path("bench-results.json"), help="where to write the figures")
    options = parser.parse_args()
    if options.runs < 15:  # noqa: PLR2004  # medians over fewer runs are too noisy on shared machines
        parser.error("--runs must be at least 15")

    results: dict[str, object] = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }
    # As the image does: bytecode compiled once, not on every start.
    compileall.compile_dir(ROOT / "s3_presigned", quiet=1)
    compileall.compile_file(ROOT / "scripts" / "baseline_resource.py", quiet=1)
    with tempfile.TemporaryDirectory(prefix="s3-presigned-bench-") as scratch:
        work = Path(scratch)
        (work / "s3" / "bucket" / "folder").mkdir(parents=True)
        (work / "s3" / "bucket" / "folder" / "file.txt").write_text("benchmark object\n")
        with serve(work / "s3") as endpoint:
            generate_assets(ROOT, work / "resource", "s3_presigned/resource.py")
            generate_assets(ROOT / "scripts", work / "baseline", "baseline_resource.py")
            results["steps"] = step_starts(work, endpoint, options.runs)
            results["bulk_signing"] = bulk_signing(endpoint, options.keys)
            counts = [int(count) for count in options.prefixes.split(",")]
            results["prefixes"] = [prefix_step(work, endpoint, count, runs=3) for count in counts]
            results["image"] = image_start(work, endpoint, options.image_runs)
    results["installed_size"] = installed_size()
    report(results)
    options.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nfigures written to {options.json}")
    return 0


def _source(endpoint: str) -> dict[str, str]:
    return {"bucket": "bucket", "endpoint": endpoint, "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}


def step_starts(work: Path, endpoint: str, runs: int) -> dict[str, object]:
    """Start each step as Concourse does, in turn each round: ``in`` with its link proven, the plain way, check, out."""
    source = _source(endpoint)
    get = {"source": source, "version": VERSION, "params": {"file_path": "folder/file.txt"}}
    # The floor: what importing botocore and concoursetools alone costs, which no step of this resource avoids.
    floor = work / "floor.py"
    floor.write_text("import botocore.session, concoursetools.additional\n")
    commands = {
        "in": (work / "resource" / "in", get, ROOT),
        "baseline": (work / "baseline" / "in", get, ROOT / "scripts"),
        "check": (work / "resource" / "check", {"source": source}, ROOT),
        "out": (work / "resource" / "out", {"source": source, "params": {}}, ROOT),
        "floor": (floor, {}, ROOT),
    }
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for index in range(runs + 1):
        for name, (script, request, path) in commands.items():
            directory = work / f"step-{name}"
            directory.mkdir(exist_ok=True)
            argv = [sys.executable, str(script), str(directory)]
            measured = _timed_process(argv, json.dumps(request), os.environ | BUILD_ENV | {"PYTHONPATH": str(path)})
            if index:  # the first round warms the page cache and is not counted
                samples[name].append(measured)

    def ratio(name: str, against: str) -> float:
        pairs = zip(samples[name], samples[against], strict=True)
        return round(statistics.median(mine[0] / theirs[0] for mine, theirs in pairs), 3)

    return {
        "runs": runs,
        "median_ms": {name: _median_ms([wall for wall, _ in walls]) for name, walls in samples.items()},
        "peak_rss_mib": {name: round(statistics.median(rss for _, rss in s), 1) for name, s in samples.items()},
        "in_vs_baseline": ratio("in", "baseline"),
        "floor_vs_baseline": ratio("floor", "baseline"),
        "check_vs_in": ratio("check", "in"),
        "out_vs_in": ratio("out", "in"),
    }


def bulk_signing(endpoint: str, keys: int) -> dict[str, object]:
    """Sign many keys with the batch signer and with generate_presigned_url in a loop, in alternating rounds."""
    client = botocore.session.Session().create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    names = [f"artifacts/build-{n:05}/app.tgz" for n in range(keys)]

    def presign(key: str) -> str:
        return str(client.generate_presigned_url("get_object", Params={"Bucket": "bucket", "Key": key}, ExpiresIn=3600))

    def loop() -> None:
        for key in names:
            presign(key)

    def batch() -> None:
        signer = BatchSigner(presign(names[0]), names[0], "GET", SECRET_KEY, {})
        assert signer.agrees  # noqa: S101  # a benchmark of a signer that disagrees would mean nothing
        for key in names[1:]:
            signer.url(key)

    rounds = {"batch": batch, "loop": loop}
    per_url: dict[str, list[float]] = {name: [] for name in rounds}
    for _ in range(5):
        for name, work in rounds.items():
            per_url[name].append(_seconds(work) / keys * 1e6)
    return {
        "keys": keys,
        "resource_us_per_url": round(statistics.median(per_url["batch"]), 2),
        "loop_us_per_url": round(statistics.median(per_url["loop"]), 2),
        "ratio": round(statistics.median(per_url["batch"]) / statistics.median(per_url["loop"]), 4),
    }


def prefix_step(work: Path, endpoint: str, objects: int, runs: int) -> dict[str, object]:
    """Time a whole ``in`` step that signs every object under a prefix, with its peak memory and its files."""
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(s3={"addressing_style": "path"}, max_pool_connections=32),
    )
    prefix = f"release-{objects}/"
    with ThreadPoolExecutor(max_workers=32) as pool:
        list(
            pool.map(
                lambda n: s3.put_object(Bucket="bucket", Key=f"{prefix}part-{n:06}.bin", Body=b"x"), range(objects)
            )
        )
    params = {"prefix": prefix, "max_objects": objects}
    request = {"source": _source(endpoint), "version": VERSION, "params": params}
    directory = work / f"out-prefix-{objects}"
    argv = [sys.executable, str(work / "resource" / "in"), str(directory)]
    directory.mkdir()
    measured = [
        _timed_process(argv, json.dumps(request), os.environ | BUILD_ENV | {"PYTHONPATH": str(ROOT)})
        for _ in range(runs)
    ]
    signed = len(json.loads((directory / "urls.json").read_text()))
    return {
        "objects": signed,
        "runs": runs,
        "median_ms": _median_ms([wall for wall, _ in measured]),
        "peak_rss_mib": round(statistics.median(rss for _, rss in measured), 1),
        "manifest_mb": round((directory / "manifest.json").stat().st_size / 1e6, 2),
        "urls_mb": round((directory / "urls.json").stat().st_size / 1e6, 2),
    }


def image_start(work: Path, endpoint: str, runs: int) -> dict[str, object]:
    """Run ``in`` inside the image, in turn with ``docker run ... true``: the container's own start."""
    if runs < 1:
        return {"skipped": "--image-runs 0"}
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "info"], capture_output=True, check=False).returncode:
        return {"skipped": "no container engine (docker info fails)"}
    build = [docker, "build", "-q", "-t", IMAGE_TAG]
    if base := os.environ.get("BASE_IMAGE"):
        build += ["--build-arg", f"BASE_IMAGE={base}"]
    subprocess.run([*build, str(ROOT)], check=True, capture_output=True)
    directory = work / "image-out"
    directory.mkdir()
    inside = "/tmp/build/get"  # noqa: S108  # a path in the container, as Concourse mounts a get's directory
    mount = ["-v", f"{directory}:{inside}", "--network", "host"]
    commands = {
        "in": ([docker, "run", "--rm", "-i", *mount, IMAGE_TAG, "/opt/resource/in", inside], True),
        "true": ([docker, "run", "--rm", IMAGE_TAG, "true"], False),
    }
    request = json.dumps({"source": _source(endpoint), "version": VERSION, "params": {"file_path": "folder/file.txt"}})
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for index in range(runs + 1):
        for name, (argv, sends_request) in commands.items():
            wall, _ = _timed_process(argv, request if sends_request else "", os.environ)
            if index:
                walls[name].append(wall)
    return {
        "runs": runs,
        "in_ms": _median_ms(walls["in"]),
        "true_ms": _median_ms(walls["true"]),
        "step_ms": _median_ms([step - empty for step, empty in zip(walls["in"], walls["true"], strict=True)]),
    }


def installed_size() -> dict[str, object]:
    """Measure the runtime dependencies as installed here, and as the image ships them."""
    total = trimmed = 0
    for line in RUNTIME_REQUIREMENTS.read_text().splitlines():
        name = line.split("==")[0].strip()
        if not name or name.startswith("#"):
            continue
        for file in importlib.metadata.distribution(name).files or []:
            size = Path(file.locate()).stat().st_size if Path(file.locate()).is_file() else 0
            total += size
            parts = Path(str(file)).parts
            in_a_service_folder = parts[:2] == ("botocore", "data") and len(parts[2:]) > 1
            unused_model = in_a_service_folder and parts[2] not in SERVICES
            if not unused_model:
                trimmed += size
    return {"installed_mib": round(total / 2**20, 1), "image_mib": round(trimmed / 2**20, 1)}


def report(results: dict[str, object]) -> None:
    """Print the figures as a table."""
    steps, bulk, prefixes, image, size = (
        results[name] for name in ("steps", "bulk_signing", "prefixes", "image", "installed_size")
    )
    assert isinstance(steps, dict) and isinstance(bulk, dict) and isinstance(image, dict) and isinstance(size, dict)  # noqa: S101, PT018  # for the type checker
    assert isinstance(prefixes, list)  # noqa: S101  # for the type checker
    median, rss = steps["median_ms"], steps["peak_rss_mib"]
    rows: list[tuple[str, object, object, object]] = [
        ("`in`, one URL, its link proven (median ms)", median["in"], median["baseline"], steps["in_vs_baseline"]),
        ("botocore + concoursetools imports alone (median ms)", median["floor"], "", steps["floor_vs_baseline"]),
        ("`check` (median ms; ratio to `in`)", median["check"], "", steps["check_vs_in"]),
        ("`out` (median ms; ratio to `in`)", median["out"], "", steps["out_vs_in"]),
        ("peak RSS of `in` (median MiB)", rss["in"], rss["baseline"], ""),
        (
            f"bulk signing, {bulk['keys']} keys (µs per URL)",
            bulk["resource_us_per_url"],
            bulk["loop_us_per_url"],
            bulk["ratio"],
        ),
    ]
    for prefix in prefixes:
        objects = prefix["objects"]
        rows.append((f"`in`, {objects:,}-object prefix (median ms)", prefix["median_ms"], "", ""))
        rows.append(("  peak RSS (MiB); manifest.json (MB)", prefix["peak_rss_mib"], "", prefix["manifest_mb"]))
    if "skipped" in image:
        rows.append(("`in` in the image", f"skipped: {image['skipped']}", "", ""))
    else:
        rows.append(("`in` in the image; `docker run … true` (median ms)", image["in_ms"], image["true_ms"], ""))
        rows.append(("  the step's own share in the image (median ms)", image["step_ms"], "", ""))
    rows.append(("runtime dependencies installed (MiB)", size["image_mib"], size["installed_mib"], ""))
    print(f"{results['commit']} on {results['machine']}, Python {results['python']}, {steps['runs']} starts each\n")
    print(f"| {'what':<52} | {'resource':>9} | {'baseline':>9} | {'ratio':>7} |")
    print(f"|{'-' * 54}|{'-' * 11}|{'-' * 11}|{'-' * 9}|")
    for what, ours, theirs, ratio in rows:
        print(f"| {what:<52} | {ours!s:>9} | {theirs!s:>9} | {ratio!s:>7} |")


# Runs a command and reports its wall time and peak RSS. A child forked straight from this benchmark would report
# the benchmark's own memory as its peak, since Linux carries a forked copy's high-water mark across exec; forked
# from this small launcher, it starts from the launcher's few MiB instead.
_LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(f"{time.perf_counter() - started} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _timed_process(argv: list[str], stdin: str, env: dict[str, str]) -> tuple[float, float]:
    """Run a process to its end; return its wall time in seconds and its own peak RSS in MiB."""
    with tempfile.NamedTemporaryFile("r", suffix=".measured") as report:
        launcher = [sys.executable, "-c", _LAUNCHER, report.name, shutil.which(argv[0]) or argv[0], *argv[1:]]
        done = subprocess.run(launcher, input=stdin.encode(), capture_output=True, env=env, check=False)
        if done.returncode:
            sys.exit(f"{' '.join(argv[:2])} failed: {done.stderr.decode().strip()}")
        wall, peak_kib = report.read().split()
    return float(wall), int(peak_kib) / 1024


def _seconds(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _median_ms(seconds: list[float]) -> float:
    return round(statistics.median(seconds) * 1000, 1)


def _commit() -> str:
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return described.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
