"""A job's life through crashes: cancel, timeouts, workers and masters killed with -9."""

import os
import re
import signal
import time
import unittest

from harness import ClusterTest, pid_alive, wait_until

# Prints its pid, then sleeps: lets a test find the job's process.
def sleeper(seconds):
    return ["sh", "-c", f"echo pid=$$; exec sleep {seconds}"]


def job_pid(cluster, job_id, nth=0):
    pids = wait_until(lambda: re.findall(r"pid=(\d+)", cluster.log(job_id)),
                      what=f"job {job_id} to print its pid")
    return int(pids[nth]) if len(pids) > nth else None


class LifecycleTest(ClusterTest):
    worker_timeout = "2s"

    def test_cancel_stops_a_running_job(self):
        c = self.cluster
        c.start_worker("w", gpus="fake:1")
        job = c.submit({"name": "long", "command": sleeper(60)})["job_id"]
        c.wait_state(job, "RUNNING")
        pid = job_pid(c, job)
        self.assertTrue(pid_alive(pid))
        out = c.yard("cancel", str(job)).stdout
        self.assertIn(f"job {job}", out)
        done = c.wait_state(job, "CANCELLED", timeout=10)
        self.assertFalse(pid_alive(pid))
        self.assertIsNotNone(done["finished_at"])
        # Its GPU is free again: the next job runs.
        nxt = c.submit({"name": "next", "command": "true"})["job_id"]
        c.wait_state(nxt, "SUCCEEDED")
        # Cancelling a finished job is a conflict, an unknown one not found.
        self.assertEqual(c.api_error("POST", f"/v1/jobs/{nxt}/cancel", {})[0], 409)
        self.assertEqual(c.api_error("POST", "/v1/jobs/9999/cancel", {})[0], 404)

    def test_cancel_a_queued_job_and_a_whole_sweep(self):
        c = self.cluster
        c.start_worker("w", gpus="fake:1")
        r = c.submit({"name": "sw", "command": sleeper(30), "hyperparameters": {"i": [1, 2, 3]}})
        c.wait_state(r["job_ids"][0], "RUNNING")
        c.yard("cancel", f"s{r['sweep_id']}")
        jobs = c.wait_all_ended(r["job_ids"], timeout=15)
        self.assertEqual([j["state"] for j in jobs], ["CANCELLED"] * 3)
        sweep = c.api("GET", f"/v1/sweeps/{r['sweep_id']}")
        self.assertEqual(sweep["state"], "CANCELLED")

    def test_timeout_ends_a_job_as_timed_out(self):
        c = self.cluster
        c.start_worker("w", gpus="fake:1")
        job = c.submit({"name": "slow", "command": sleeper(60), "timeout": "1s"})["job_id"]
        done = c.wait_state(job, "TIMED_OUT", timeout=15)
        self.assertIn("timeout", done["reason"])
        self.assertFalse(pid_alive(job_pid(c, job)))

    def test_command_that_cannot_start_fails_with_reason_in_log(self):
        c = self.cluster
        c.start_worker("w", gpus="fake:1")
        job = c.submit({"name": "typo", "command": "/no/such/program --x"})["job_id"]
        done = c.wait_state(job, "FAILED")
        self.assertIn("/no/such/program", done["reason"])
        self.assertIn("No such file or directory", c.log(job))
        bad_exit = c.submit({"name": "exit3", "command": ["sh", "-c", "exit 3"]})["job_id"]
        done = c.wait_state(bad_exit, "FAILED")
        self.assertEqual(done["exit_code"], 3)

    def test_kill9_of_a_worker_requeues_its_jobs(self):
        c = self.cluster
        w1 = c.start_worker("w1", gpus="fake:1")
        job = c.submit({"name": "survivor", "command": ["sh", "-c", "echo pid=$$ attempt=$YARD_ATTEMPT; sleep 2"],
                        "max_retries": 1})["job_id"]
        c.wait_state(job, "RUNNING")
        first_pid = job_pid(c, job)
        c.start_worker("w2", gpus="fake:1")
        c.kill9(w1)
        # The job's process dies with its worker: nothing runs twice.
        wait_until(lambda: not pid_alive(first_pid), timeout=5, what="the orphaned job to die")
        done = c.wait_state(job, "SUCCEEDED", timeout=30)
        self.assertEqual(done["worker"], "w2")
        self.assertEqual(done["attempt"], 2)
        self.assertEqual(done["retries"], 1)
        states = [h["state"] for h in done["history"]]
        self.assertIn("LOST", states)
        self.assertEqual(states.count("QUEUED"), 2)
        workers = {w["name"]: w["state"] for w in c.api("GET", "/v1/workers")["workers"]}
        self.assertEqual(workers, {"w1": "LOST", "w2": "ALIVE"})
        # Without retries left, a lost job fails.
        w2 = c.workers["w2"]
        job2 = c.submit({"name": "fragile", "command": sleeper(30), "max_retries": 0})["job_id"]
        c.wait_state(job2, "RUNNING")
        c.kill9(w2)
        done = c.wait_state(job2, "FAILED", timeout=15)
        self.assertIn("no retries left", done["reason"])

    def test_a_lost_worker_that_comes_back_kills_what_moved_on(self):
        c = self.cluster
        w1 = c.start_worker("w1", gpus="fake:1")
        job = c.submit({"name": "moved", "command": sleeper(30), "max_retries": 2})["job_id"]
        c.wait_state(job, "RUNNING")
        first_pid = job_pid(c, job)
        c.start_worker("w2", gpus="fake:1")
        os.killpg(w1.pid, signal.SIGSTOP)  # silent, but its job keeps running
        try:
            wait_until(lambda: c.job(job)["attempt"] == 2 and c.job(job)["state"] == "RUNNING",
                       timeout=15, what="the job to run again on w2")
        finally:
            # The job first: once w1 runs again it may kill the job at once, and on a busy
            # machine before this process gets to its next line.
            os.kill(first_pid, signal.SIGCONT)
            os.kill(w1.pid, signal.SIGCONT)
        self.assertEqual(c.job(job)["worker"], "w2")
        # w1 is told that the job is no longer its own and stops it.
        wait_until(lambda: not pid_alive(first_pid), timeout=10, what="w1 to kill its stale copy")
        wait_until(lambda: {w["name"]: w["state"] for w in c.api("GET", "/v1/workers")["workers"]}
                   == {"w1": "ALIVE", "w2": "ALIVE"}, what="w1 to be alive again")
        self.assertEqual(c.job(job)["state"], "RUNNING")
        self.assertEqual(c.job(job)["worker"], "w2")

    def test_kill9_of_the_master_loses_nothing(self):
        c = self.cluster
        c.start_worker("w", gpus="fake:2")
        r = c.submit({"name": "steady", "command": ["sh", "-c", "echo pid=$$; sleep 2"],
                      "hyperparameters": {"i": [1, 2, 3, 4, 5, 6]}})
        ids = r["job_ids"]
        wait_until(lambda: sum(c.job(i)["state"] == "RUNNING" for i in ids) == 2,
                   what="two jobs running")
        before = {i: c.job(i)["state"] for i in ids}
        c.kill9(c.master)
        time.sleep(0.5)
        c.start_master()
        after = {i: c.job(i)["state"] for i in ids}
        self.assertEqual(before, after)
        jobs = c.wait_all_ended(ids, timeout=60)
        self.assertEqual([j["state"] for j in jobs], ["SUCCEEDED"] * 6)
        # Each ran once: its first attempt finished, and it printed one pid.
        for j in jobs:
            self.assertEqual(j["attempt"], 1, j)
            self.assertEqual(len(re.findall(r"pid=", c.log(j["id"]))), 1)
        self.assertEqual(c.api("GET", f"/v1/sweeps/{r['sweep_id']}")["state"], "DONE")


if __name__ == "__main__":
    unittest.main()
