#!/usr/bin/python3
"""Drain benchmark: N one-GPU jobs of `true` on one worker with 8 fake GPUs, through Trainyard
(`yard up`, process runtime) and through Slurm with 8 GPUs (../shared/peers/slurm-local), with
its default settings and `tuned`, in one run.

Throughput: jobs per second from the first submit to the last job's end. Trainyard's jobs go
in as one grid sweep (one request), Slurm's as job arrays of up to 1,000 (its fast path).

GPU idle gap: on each GPU, from one job's process ending to the next job's process starting.
Trainyard: the worker's own process start and end times (microseconds, wall clock) from the
database. Slurm: the job's own timestamps: each job is a bash script that writes
$EPOCHREALTIME before and after running `true`, with the GPU Slurm gave it
($CUDA_VISIBLE_DEVICES), into a file; sacct needs slurmdbd, and scontrol's times are whole
seconds. Slurm's gap so includes starting bash, which Trainyard's does not (about a
millisecond here). Every finish also proves the jobs on one GPU never overlapped.

Ends with:
  dispatch: yard J jobs/s, slurm S jobs/s (tuned T), ratio R
and writes every figure as JSON with --json FILE.

  bench/dispatch/drain.py [--jobs 2000] [--gpus 8] [--skip-slurm] [--json FILE]
"""

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_SLURM_LOCAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "peers",
                                                    "slurm-local"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def http(url, body=None, timeout=120):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


def gaps_and_overlaps(spans_by_gpu):
    """spans_by_gpu: {gpu: [(start_us, end_us), ...]} -> (gaps in ms, overlapping pairs)."""
    gaps, overlaps = [], 0
    for spans in spans_by_gpu.values():
        spans.sort()
        for (s0, f0), (s1, f1) in zip(spans, spans[1:]):
            overlaps += s1 < f0
            gaps.append((s1 - f0) / 1000.0)
    return gaps, overlaps


def summary(name, jobs, t0, last_end, gaps, overlaps, ok, extra=None):
    seconds = last_end - t0
    out = {"system": name, "jobs": jobs, "seconds": seconds, "jobs_per_s": jobs / seconds,
           "gap_p50_ms": percentile(gaps, 50) if gaps else None,
           "gap_p99_ms": percentile(gaps, 99) if gaps else None,
           "gap_max_ms": max(gaps) if gaps else None, "gaps": len(gaps), "overlaps": overlaps,
           "ok": ok}
    out.update(extra or {})
    return out


