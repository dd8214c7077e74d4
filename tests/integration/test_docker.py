"""Jobs in Docker containers: a real master and a worker with `--runtime docker --gpus fake:2`
against this machine's dockerd and docker-registry.

The first test starts dockerd and the registry through scripts/dockerd and scripts/registry
when they are not running, and pushes the busybox image with `scripts/build-images busybox` when
the registry lacks it. Skipped, saying why, only where dockerd cannot start.

What it started is left running, like a database server a test suite needs: stopping dockerd
here would pull it from under tests running beside this one (the docker runtime's unit tests
use it when it answers). YARD_TEST_STOP_SERVICES=1 stops it at the end;
`scripts/registry stop` and `scripts/dockerd stop` do so by hand.
"""

import http.client
import json
import os
import socket
import subprocess
import time
import unittest
import urllib.parse

from harness import ClusterTest, wait_until

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REGISTRY = os.environ.get("YARD_REGISTRY_ADDR", "127.0.0.1:5000")
BUSYBOX = f"{REGISTRY}/busybox:latest"
DOCKER_SOCKET = "/var/run/docker.sock"


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


def docker_api(method, path):
    """One call of the Docker Engine API; (status, parsed JSON or None)."""
    conn = _UnixConnection(DOCKER_SOCKET)
    try:
        conn.request(method, "/v1.41" + path)
        res = conn.getresponse()
        body = res.read()
        return res.status, (json.loads(body) if body else None)
    finally:
        conn.close()


def containers_of(state_dir, job_id=None):
    labels = [f"yard.state_dir={state_dir}"]
    if job_id is not None:
        labels.append(f"yard.job_id={job_id}")
    filters = urllib.parse.quote(json.dumps({"label": labels}))
    status, listed = docker_api("GET", f"/containers/json?all=1&filters={filters}")
    assert status == 200, listed
    return listed


def script(*args):
    return subprocess.run([os.path.join(REPO, "scripts", args[0]), *args[1:]], cwd=REPO,
                          capture_output=True, text=True, timeout=600)


class _Services:
    """Starts dockerd and the registry once for the whole module, if they are not running."""
    started = []
    ready = False
    skip_reason = None

    @classmethod
    def ensure(cls):
        if cls.ready or cls.skip_reason:
            return
        if script("dockerd", "status").returncode != 0:
            res = script("dockerd", "start")
            if res.returncode != 0:
                cls.skip_reason = ("dockerd cannot start on this machine: " +
                                   (res.stderr or res.stdout).strip()[-800:])
                return
            cls.started.append("dockerd")
        if script("registry", "status").returncode != 0:
            res = script("registry", "start")
            assert res.returncode == 0, f"scripts/registry failed: {res.stdout}{res.stderr}"
            cls.started.append("registry")
        res = script("build-images", "busybox")
        assert res.returncode == 0, f"scripts/build-images busybox failed: {res.stdout}{res.stderr}"
        cls.ready = True


def tearDownModule():
    if os.environ.get("YARD_TEST_STOP_SERVICES") == "1":
        for service in reversed(_Services.started):
            script(service, "stop")


