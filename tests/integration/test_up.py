"""`yard up`: master and worker in one process, as a newcomer runs it."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from harness import YARD, free_port, wait_until


class UpTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="yard-up-")
        self.port = free_port()
        self.env = dict(os.environ, YARD_MASTER=f"http://127.0.0.1:{self.port}")
        self.log = open(os.path.join(self.dir, "up.log"), "w")
        self.up = subprocess.Popen([YARD, "up", "--data-dir", os.path.join(self.dir, "data"),
                                    "--listen", f"127.0.0.1:{self.port}", "--gpus", "fake:4"],
                                   stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: self.yard("workers", "--json", check=False).returncode == 0 and
                   json.loads(self.yard("workers", "--json").stdout), what="yard up to be ready")

    def tearDown(self):
        if self.up.poll() is None:
            os.killpg(self.up.pid, signal.SIGKILL)
            self.up.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def yard(self, *args, check=True):
        res = subprocess.run([YARD, *args], env=self.env, capture_output=True, text=True, timeout=30)
        if check and res.returncode != 0:
            raise AssertionError(f"yard {args}: {res.stderr}")
        return res

    def test_eight_point_grid_runs_at_most_four_at_a_time(self):
        spec = os.path.join(self.dir, "grid.yaml")
        with open(spec, "w") as f:
            f.write("name: naps\ncommand: sleep {t}\nhyperparameters:\n  t: 1\n  i: [1, 2, 3, 4, 5, 6, 7, 8]\n")
        out = json.loads(self.yard("submit", spec, "--json").stdout)
        self.assertEqual(len(out["job_ids"]), 8)
        most = 0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            jobs = json.loads(self.yard("ps", "--all", "--sweep", str(out["sweep_id"]), "--json").stdout)
            running = [j for j in jobs if j["state"] in ("ASSIGNED", "STARTING", "RUNNING")]
            most = max(most, len(running))
            self.assertLessEqual(len(running), 4)
            if all(j["state"] == "SUCCEEDED" for j in jobs):
                break
            time.sleep(0.1)
        self.assertEqual([j["state"] for j in jobs], ["SUCCEEDED"] * 8)
        self.assertEqual(most, 4)
        # A clean stop: SIGTERM ends the server, and the database is still readable after.
        os.killpg(self.up.pid, signal.SIGTERM)
        self.assertEqual(self.up.wait(timeout=15), 0)
        db = os.path.join(self.dir, "data", "yard.db")
        count = subprocess.run(["sqlite3", db, "select count(*) from jobs_view where state='SUCCEEDED'"],
                               capture_output=True, text=True).stdout.strip()
        self.assertEqual(count, "8")


if __name__ == "__main__":
    unittest.main()