def run_yard(yard, jobs, gpus):
    load = os.getloadavg()[0]  # the machine is shared: every figure says how busy it was
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
        t0 = time.time()
        sweep = json.loads(http(url + "/v1/jobs", spec))["sweep_id"]
        submitted = time.time() - t0
        # /metrics counts unfinished jobs from memory; polling it costs the master little.
        while any(line.startswith("yard_jobs{") for line in
                  http(url + "/metrics").decode().splitlines()):
            time.sleep(0.05)
        metrics = http(url + "/metrics").decode()
        db = sqlite3.connect(os.path.join(tmp, "yard.db"))
        rows = db.execute("select state, gpus, started_at, finished_at from jobs where sweep_id=?",
                          (sweep,)).fetchall()
        by_gpu, states = {}, {}
        for state, g, started, finished in rows:
            states[state] = states.get(state, 0) + 1
            (gpu,) = json.loads(g)
            by_gpu.setdefault(gpu["index"], []).append((started, finished))
        gaps, overlaps = gaps_and_overlaps(by_gpu)
        last_end = max(f for _, _, _, f in rows) / 1e6
        ok = states.get("SUCCEEDED") == jobs and overlaps == 0
        dispatch = {}
        for line in metrics.splitlines():
            if line.startswith(("yard_dispatch", "yard_dispatched")):
                key, value = line.rsplit(" ", 1)
                dispatch[key] = float(value)
        return summary("yard", jobs, t0, last_end, gaps, overlaps, ok,
                       {"states": states, "submit_seconds": submitted, "dispatch": dispatch,
                        "load": load})
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        if os.environ.get("KEEP"):
            print("kept", tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


JOB_SCRIPT = """#!/bin/bash
s=$EPOCHREALTIME
true
e=$EPOCHREALTIME
echo "$SLURM_JOB_ID ${CUDA_VISIBLE_DEVICES:-none} $s $e" >> %s
"""


def run_slurm(slurm_local, jobs, gpus, tuned, timeout):
    tmp = tempfile.mkdtemp(prefix="slurm-drain-")
    times = os.path.join(tmp, "times")
    script = os.path.join(tmp, "job.sh")
    with open(script, "w") as f:
        f.write(JOB_SCRIPT % times)
    os.chmod(script, 0o755)
    out = subprocess.run([slurm_local, "start", str(gpus)] + (["tuned"] if tuned else []),
                         capture_output=True, text=True, check=True).stdout
    conf = out.strip().splitlines()[-1].split("=", 1)[1]
    env = dict(os.environ, SLURM_CONF=conf)
    try:
        t0 = time.time()
        # Job arrays: Slurm's fast way to submit many jobs (MaxArraySize defaults to 1001).
        left = jobs
        while left > 0:
            n = min(1000, left)
            subprocess.run(["sbatch", "--quiet", f"--array=0-{n - 1}", "--gres=gpu:1",
                            "--output=/dev/null", script], env=env, check=True)
            left -= n
        submitted = time.time() - t0
        deadline = time.monotonic() + timeout
        lines = []
        while time.monotonic() < deadline:
            if os.path.exists(times):
                with open(times) as f:
                    lines = f.read().splitlines()
                if len(lines) >= jobs:
                    break
            time.sleep(0.1)
        by_gpu, spans = {}, []
        for line in lines:
            _, gpu, s, e = line.split()
            span = (int(float(s) * 1e6), int(float(e) * 1e6))
            by_gpu.setdefault(gpu, []).append(span)
            spans.append(span)
        gaps, overlaps = gaps_and_overlaps(by_gpu)
        finished = len(lines)
        last_end = max(e for _, e in spans) / 1e6 if spans else time.time()
        ok = finished == jobs and overlaps == 0 and "none" not in by_gpu
        return summary("slurm-tuned" if tuned else "slurm", finished, t0, last_end, gaps,
                       overlaps, ok, {"asked": jobs, "submit_seconds": submitted,
                                      "gpus_seen": sorted(by_gpu)})
    finally:
        subprocess.run([slurm_local, "stop"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def line(r):
    gap = (f"idle gap p50 {r['gap_p50_ms']:.2f} ms, p99 {r['gap_p99_ms']:.2f} ms, "
           f"max {r['gap_max_ms']:.2f} ms" if r["gaps"] else "no gaps")
    load = f"; load {r['load']:.1f}" if "load" in r else ""
    return (f"{r['system']}: {r['jobs']} jobs in {r['seconds']:.2f} s: {r['jobs_per_s']:.1f} "
            f"jobs/s; {gap}; {r['overlaps']} overlaps; ok={r['ok']}{load}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=2000)
    ap.add_argument("--gpus", type=int, default=8)
    ap.add_argument("--yard", default=os.path.join(ROOT, "build", "yard"))
    ap.add_argument("--slurm-local", default=os.environ.get("SLURM_LOCAL", DEFAULT_SLURM_LOCAL))
    ap.add_argument("--slurm-timeout", type=float, default=600)
    ap.add_argument("--skip-slurm", action="store_true")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()

    results = [run_yard(args.yard, args.jobs, args.gpus)]
    print(line(results[0]), flush=True)
    if not args.skip_slurm:
        for tuned in (False, True):
            results.append(run_slurm(args.slurm_local, args.jobs, args.gpus, tuned,
                                     args.slurm_timeout))
            print(line(results[-1]), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    y = results[0]
    if not args.skip_slurm:
        s, t = results[1], results[2]
        print(f"dispatch: yard {y['jobs_per_s']:.0f} jobs/s, slurm {s['jobs_per_s']:.1f} jobs/s "
              f"(tuned {t['jobs_per_s']:.1f}), ratio {y['jobs_per_s'] / s['jobs_per_s']:.1f}")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
