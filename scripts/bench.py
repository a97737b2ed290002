"""Benchmark the resource against the plain boto3 way, side by side against a loopback S3 server.

Prints a table and writes the same figures as JSON (``--json``, default ``bench-results.json``), so
runs can be compared between commits. Every comparison is interleaved, A B A B, and reports medians.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
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

from s3_presigned.session import SERVICES
from s3_presigned.sigv4 import BatchSigner

ROOT = Path(__file__).resolve().parent.parent
BUILD_ENV = {"BUILD_ID": "1", "BUILD_TEAM_NAME": "main", "ATC_EXTERNAL_URL": "http://localhost:8080"}
RUNTIME_REQUIREMENTS = ROOT / "requirements.txt"


def main() -> int:
    """Run every comparison and report it."""
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="cold starts of each command (at least 15)")
    parser.add_argument("--keys", type=int, default=10_000, help="keys signed per bulk round")
    parser.add_argument("--prefix-objects", type=int, default=5_000, help="objects under the prefix step's prefix")
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
    with tempfile.TemporaryDirectory(prefix="s3-presigned-bench-") as scratch:
        work = Path(scratch)
        (work / "s3" / "bucket" / "folder").mkdir(parents=True)
        (work / "s3" / "bucket" / "folder" / "file.txt").write_text("benchmark object\n")
        with serve(work / "s3") as endpoint:
            generate_assets(ROOT, work / "resource", "s3_presigned/resource.py")
            generate_assets(ROOT / "scripts", work / "baseline", "baseline_resource.py")
            results["cold_start"] = cold_start(work, endpoint, options.runs)
            results["bulk_signing"] = bulk_signing(endpoint, options.keys)
            results["prefix_step"] = prefix_step(work, endpoint, options.prefix_objects, runs=3)
    results["installed_size"] = installed_size()
    report(results)
    options.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nfigures written to {options.json}")
    return 0


def cold_start(work: Path, endpoint: str, runs: int) -> dict[str, object]:
    """Start ``in`` for one URL as Concourse does, against the baseline resource, alternately."""
    source = {"bucket": "bucket", "endpoint": endpoint, "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}
    version = {"execution_date": "1767225600"}
    ours = {"source": source, "version": version, "params": {"file_path": "folder/file.txt", "verify": False}}
    plain = {"source": source, "version": version, "params": {"file_path": "folder/file.txt"}}
    commands = {
        "resource": ([sys.executable, str(work / "resource" / "in"), str(work / "out-a")], ours, ROOT),
        "baseline": ([sys.executable, str(work / "baseline" / "in"), str(work / "out-b")], plain, ROOT / "scripts"),
    }
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for index in range(runs + 1):
        for name, (argv, request, path) in commands.items():
            Path(argv[-1]).mkdir(exist_ok=True)
            measured = _timed_process(argv, json.dumps(request), os.environ | BUILD_ENV | {"PYTHONPATH": str(path)})
            if index:  # the first round warms the page cache and is not counted
                samples[name].append(measured)
    ratios = [a[0] / b[0] for a, b in zip(samples["resource"], samples["baseline"], strict=True)]
    return {
        "runs": runs,
        "resource_ms": _median_ms([wall for wall, _ in samples["resource"]]),
        "baseline_ms": _median_ms([wall for wall, _ in samples["baseline"]]),
        "ratio": round(statistics.median(ratios), 3),
        "resource_peak_rss_mib": round(statistics.median(rss for _, rss in samples["resource"]), 1),
        "baseline_peak_rss_mib": round(statistics.median(rss for _, rss in samples["baseline"]), 1),
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
    """Time a whole ``in`` step that signs every object under a prefix."""
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(s3={"addressing_style": "path"}, max_pool_connections=32),
    )
    with ThreadPoolExecutor(max_workers=32) as pool:
        list(
            pool.map(
                lambda n: s3.put_object(Bucket="bucket", Key=f"release/part-{n:05}.bin", Body=b"x"), range(objects)
            )
        )
    source = {"bucket": "bucket", "endpoint": endpoint, "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}
    request = {"source": source, "version": {"execution_date": "1767225600"}, "params": {"prefix": "release/"}}
    argv = [sys.executable, str(work / "resource" / "in"), str(work / "out-prefix")]
    walls = [
        _timed_process(argv, json.dumps(request), os.environ | BUILD_ENV | {"PYTHONPATH": str(ROOT)})[0]
        for _ in range(runs)
    ]
    signed = len(json.loads((work / "out-prefix" / "urls.json").read_text()))
    return {"objects": signed, "runs": runs, "median_ms": _median_ms(walls)}


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
    cold, bulk, prefix, size = (
        results[name] for name in ("cold_start", "bulk_signing", "prefix_step", "installed_size")
    )
    assert isinstance(cold, dict) and isinstance(bulk, dict) and isinstance(prefix, dict) and isinstance(size, dict)  # noqa: S101, PT018  # for the type checker
    rows = [
        ("cold start of `in`, one URL (median ms)", cold["resource_ms"], cold["baseline_ms"], cold["ratio"]),
        ("peak RSS of `in` (median MiB)", cold["resource_peak_rss_mib"], cold["baseline_peak_rss_mib"], ""),
        (
            f"bulk signing, {bulk['keys']} keys (µs per URL)",
            bulk["resource_us_per_url"],
            bulk["loop_us_per_url"],
            bulk["ratio"],
        ),
        (f"`in` with a {prefix['objects']}-object prefix (median ms)", prefix["median_ms"], "", ""),
        ("runtime dependencies installed (MiB)", size["image_mib"], size["installed_mib"], ""),
    ]
    print(f"{results['commit']} on {results['machine']}, Python {results['python']}, {cold['runs']} cold starts each\n")
    print(f"| {'what':<48} | {'resource':>9} | {'baseline':>9} | {'ratio':>7} |")
    print(f"|{'-' * 50}|{'-' * 11}|{'-' * 11}|{'-' * 9}|")
    for what, ours, theirs, ratio in rows:
        print(f"| {what:<48} | {ours!s:>9} | {theirs!s:>9} | {ratio!s:>7} |")


def _timed_process(argv: list[str], stdin: str, env: dict[str, str]) -> tuple[float, float]:
    """Run a process to its end; return its wall time in seconds and its own peak RSS in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert process.stdin is not None and process.stderr is not None  # noqa: S101, PT018  # both are pipes
    process.stdin.write(stdin.encode())
    process.stdin.close()
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)  # reaped here, so that its own rusage is returned
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    if process.returncode:
        sys.exit(f"{argv[1]} failed: {errors.decode().strip()}")
    return wall, usage.ru_maxrss / 1024


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
