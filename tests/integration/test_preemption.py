"""Preemption and wait reasons through a real master and worker (fake GPUs, process runtime)."""

import os
import subprocess
import tempfile
import unittest

from harness import YARD, ClusterTest, wait_until

# A trainer that resumes from its checkpoint: one step every 0.2 s, the step written to
# YARD_CHECKPOINT_DIR after each; on SIGTERM it saves and exits at once. (No braces: the
# master would read them as placeholders.)
TRAINER = r"""
import os, signal, sys, time
ckpt = os.path.join(os.environ["YARD_CHECKPOINT_DIR"], "step")
step = int(open(ckpt).read()) if os.path.exists(ckpt) else 0
print("starting at step %d" % step, flush=True)
def save(n):
    with open(ckpt + ".tmp", "w") as f:
        f.write(str(n))
    os.replace(ckpt + ".tmp", ckpt)
def stop(signum, frame):
    save(step)
    print("stopping at step %d" % step, flush=True)
    sys.exit(1)
signal.signal(signal.SIGTERM, stop)
while step < 40:
    time.sleep(0.2)
    step += 1
    save(step)
    print('YARD_METRIC {"step": %d, "progress": %d}' % (step, step), flush=True)
print("done", flush=True)
"""


class PreemptionTest(ClusterTest):
    # Preemption without the default hour of minimum run, and a short grace.
    policy = "preset=team,min_run_s=0,preempt_grace_s=5"

    def test_preempted_job_resumes_from_its_checkpoint(self):
        c = self.cluster
        c.start_worker("w1", gpus="fake:1")
        low = c.submit({"name": "low", "command": ["python3", "-c", TRAINER], "priority": 10,
                        "preemptible": True})["job_id"]
        wait_until(lambda: c.job(low)["metrics"].get("progress", 0) >= 5, timeout=30,
                   what="the low job to reach step 5")
        high = c.submit({"name": "high", "command": ["sh", "-c", "sleep 2; echo high done"],
                         "priority": 90})["job_id"]
        # While the high job runs, the low one waits in the queue, and says why.
        queued = wait_until(lambda: (j := c.job(low))["state"] == "QUEUED" and
                            "wait_reason" in j and j, timeout=30,
                            what="the low job to be back in the queue")
        self.assertEqual(queued["queue_position"], 0)
        self.assertEqual(queued["wait_reason"], "behind higher priority")
        jobs = c.wait_all_ended([low, high], timeout=90)
        self.assertEqual([j["state"] for j in jobs], ["SUCCEEDED", "SUCCEEDED"], jobs)
        low_job, high_job = jobs
        self.assertEqual(low_job["attempt"], 2)
        self.assertEqual(low_job["retries"], 0)  # preemption uses no retry
        # The history: preempted for the high job, then queued again, then run to the end.
        states = [h["state"] for h in low_job["history"]]
        i = states.index("PREEMPTED")
        self.assertEqual(states[i + 1], "QUEUED")
        self.assertIn(f"job {high}", low_job["history"][i]["reason"])
        self.assertEqual(states[-1], "SUCCEEDED")
        # The high job ran while the low one was out.
        self.assertGreaterEqual(high_job["started_at"], low_job["history"][i]["at"])
        # The second attempt resumed where the first had saved.
        log = c.log(low)
        stopped = int(log.split("stopping at step ")[1].split()[0])
        self.assertGreaterEqual(stopped, 5)
        self.assertIn(f"starting at step {stopped}", log.split("--- attempt 2")[1])
        self.assertIn("done", log)

    def test_job_that_is_not_preemptible_is_left_alone(self):
        c = self.cluster
        c.start_worker("w1", gpus="fake:1")
        low = c.submit({"name": "low", "command": ["sh", "-c", "sleep 3"], "priority": 10})["job_id"]
        c.wait_state(low, "RUNNING")
        high = c.submit({"name": "high", "command": ["true"], "priority": 90})["job_id"]
        jobs = c.wait_all_ended([low, high], timeout=60)
        self.assertEqual([j["state"] for j in jobs], ["SUCCEEDED", "SUCCEEDED"])
        self.assertNotIn("PREEMPTED", [h["state"] for h in jobs[0]["history"]])
        self.assertGreaterEqual(jobs[1]["started_at"], jobs[0]["finished_at"])


class QuotaTest(ClusterTest):
    policy = "preset=team,quota.group.vision=1"

    def test_group_quota_caps_its_gpus(self):
        c = self.cluster
        c.start_worker("w1", gpus="fake:3")
        vision = [c.submit({"name": f"v{i}", "command": ["sh", "-c", "sleep 2"],
                            "group": "vision"})["job_id"] for i in range(2)]
        other = c.submit({"name": "other", "command": ["sh", "-c", "sleep 1"],
                          "group": "audio"})["job_id"]
        c.wait_state(vision[0], "RUNNING")
        waiting = c.job(vision[1])
        self.assertEqual(waiting["state"], "QUEUED")  # a GPU is free, but not for vision
        self.assertEqual(waiting["wait_reason"], "quota")
        jobs = c.wait_all_ended(vision + [other], timeout=60)
        self.assertTrue(all(j["state"] == "SUCCEEDED" for j in jobs), jobs)
        first, second = jobs[0], jobs[1]
        self.assertGreaterEqual(second["started_at"], first["finished_at"])


class WaitReasonTest(ClusterTest):

    def test_a_job_no_gpu_matches_waits_with_the_reason(self):
        c = self.cluster
        c.start_worker("w1", gpus="fake:2xT4-16GB")
        h100 = c.submit({"name": "needs-h100", "command": ["true"],
                         "resources": {"gpus": 1, "gpu_model": "H100"}})["job_id"]
        big = c.submit({"name": "needs-memory", "command": ["true"],
                        "resources": {"gpus": 1, "min_gpu_memory_gb": 40}})["job_id"]
        t4 = c.submit({"name": "t4", "command": ["true"],
                       "resources": {"gpus": 1, "gpu_model": ["T4", "L4"],
                                     "min_compute_capability": 7.5}})["job_id"]
        self.assertEqual(c.wait_all_ended([t4])[0]["state"], "SUCCEEDED")
        job = c.job(h100)
        self.assertEqual(job["state"], "QUEUED")
        self.assertEqual(job["wait_reason"], "no GPU of its model")
        self.assertIn("H100", job["wait_detail"])
        self.assertEqual(c.job(big)["wait_reason"], "no GPU of its model")
        ps = c.yard("ps").stdout
        line = next(l for l in ps.splitlines() if l.startswith(str(h100) + " "))
        self.assertIn("no GPU of its model", line)
        show = c.yard("show", str(h100)).stdout
        self.assertIn("waiting:", show)
        # A worker with the model joins later: the job runs.
        c.start_worker("w2", gpus="fake:1xH100-80GB")
        jobs = c.wait_all_ended([h100, big])
        self.assertEqual([j["state"] for j in jobs], ["SUCCEEDED", "SUCCEEDED"])
        self.assertTrue(all(j["gpus"][0]["model"] == "H100-80GB" for j in jobs), jobs)

    def test_bad_policy_is_refused_at_start(self):
        with tempfile.TemporaryDirectory() as d:
            res = subprocess.run([YARD, "master", "--data-dir", d, "--listen", "127.0.0.1:0",
                                  "--policy", "preset=team,age_weight=lots"],
                                 capture_output=True, text=True, timeout=30)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("--policy", res.stderr)
        self.assertIn("age_weight=lots is not a number", res.stderr)


if __name__ == "__main__":
    unittest.main()
