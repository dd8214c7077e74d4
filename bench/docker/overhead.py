#!/usr/bin/python3
"""Docker runtime benchmark, in one run:

(a) the overhead of running a job through Trainyard's docker runtime over a plain
    `docker run --rm` of the same image: busybox `true`, N runs of each, interleaved. A yard run
    is a job posted to the HTTP API of `yard up --runtime docker --gpus fake:1` and timed until
    the API says SUCCEEDED (polled every 5 ms): queue, dispatch, pull check, create, start,
    wait, log copy, container removal and the report. The job's own timestamps split it into
    submitted->started (master and worker, up to the container running) and started->finished.
(b) `yard submit` of a spec whose `code:` is a folder of random files (100 MB by default), the
    first time (hash and send everything) and the second time (hash only: nothing moves).

  bench/docker/overhead.py [--runs 20] [--code-mb 100] [--yard build/yard]

Needs root (dockerd); starts dockerd and the registry and pushes busybox through
scripts/build-images when they are not there.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
REGISTRY = os.environ.get("YARD_REGISTRY_ADDR", "127.0.0.1:5000")
IMAGE = f"{REGISTRY}/busybox:latest"
DOCKER = "/usr/bin/docker" if os.path.exists("/usr/bin/docker") else "docker"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(url, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read())


def seconds(rfc3339):
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def summary(values):
    values = sorted(values)
    return (f"median {statistics.median(values) * 1000:.0f} ms, "
            f"min {values[0] * 1000:.0f} ms, max {values[-1] * 1000:.0f} ms")


def plain_docker_run():
    begin = time.monotonic()
    subprocess.run([DOCKER, "run", "--rm", "--network", "host", IMAGE, "true"], check=True,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - begin


def yard_job(url):
    begin = time.monotonic()
    job = api(f"{url}/v1/jobs", "POST", {"spec": {"name": "bench-true", "image": IMAGE,
                                                  "command": ["true"], "max_retries": 0},
                                         "user": "bench"})["job_id"]
    while True:
        state = api(f"{url}/v1/jobs/{job}")
        if state["state"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(0.005)
    wall = time.monotonic() - begin
    if state["state"] != "SUCCEEDED":
        sys.exit(f"overhead: job {job} ended {state['state']}: {state.get('reason')}")
    to_start = seconds(state["started_at"]) - seconds(state["submitted_at"])
    running = seconds(state["finished_at"]) - seconds(state["started_at"])
    return wall, to_start, running


def timed_submit(yard, url, spec):
    begin = time.monotonic()
    res = subprocess.run([yard, "submit", spec, "--json"], capture_output=True, text=True,
                         env=dict(os.environ, YARD_MASTER=url), check=True)
    wall = time.monotonic() - begin
    sent = re.search(r"\(([^)]*) sent\)", res.stderr)
    return wall, sent.group(1) if sent else "?", json.loads(res.stdout)["job_id"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--code-mb", type=int, default=100)
    parser.add_argument("--yard", default=os.path.join(ROOT, "build", "yard"))
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("overhead: run as root (dockerd)")
    subprocess.run([os.path.join(ROOT, "scripts", "build-images"), "busybox"], check=True,
                   stdout=subprocess.DEVNULL)
    # The image is local for both: neither run pulls layers.
    subprocess.run([DOCKER, "pull", "-q", IMAGE], check=True, stdout=subprocess.DEVNULL)

    work = tempfile.mkdtemp(prefix="yard-bench-docker-")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(os.path.join(work, "yard.log"), "wb")
    server = subprocess.Popen([args.yard, "up", "--data-dir", os.path.join(work, "data"),
                               "--listen", f"127.0.0.1:{port}", "--gpus", "fake:1",
                               "--runtime", "docker"], stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                if api(f"{url}/v1/workers")["workers"]:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("overhead: yard up did not come up; see " + log.name)

        # (a) One warm-up of each, then interleaved runs.
        plain_docker_run()
        yard_job(url)
        plain, yard_wall, to_start, running = [], [], [], []
        for _ in range(args.runs):
            plain.append(plain_docker_run())
            wall, start, run = yard_job(url)
            yard_wall.append(wall)
            to_start.append(start)
            running.append(run)
        print(f"(a) busybox true, {args.runs} runs each, interleaved")
        print(f"    docker run --rm:           {summary(plain)}")
        print(f"    yard job (docker runtime): {summary(yard_wall)}")
        print(f"      submitted -> started:    {summary(to_start)}")
        print(f"      started -> finished:     {summary(running)}")
        overhead = statistics.median(yard_wall) - statistics.median(plain)
        print(f"    overhead (difference of medians): {overhead * 1000:.0f} ms, "
              f"ratio {statistics.median(yard_wall) / statistics.median(plain):.2f}")

        # (b) A code folder of random files, 1 MiB each.
        code = os.path.join(work, "code")
        os.makedirs(code)
        for i in range(args.code_mb):
            with open(os.path.join(code, f"blob{i:04d}.bin"), "wb") as f:
                f.write(os.urandom(1 << 20))
        spec = os.path.join(code, "spec.json")
        with open(spec, "w") as f:
            json.dump({"name": "bench-code", "image": IMAGE, "code": ".", "command": ["true"],
                       "resources": {"gpus": 0}}, f)
        first = timed_submit(args.yard, url, spec)
        second = timed_submit(args.yard, url, spec)
        print(f"(b) yard submit with a {args.code_mb} MiB code folder ({args.code_mb} files)")
        print(f"    first:  {first[0] * 1000:.0f} ms ({first[1]} sent)")
        print(f"    second: {second[0] * 1000:.0f} ms ({second[1]} sent)")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
