"""Starts real Trainyard servers as processes on 127.0.0.1 for integration tests.

A Cluster owns a temporary folder, one master and any number of workers (fake GPUs, the
process runtime), and talks to them through the `yard` CLI and the HTTP API, the way users
and programs do. Everything it starts is killed when the test ends.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

YARD = os.environ.get("YARD_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "yard")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=20.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False  # gone between the open and the read: reaping it makes the read ESRCH


class Cluster:
    def __init__(self, worker_timeout="15s", heartbeat_interval="1s", policy=None):
        self.policy = policy
        self.dir = tempfile.mkdtemp(prefix="yard-it-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.worker_timeout = worker_timeout
        self.heartbeat_interval = heartbeat_interval
        self.master = None
        self.workers = {}
        self.logs = []

    # Processes.
    def _spawn(self, name, args):
        log = open(os.path.join(self.dir, f"{name}.log"), "ab")
        self.logs.append(log)
        return subprocess.Popen([YARD] + args, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start_master(self):
        self.master = self._spawn("master", [
            "master", "--data-dir", os.path.join(self.dir, "master"),
            "--listen", f"127.0.0.1:{self.port}",
            "--worker-timeout", self.worker_timeout,
            "--heartbeat-interval", self.heartbeat_interval,
            *(["--policy", self.policy] if self.policy else [])])
        wait_until(self.healthy, what="the master to answer /healthz")
        return self.master

    def start_worker(self, name, gpus="fake:4", extra=()):
        proc = self._spawn(f"worker-{name}", [
            "worker", "--master", self.url, "--name", name, "--gpus", gpus,
            "--work-dir", os.path.join(self.dir, f"worker-{name}"), "--kill-grace", "2s",
            *extra])
        self.workers[name] = proc
        wait_until(lambda: any(w["name"] == name and w["state"] == "ALIVE"
                               for w in self.api("GET", "/v1/workers")["workers"]),
                   what=f"worker {name} to register")
        return proc

    def kill9(self, proc):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def healthy(self):
        try:
            return self.api("GET", "/healthz")["status"] == "ok"
        except (OSError, urllib.error.URLError):
            return False

    def close(self):
        for proc in list(self.workers.values()) + [self.master]:
            if proc and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        for log in self.logs:
            log.close()
        if os.environ.get("YARD_KEEP_TEST_DIRS"):
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def dump_logs(self):
        out = []
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".log"):
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    out.append(f"==== {name}\n" + f.read()[-4000:])
        return "\n".join(out)

    # Clients.
    def api(self, method, path, body=None, raw=None, timeout=10):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as res:
            text = res.read()
            return json.loads(text) if text else {}

    def api_error(self, method, path, body=None, raw=None):
        """Returns (status, error JSON) of a request that must fail."""
        try:
            self.api(method, path, body=body, raw=raw)
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")
        raise AssertionError(f"{method} {path} succeeded but should have failed")

    def yard(self, *args, check=True, timeout=30):
        env = dict(os.environ, YARD_MASTER=self.url)
        res = subprocess.run([YARD, *args], env=env, capture_output=True, text=True,
                             timeout=timeout)
        if check and res.returncode != 0:
            raise AssertionError(f"yard {' '.join(args)} failed ({res.returncode}): {res.stderr}")
        return res

    def submit(self, spec):
        path = os.path.join(self.dir, f"spec-{time.monotonic_ns()}.json")
        with open(path, "w") as f:
            json.dump(spec, f)
        return json.loads(self.yard("submit", path, "--json").stdout)

    def job(self, job_id):
        return self.api("GET", f"/v1/jobs/{job_id}")

    def jobs(self, all=True, sweep=None):
        q = f"?all={1 if all else 0}" + (f"&sweep={sweep}" if sweep else "")
        return self.api("GET", "/v1/jobs" + q)["jobs"]

    def log(self, job_id):
        req = urllib.request.Request(f"{self.url}/v1/jobs/{job_id}/log")
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.read().decode(errors="replace")

    def wait_state(self, job_id, states, timeout=30):
        states = {states} if isinstance(states, str) else set(states)
        return wait_until(lambda: (j := self.job(job_id))["state"] in states and j,
                          timeout=timeout, what=f"job {job_id} to be {sorted(states)}")

    def wait_all_ended(self, job_ids, timeout=60):
        ended = {"SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT", "STOPPED_EARLY"}
        wait_until(lambda: all(self.job(i)["state"] in ended for i in job_ids),
                   timeout=timeout, interval=0.2, what=f"jobs {job_ids} to end")
        return [self.job(i) for i in job_ids]


class ClusterTest(unittest.TestCase):
    """A test case with a fresh cluster (a master, no workers yet) per test."""

    worker_timeout = "15s"
    policy = None  # the master's --policy; None: its default

    def setUp(self):
        self.cluster = Cluster(worker_timeout=self.worker_timeout, policy=self.policy)
        self._problems_before = self._problems()
        self.cluster.start_master()

    def _problems(self):
        result = getattr(getattr(self, "_outcome", None), "result", None)
        return len(result.failures) + len(result.errors) if result else 0

    def tearDown(self):
        if self._problems() > self._problems_before:
            print(self.cluster.dump_logs())
        self.cluster.close()
