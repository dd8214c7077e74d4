#!/usr/bin/python3
"""Submission and scale benchmarks against one `yard master`, in one run.

Submission: a grid sweep of --sweep-small points (10,000), one of --sweep-large points
(100,000), and --separate single jobs (10,000) submitted one request each by yard_fleet over 4
connections; each timed until the master has answered, which it does once the jobs are
committed to the database and queued.

Scale: with those jobs queued (120,000 by default), yard_fleet registers --workers simulated
workers (1,000) with --gpus fake GPUs each (8) that speak the worker protocol, and runs them
for --seconds: each job "runs" --job-seconds x uniform(0.5, 1.5) and is reported done.
Measured: heartbeat latency and the first page of `yard ps` (GET /v1/jobs?limit=100) at the
client (p50, p99); scheduling time per dispatched job from the master's own counters
(/metrics: whole dispatch passes, and the policy sched::Scheduler::Pass alone); the master's peak RSS
(VmHWM). Also times the `yard ps` command itself and one listing without a limit (which the
master caps at 10,000 jobs).

With --own-connections, every simulated worker holds two connections of its own as a real one
does (heartbeats, and a news long poll): 2,000 connections for 1,000 workers, each of which
holds one of the master's threads while it is open.

  bench/dispatch/scale.py [--workers 1000] [--gpus 8] [--seconds 30] [--own-connections]
                          [--json FILE]
"""

import argparse
import json
import os
import shutil
import signal
import socket
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


def http(url, body=None, timeout=600):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


def metrics(url):
    out = {}
    for line in http(url + "/metrics").decode().splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


