#!/usr/bin/python3
"""Measures the GPU idle gap: from a job's process ending to the next job's process starting
on the same GPU, through the whole path (worker -> master -> database -> worker -> fork).

Starts `yard up` with fake GPUs in a temporary folder, submits N one-GPU jobs of `true` as one
grid sweep, waits for all of them, then reads the workers' start and end times (microseconds)
from the database with plain SQL.

  bench/dispatch/idle_gap.py [--jobs 1000] [--gpus 4] [--yard build/yard]
"""

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--gpus", type=int, default=4)
    ap.add_argument("--yard", default=os.path.join(os.path.dirname(__file__), "..", "..", "build", "yard"))
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="yard-idle-gap-")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(os.path.join(tmp, "yard.log"), "w")
    server = subprocess.Popen([args.yard, "up", "--data-dir", tmp, "--listen", f"127.0.0.1:{port}",
                               "--gpus", f"fake:{args.gpus}"], stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        for _ in range(200):
            try:
                if get(url + "/v1/workers")["workers"]:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        spec = {"spec": {"name": "gap", "command": "true", "hyperparameters": {"i": list(range(args.jobs))}},
                "user": "bench"}
        t0 = time.monotonic()
        req = urllib.request.Request(url + "/v1/jobs", data=json.dumps(spec).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            sweep = json.loads(r.read())["sweep_id"]
        # /metrics is cheap for the master; listing 1,000 jobs every poll would load it.
        while True:
            with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
                text = r.read().decode()
            if not any(line.startswith("yard_jobs{") for line in text.splitlines()):
                break
            time.sleep(0.1)
        elapsed = time.monotonic() - t0

        db = sqlite3.connect(os.path.join(tmp, "yard.db"))
        rows = db.execute("select state, gpus, started_at, finished_at from jobs where sweep_id=?",
                          (sweep,)).fetchall()
        states = {}
        by_gpu = {}
        for state, gpus, started, finished in rows:
            states[state] = states.get(state, 0) + 1
            (gpu,) = json.loads(gpus)
            by_gpu.setdefault((gpu["worker"], gpu["index"]), []).append((started, finished))
        gaps = []
        overlaps = 0
        for spans in by_gpu.values():
            spans.sort()
            for (s0, f0), (s1, f1) in zip(spans, spans[1:]):
                if s1 < f0:
                    overlaps += 1
                gaps.append((s1 - f0) / 1000.0)
        print(f"jobs: {len(rows)} on {args.gpus} fake GPUs, states {states}, "
              f"{len(rows) / elapsed:.0f} jobs/s from submit to last finish ({elapsed:.2f} s)")
        print(f"idle gap (GPU free -> next process started), over {len(gaps)} gaps: "
              f"median {statistics.median(gaps):.2f} ms, p99 {percentile(gaps, 99):.2f} ms, "
              f"max {max(gaps):.2f} ms")
        if overlaps or states.get("SUCCEEDED") != args.jobs:
            print(f"ERROR: {overlaps} overlapping jobs on one GPU; states {states}", file=sys.stderr)
            return 1
        return 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        if os.environ.get("KEEP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