class DockerRuntimeTest(ClusterTest):
    worker_timeout = "15s"

    def setUp(self):
        _Services.ensure()
        if _Services.skip_reason:
            self.skipTest(_Services.skip_reason)
        super().setUp()
        self.start_docker_worker()

    def start_docker_worker(self):
        return self.cluster.start_worker("w1", gpus="fake:2", extra=("--runtime", "docker"))

    @property
    def state_dir(self):
        return os.path.join(self.cluster.dir, "worker-w1", "runtime")

    def tearDown(self):
        # Containers outlive a killed worker: remove what this test's worker left.
        try:
            for c in containers_of(self.state_dir):
                docker_api("DELETE", f"/containers/{c['Id']}?force=1")
        finally:
            super().tearDown()

    def container(self, job_id):
        found = containers_of(self.state_dir, job_id)
        return found[0] if found else None

    def test_an_image_from_the_registry_runs_as_a_job(self):
        c = self.cluster
        job = c.submit({
            "name": "hello", "image": BUSYBOX, "env": {"GREETING": "hi there"},
            "resources": {"gpus": 2},
            "command": ["sh", "-c",
                        "echo hello from job $YARD_JOB_ID: $GREETING; "
                        "echo gpus=$CUDA_VISIBLE_DEVICES hparams=$YARD_HPARAMS; "
                        "echo 'YARD_METRIC {\"step\": 1, \"loss\": 0.25}'; "
                        "echo to stderr >&2; cat /etc/os-release 2>/dev/null || echo no-os-release"],
        })["job_id"]
        done = c.wait_state(job, {"SUCCEEDED", "FAILED"}, timeout=60)
        log = c.log(job)
        self.assertEqual(done["state"], "SUCCEEDED", log)
        self.assertEqual(done["exit_code"], 0)
        self.assertIn(f"pull: {BUSYBOX}", log)
        self.assertIn(f"hello from job {job}: hi there", log)
        self.assertIn("gpus=0,1 hparams={}", log)
        self.assertIn("to stderr", log)
        # busybox, not this machine's Debian: it really ran in the image.
        self.assertIn("no-os-release", log)
        self.assertEqual(done["metrics"].get("loss"), 0.25)
        # The container is removed once the job has ended.
        wait_until(lambda: self.container(job) is None, timeout=10,
                   what="the container to be removed")

        failing = c.submit({"name": "exit3", "image": BUSYBOX,
                            "command": ["sh", "-c", "echo failing; exit 3"]})["job_id"]
        done = c.wait_state(failing, {"SUCCEEDED", "FAILED"}, timeout=60)
        self.assertEqual(done["state"], "FAILED")
        self.assertEqual(done["exit_code"], 3)
        self.assertIn("failing", c.log(failing))

    def test_cancel_stops_the_container_and_removes_it(self):
        c = self.cluster
        job = c.submit({"name": "long", "image": BUSYBOX,
                        "command": ["sh", "-c", "echo started; exec sleep 300"]})["job_id"]
        c.wait_state(job, "RUNNING", timeout=60)
        wait_until(lambda: "started" in c.log(job), what="the job's first line")
        running = self.container(job)
        self.assertIsNotNone(running)
        self.assertEqual(running["State"], "running")
        # What the worker asked dockerd for: host network, no privileges.
        status, inspected = docker_api("GET", f"/containers/{running['Id']}/json")
        self.assertEqual(status, 200)
        host = inspected["HostConfig"]
        self.assertEqual(host["NetworkMode"], "host")
        self.assertFalse(host["Privileged"])
        self.assertIn("no-new-privileges", host["SecurityOpt"])
        self.assertEqual(inspected["Config"]["Labels"]["yard.job_id"], str(job))

        begin = time.monotonic()
        c.yard("cancel", str(job))
        done = c.wait_state(job, "CANCELLED", timeout=20)
        # SIGTERM reaches sleep through the container's init: no wait for the grace period.
        self.assertLess(time.monotonic() - begin, 10)
        self.assertIsNotNone(done["finished_at"])
        wait_until(lambda: self.container(job) is None, timeout=10,
                   what="the cancelled job's container to be removed")

    def kill_and_restart_worker_while_a_job_runs(self):
        """Runs a job that prints `tick 1` .. `tick 16` over 8 s, kills the worker with -9 at
        tick 3 and starts it again; returns the job's id and its final JSON."""
        c = self.cluster
        job = c.submit({"name": "survivor", "image": BUSYBOX, "max_retries": 0,
                        "command": ["sh", "-c",
                                    "i=1; while [ $i -le 16 ]; do echo tick $i; i=$((i+1)); "
                                    "sleep 0.5; done"]})["job_id"]
        c.wait_state(job, "RUNNING", timeout=60)
        wait_until(lambda: "tick 3" in c.log(job), what="the job to tick")
        c.kill9(c.workers["w1"])
        # The container does not depend on the worker.
        self.assertEqual(self.container(job)["State"], "running")
        time.sleep(1)
        self.start_docker_worker()
        done = c.wait_state(job, {"SUCCEEDED", "FAILED", "CANCELLED"}, timeout=60)
        return job, done

    def test_a_restarted_worker_reattaches_to_its_running_container(self):
        c = self.cluster
        job, done = self.kill_and_restart_worker_while_a_job_runs()
        self.assertEqual(done["state"], "SUCCEEDED", c.dump_logs())
        self.assertEqual(done["attempt"], 1)
        states = [e["state"] for e in c.job(job)["history"]]
        self.assertNotIn("LOST", states)
        self.assertEqual(states.count("RUNNING"), 1, states)
        # The worker's copy of the output: every line once, none lost across the restart.
        with open(os.path.join(self.cluster.dir, "worker-w1", "logs", f"{job}-1.log")) as f:
            log = f.read()
        for i in range(1, 17):
            self.assertEqual(log.count(f"tick {i}\n"), 1, f"tick {i} in:\n{log}")
        wait_until(lambda: self.container(job) is None, timeout=10,
                   what="the container to be removed")

    # The worker's output shipping starts again from offset 0 for a reattached job, and the
    # master answers 409 to a chunk that overlaps what it has, which the worker takes for "the
    # attempt is over" and drops: the master's copy stops where the old worker stopped. A fix
    # belongs to src/worker/output_tail.cpp or src/master/worker_sync.cpp; this test then
    # passes and unittest reports the unexpected success, so remove the decorator.
    def test_output_after_a_reattach_reaches_the_master(self):
        c = self.cluster
        job, done = self.kill_and_restart_worker_while_a_job_runs()
        self.assertEqual(done["state"], "SUCCEEDED")
        log = c.log(job)
        for i in range(1, 17):
            self.assertEqual(log.count(f"tick {i}\n"), 1, f"tick {i} in:\n{log}")

    def test_an_unknown_image_fails_the_job_with_a_clear_reason(self):
        c = self.cluster
        job = c.submit({"name": "nope", "image": f"{REGISTRY}/no-such-image:1.0",
                        "command": ["true"], "max_retries": 0})["job_id"]
        done = c.wait_state(job, {"SUCCEEDED", "FAILED"}, timeout=60)
        self.assertEqual(done["state"], "FAILED")
        self.assertIn(f"image {REGISTRY}/no-such-image:1.0 is not in registry {REGISTRY}",
                      done["reason"])
        self.assertIn("no-such-image", c.log(job))

    def test_yard_images_lists_the_registry(self):
        res = self.cluster.yard("images", "--registry", REGISTRY, "--json")
        images = json.loads(res.stdout)
        busybox = [i for i in images if i["repository"] == "busybox"]
        self.assertEqual(len(busybox), 1, images)
        self.assertIn("latest", busybox[0]["tags"])
        self.assertIn(BUSYBOX, busybox[0]["images"])
        table = self.cluster.yard("images", "--registry", REGISTRY).stdout
        self.assertIn("REPOSITORY", table)
        self.assertIn(BUSYBOX, table)
        bad = self.cluster.yard("images", "--registry", "127.0.0.1:1", check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("cannot reach the registry", bad.stderr)


if __name__ == "__main__":
    unittest.main()