def threads_of(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return None


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def submit_sweep(url, points):
    spec = {"spec": {"name": f"sweep{points}", "command": "true",
                     "hyperparameters": {"i": list(range(points))}}, "user": "bench"}
    t0 = time.monotonic()
    answer = json.loads(http(url + "/v1/jobs", spec))
    seconds = time.monotonic() - t0
    assert len(answer["job_ids"]) == points, "the sweep did not queue every point"
    return {"points": points, "seconds": seconds}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--yard", default=os.path.join(ROOT, "build", "yard"))
    ap.add_argument("--fleet", default=os.path.join(ROOT, "build", "bench", "dispatch",
                                                    "yard_fleet"))
    ap.add_argument("--sweep-small", type=int, default=10_000)
    ap.add_argument("--sweep-large", type=int, default=100_000)
    ap.add_argument("--separate", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=1000)
    ap.add_argument("--gpus", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--job-seconds", type=float, default=30)
    ap.add_argument("--fleet-threads", type=int, default=8)
    ap.add_argument("--own-connections", action="store_true",
                    help="each worker heartbeats on its own connection and holds a news long poll")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="yard-scale-")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(os.path.join(tmp, "master.log"), "w")
    master = subprocess.Popen([args.yard, "master", "--data-dir", tmp,
                               "--listen", f"127.0.0.1:{port}"],
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    result = {}
    try:
        for _ in range(400):
            try:
                http(url + "/healthz")
                break
            except OSError:
                time.sleep(0.05)
        result["sweep_small"] = submit_sweep(url, args.sweep_small)
        print(f"submit: {args.sweep_small}-point sweep queued in "
              f"{result['sweep_small']['seconds']:.3f} s", flush=True)
        result["sweep_large"] = submit_sweep(url, args.sweep_large)
        print(f"submit: {args.sweep_large}-point sweep queued in "
              f"{result['sweep_large']['seconds']:.3f} s", flush=True)
        sub = subprocess.run([args.fleet, "submit", "--master", url, "--jobs", str(args.separate),
                              "--threads", "4"], capture_output=True, text=True)
        if sub.returncode != 0:
            raise SystemExit(f"yard_fleet submit failed: {sub.stderr}")
        result["separate"] = json.loads(sub.stdout)
        print(f"submit: {args.separate} separate jobs queued in "
              f"{result['separate']['seconds']:.3f} s "
              f"({args.separate / result['separate']['seconds']:.0f}/s)", flush=True)
        queued = metrics(url).get("yard_queue_length", 0)
        result["queued_before_workers"] = queued
        result["rss_after_submit_mib"] = peak_rss_mib(master.pid)

        before = metrics(url)
        fleet = subprocess.run([args.fleet, "workers", "--master", url,
                                "--workers", str(args.workers), "--gpus", str(args.gpus),
                                "--threads", str(args.fleet_threads),
                                "--job-seconds", str(args.job_seconds),
                                "--seconds", str(args.seconds),
                                "--own-connections", "1" if args.own_connections else "0"],
                               capture_output=True, text=True)
        if fleet.returncode != 0:
            print(fleet.stderr, file=sys.stderr)
        result["fleet"] = json.loads(fleet.stdout.strip().splitlines()[-1])
        after = metrics(url)
        result["master_threads_after_fleet"] = threads_of(master.pid)

        def delta(key):
            return after.get(key, 0) - before.get(key, 0)

        jobs = delta("yard_dispatched_jobs_total")
        result["dispatch"] = {
            "jobs": jobs,
            "passes": delta('yard_dispatch_passes_total{placed="yes"}'),
            "idle_passes": delta('yard_dispatch_passes_total{placed="no"}'),
            "ms_per_job": 1000 * delta('yard_dispatch_seconds_total{part="pass"}') / jobs
            if jobs else None,
            "input_ms_per_job": 1000 * delta('yard_dispatch_seconds_total{part="input"}') / jobs
            if jobs else None,
            "policy_ms_per_job": 1000 * delta('yard_dispatch_seconds_total{part="policy"}') / jobs
            if jobs else None,
            "idle_ms_total": 1000 * delta('yard_dispatch_seconds_total{part="idle"}'),
            "queued_at_end": after.get("yard_queue_length"),
        }

        # Before the unpaged listing below, which alone builds every queued job's JSON.
        result["master_peak_rss_mib"] = peak_rss_mib(master.pid)
        env = dict(os.environ, YARD_MASTER=url)
        cli = []
        for _ in range(5):
            t0 = time.monotonic()
            subprocess.run([args.yard, "ps"], env=env, capture_output=True, check=True)
            cli.append((time.monotonic() - t0) * 1000)
        result["yard_ps_cli_ms"] = sorted(cli)
        t0 = time.monotonic()
        everything = json.loads(http(url + "/v1/jobs"))
        result["unpaged_list"] = {"jobs": len(everything["jobs"]),
                                  "next_after": everything.get("next_after"),
                                  "seconds": time.monotonic() - t0}
        result["master_peak_rss_after_unpaged_list_mib"] = peak_rss_mib(master.pid)

        f, d = result["fleet"], result["dispatch"]
        print(f"scale: {f['workers']} workers x {f['gpus_per_worker']} GPUs, "
              f"{int(queued)} queued; {f['jobs_started']} jobs started, {f['jobs_finished']} "
              f"finished in {f['seconds']:.0f} s", flush=True)
        if d["ms_per_job"] is not None:
            print(f"scale: scheduling {d['ms_per_job']:.4f} ms per dispatched job "
                  f"(input {d['input_ms_per_job']:.4f}, policy {d['policy_ms_per_job']:.4f}) over "
                  f"{int(d['jobs'])} jobs in {int(d['passes'])} passes; "
                  f"{int(d['idle_passes'])} passes placed nothing ({d['idle_ms_total']:.1f} ms)")
        print(f"scale: heartbeat p50 {f['heartbeat']['p50_ms']:.2f} ms, p99 "
              f"{f['heartbeat']['p99_ms']:.2f} ms (of {f['heartbeat']['count']}); ps first page "
              f"p50 {f['ps_first_page']['p50_ms']:.2f} ms, p99 {f['ps_first_page']['p99_ms']:.2f} "
              f"ms; `yard ps` {result['yard_ps_cli_ms'][2]:.1f} ms; a listing without a limit: "
              f"{result['unpaged_list']['jobs']} jobs in {result['unpaged_list']['seconds']:.2f} s",
              flush=True)
        print(f"scale: {'own connections per worker' if args.own_connections else 'shared connections'}"
              f"; {f.get('news_answers', 0)} news answers; master threads after the fleet: "
              f"{result['master_threads_after_fleet']}; errors {f['errors']}", flush=True)
        print(f"scale: master peak RSS {result['master_peak_rss_mib']:.0f} MiB "
              f"({result['master_peak_rss_after_unpaged_list_mib']:.0f} MiB after the listing "
              f"without a limit)", flush=True)
        if args.json:
            with open(args.json, "w") as out:
                json.dump(result, out, indent=2)
        return 0 if fleet.returncode == 0 else 1
    finally:
        os.killpg(master.pid, signal.SIGTERM)
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(master.pid, signal.SIGKILL)
        log.close()
        if os.environ.get("KEEP"):
            print("kept", tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
