#!/usr/bin/python3
"""Drain benchmark: N one-GPU jobs of `true` on one worker with 8 fake GPUs, through Trainyard
(process runtime) and through Slurm with 8 GPUs (../shared/peers/slurm-local), in one run.

Reports jobs per second from the first submit to the last finish, and for Trainyard the GPU
idle gap (a GPU freeing to the next job's process starting, from the worker's timestamps in
the database). Ends with:
  dispatch: yard J jobs/s, slurm S jobs/s (tuned T), ratio R

  bench/dispatch/drain.py [--jobs 2000] [--gpus 8] [--skip-slurm] [--slurm-local PATH]
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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def http(url, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


def run_yard(yard, jobs, gpus):
    tmp = tempfile.mkdtemp(prefix="yard-drain-")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(os.path.join(tmp, "yard.log"), "w")
    server = subprocess.Popen([yard, "up", "--data-dir", tmp, "--listen", f"127.0.0.1:{port}",
                               "--gpus", f"fake:{gpus}"], stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        for _ in range(400):
            try:
                if json.loads(http(url + "/v1/workers"))["workers"]:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        spec = {"spec": {"name": "drain", "command": "true",
                         "hyperparameters": {"i": list(range(jobs))}}, "user": "bench"}
        t0 = time.monotonic()
        sweep = json.loads(http(url + "/v1/jobs", spec))["sweep_id"]
        while any(line.startswith("yard_jobs{") for line in
                  http(url + "/metrics").decode().splitlines()):
            time.sleep(0.02)
        elapsed = time.monotonic() - t0
        db = sqlite3.connect(os.path.join(tmp, "yard.db"))
        rows = db.execute("select state, gpus, started_at, finished_at from jobs where sweep_id=?",
                          (sweep,)).fetchall()
        by_gpu, states = {}, {}
        for state, g, started, finished in rows:
            states[state] = states.get(state, 0) + 1
            (gpu,) = json.loads(g)
            by_gpu.setdefault(gpu["index"], []).append((started, finished))
        gaps, overlaps = [], 0
        for spans in by_gpu.values():
            spans.sort()
            for (s0, f0), (s1, f1) in zip(spans, spans[1:]):
                overlaps += s1 < f0
                gaps.append((s1 - f0) / 1000.0)
        ok = states.get("SUCCEEDED") == jobs and overlaps == 0
        return {"jobs_per_s": jobs / elapsed, "seconds": elapsed, "states": states,
                "overlaps": overlaps, "ok": ok,
                "gap_p50_ms": statistics.median(gaps), "gap_p99_ms": percentile(gaps, 99),
                "gap_max_ms": max(gaps)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


def run_slurm(slurm_local, jobs, gpus, tuned):
    out = subprocess.run([slurm_local, "start", str(gpus)] + (["tuned"] if tuned else []),
                         capture_output=True, text=True, check=True).stdout
    conf = out.strip().splitlines()[-1].split("=", 1)[1]
    env = dict(os.environ, SLURM_CONF=conf)
    try:
        t0 = time.monotonic()
        # Job arrays: Slurm's fast way to submit many jobs (MaxArraySize defaults to 1001).
        left, start = jobs, 0
        while left > 0:
            n = min(1000, left)
            subprocess.run(["sbatch", "--quiet", f"--array=0-{n - 1}", "--gres=gpu:1",
                            "--output=/dev/null", "--wrap", "true"], env=env, check=True)
            left -= n
            start += n
        while True:
            q = subprocess.run(["squeue", "-h", "-r", "-o", "%i"], env=env, capture_output=True,
                               text=True).stdout.split()
            if not q:
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - t0
        return {"jobs_per_s": jobs / elapsed, "seconds": elapsed}
    finally:
        subprocess.run([slurm_local, "stop"], capture_output=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=2000)
    ap.add_argument("--gpus", type=int, default=8)
    ap.add_argument("--yard", default=os.path.join(ROOT, "build", "yard"))
    ap.add_argument("--slurm-local", default=os.path.join(ROOT, "..", "shared", "peers", "slurm-local"))
    ap.add_argument("--skip-slurm", action="store_true")
    args = ap.parse_args()

    y = run_yard(args.yard, args.jobs, args.gpus)
    print(f"yard:  {args.jobs} jobs of `true` on {args.gpus} fake GPUs in {y['seconds']:.2f} s: "
          f"{y['jobs_per_s']:.0f} jobs/s; idle gap p50 {y['gap_p50_ms']:.2f} ms, "
          f"p99 {y['gap_p99_ms']:.2f} ms, max {y['gap_max_ms']:.2f} ms; states {y['states']}, "
          f"{y['overlaps']} overlaps")
    if args.skip_slurm:
        return 0 if y["ok"] else 1
    s = run_slurm(args.slurm_local, args.jobs, args.gpus, tuned=False)
    print(f"slurm: {args.jobs} jobs in {s['seconds']:.2f} s: {s['jobs_per_s']:.1f} jobs/s (default settings)")
    t = run_slurm(args.slurm_local, args.jobs, args.gpus, tuned=True)
    print(f"slurm: {args.jobs} jobs in {t['seconds']:.2f} s: {t['jobs_per_s']:.1f} jobs/s (tuned)")
    print(f"dispatch: yard {y['jobs_per_s']:.0f} jobs/s, slurm {s['jobs_per_s']:.1f} jobs/s "
          f"(tuned {t['jobs_per_s']:.1f}), ratio {y['jobs_per_s'] / s['jobs_per_s']:.1f}")
    return 0 if y["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
