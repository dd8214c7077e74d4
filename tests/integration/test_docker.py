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
import tempfile
import time
import unittest
import urllib.parse
from unittest import mock

from harness import ClusterTest, wait_until

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REGISTRY = os.environ.get("YARD_REGISTRY_ADDR", "127.0.0.1:5000")
BUSYBOX = f"{REGISTRY}/busybox:latest"
DOCKER_SOCKET = "/var/run/docker.sock"
# The worker's own environment carries these; a container must see none of them.
HOST_ONLY_ENV = {"TMPDIR": "/tmp/host-tmpdir-marker", "USER": "host-user-marker",
                 "LANG": "host-lang-marker"}


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
        with mock.patch.dict(os.environ, HOST_ONLY_ENV):
            return self.cluster.start_worker("w1", gpus="fake:2", extra=("--runtime", "docker"))

    def submit_file(self, folder, spec):
        """`yard submit` of a spec file written into `folder` (its `code:` is relative to it)."""
        path = os.path.join(folder, "spec.json")
        with open(path, "w") as f:
            json.dump(spec, f)
        return json.loads(self.cluster.yard("submit", path, "--json").stdout)["job_id"]

    def fetch(self, remote):
        """The text of a file-server file, through `yard files get`."""
        local = os.path.join(self.cluster.dir, "got-" + remote.replace("/", "_"))
        self.cluster.yard("files", "get", remote, local)
        with open(local) as f:
            return f.read()

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
                                    "sleep 0.5; done; echo survived > $YARD_OUTPUT_DIR/end.txt"
                                    ]})["job_id"]
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
        # The restarted worker knew what the job was, and uploaded its outputs.
        self.assertEqual(self.fetch(f"outputs/job-{job}/end.txt"), "survived\n")

    def test_output_after_a_reattach_reaches_the_master(self):
        c = self.cluster
        job, done = self.kill_and_restart_worker_while_a_job_runs()
        self.assertEqual(done["state"], "SUCCEEDED")
        log = c.log(job)
        for i in range(1, 17):
            self.assertEqual(log.count(f"tick {i}\n"), 1, f"tick {i} in:\n{log}")

    def test_a_job_sees_its_code_data_and_env_and_its_outputs_come_back(self):
        c = self.cluster
        code = tempfile.mkdtemp(dir=c.dir, prefix="code-")
        with open(os.path.join(code, "message.txt"), "w") as f:
            f.write("as submitted\n")
        with open(os.path.join(code, "run.sh"), "w") as f:
            f.write("echo pwd=$(pwd)\n"
                    "echo message=$(cat message.txt)\n"
                    "touch /code/new 2>/dev/null && echo code-writable || echo code-read-only\n"
                    "echo data=$(cat $YARD_DATA_DIR/datasets/tiny/numbers.txt)\n"
                    "touch /data/new 2>/dev/null && echo data-writable || echo data-read-only\n"
                    "env | sort | sed 's/^/env: /'\n"
                    "echo \"result of $YARD_JOB_ID\" > $YARD_OUTPUT_DIR/result.txt\n"
                    "echo step-1 > $YARD_CHECKPOINT_DIR/ckpt.txt\n")
        numbers = os.path.join(c.dir, "numbers.txt")
        with open(numbers, "w") as f:
            f.write("1 2 3\n")
        c.yard("files", "put", numbers, "datasets/tiny/numbers.txt")
        job = self.submit_file(code, {
            "name": "sees", "image": BUSYBOX, "code": ".", "data": ["datasets/tiny"],
            "env": {"GREETING": "hi"}, "command": ["sh", "run.sh"], "max_retries": 0})
        # The snapshot was taken at submit: an edit now does not reach the job.
        with open(os.path.join(code, "message.txt"), "w") as f:
            f.write("edited later\n")
        done = c.wait_state(job, {"SUCCEEDED", "FAILED"}, timeout=60)
        log = c.log(job)
        self.assertEqual(done["state"], "SUCCEEDED", log)
        self.assertIn("pwd=/code\n", log)
        self.assertIn("message=as submitted\n", log)
        self.assertIn("code-read-only\n", log)
        self.assertIn("data=1 2 3\n", log)
        self.assertIn("data-read-only\n", log)
        env = dict(line[len("env: "):].split("=", 1) for line in log.splitlines()
                   if line.startswith("env: ") and "=" in line)
        self.assertEqual(env.get("YARD_OUTPUT_DIR"), "/outputs")
        self.assertEqual(env.get("YARD_CHECKPOINT_DIR"), "/checkpoints")
        self.assertEqual(env.get("YARD_DATA_DIR"), "/data")
        self.assertEqual(env.get("YARD_JOB_ID"), str(job))
        self.assertEqual(env.get("GREETING"), "hi")
        # The image's PATH (scripts/build-images), not the worker's; nothing else of the host.
        self.assertEqual(env.get("PATH"),
                         "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        for name, value in HOST_ONLY_ENV.items():
            self.assertNotIn(value, log, f"the worker's {name} reached the container")
        # The job's outputs and checkpoint went to the file server.
        self.assertEqual(self.fetch(f"outputs/job-{job}/result.txt"), f"result of {job}\n")
        self.assertEqual(self.fetch(f"checkpoints/job-{job}/ckpt.txt"), "step-1\n")
        shown = c.yard("show", str(job)).stdout
        self.assertIn(f"outputs/job-{job}/result.txt", shown)

    def test_limits_and_user_reach_the_container(self):
        c = self.cluster
        job = c.submit({
            "name": "limited", "image": BUSYBOX, "max_retries": 0, "run_as": "1000:1000",
            "resources": {"gpus": 0, "memory": "96MiB", "cpus": 0.5, "pids": 64},
            "command": ["sh", "-c",
                        "echo uid=$(id -u) gid=$(id -g); "
                        "echo mine > $YARD_OUTPUT_DIR/by-user.txt && echo wrote-output; "
                        "echo started; exec sleep 300"]})["job_id"]
        c.wait_state(job, "RUNNING", timeout=60)
        wait_until(lambda: "started" in c.log(job), what="the job's first lines")
        running = self.container(job)
        self.assertIsNotNone(running)
        status, inspected = docker_api("GET", f"/containers/{running['Id']}/json")
        self.assertEqual(status, 200)
        host = inspected["HostConfig"]
        self.assertEqual(host["Memory"], 96 << 20)
        self.assertEqual(host["NanoCpus"], 500_000_000)
        self.assertEqual(host["PidsLimit"], 64)
        self.assertFalse(host["Privileged"])
        self.assertEqual(inspected["Config"]["User"], "1000:1000")
        log = c.log(job)
        self.assertIn("uid=1000 gid=1000", log)
        self.assertIn("wrote-output", log)
        c.yard("cancel", str(job))
        c.wait_state(job, "CANCELLED", timeout=20)
        # A cancelled job's outputs are uploaded too.
        wait_until(lambda: c.yard("files", "ls", f"outputs/job-{job}",
                                  check=False).returncode == 0,
                   what="the cancelled job's outputs")
        self.assertEqual(self.fetch(f"outputs/job-{job}/by-user.txt"), "mine\n")

    def test_a_bad_limit_is_refused_at_submit_naming_the_field(self):
        res = self.cluster.yard("submit", self.write_spec(
            {"image": BUSYBOX, "command": ["true"], "resources": {"memory": "lots"}}),
            check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("resources.memory", res.stderr)
        res = self.cluster.yard("submit", self.write_spec(
            {"image": BUSYBOX, "command": ["true"], "run_as": "0"}), check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("run_as", res.stderr)

    def write_spec(self, spec):
        path = os.path.join(self.cluster.dir, f"spec-{time.monotonic_ns()}.json")
        with open(path, "w") as f:
            json.dump(spec, f)
        return path

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
