"""Placement through a real master and real workers: GPUs, gangs on one worker, priorities."""

import json
import os
import unittest

from harness import ClusterTest, wait_until


def gpu_keys(job):
    return [(g["worker"], g["index"]) for g in job["gpus"]]


def iso_to_seconds(text):
    from datetime import datetime
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def assert_no_gpu_shared_in_time(test, jobs):
    """No two jobs held one GPU at overlapping times (per the workers' start/end times)."""
    spans = {}
    for j in jobs:
        test.assertIsNotNone(j["started_at"], j)
        test.assertIsNotNone(j["finished_at"], j)
        for key in gpu_keys(j):
            spans.setdefault(key, []).append(
                (iso_to_seconds(j["started_at"]), iso_to_seconds(j["finished_at"]), j["id"]))
    for key, s in spans.items():
        s.sort()
        for (a0, a1, a), (b0, b1, b) in zip(s, s[1:]):
            test.assertLessEqual(a1, b0, f"jobs {a} and {b} overlapped on GPU {key}")


class SchedulingTest(ClusterTest):

    def test_never_two_jobs_on_one_gpu(self):
        c = self.cluster
        c.start_worker("w1", gpus="fake:2")
        c.start_worker("w2", gpus="fake:2")
        spec = {"name": "burst", "command": ["sh", "-c", "echo gpu=$CUDA_VISIBLE_DEVICES; sleep 0.3"],
                "hyperparameters": {"i": list(range(16))}}
        ids = c.submit(spec)["job_ids"]
        self.assertEqual(len(ids), 16)
        # Never more than the 4 GPUs busy at once, checked while it runs.
        seen_max = 0
        def ended():
            nonlocal seen_max
            jobs = c.jobs(all=False)
            active = [j for j in jobs if j["state"] in ("ASSIGNED", "STARTING", "RUNNING")]
            self.assertLessEqual(len(active), 4)
            keys = [k for j in active for k in gpu_keys(j)]
            self.assertEqual(len(keys), len(set(keys)), f"a GPU is held twice: {keys}")
            seen_max = max(seen_max, len(active))
            return not jobs
        wait_until(ended, timeout=60, interval=0.05, what="the burst to finish")
        self.assertEqual(seen_max, 4)
        jobs = c.wait_all_ended(ids)
        self.assertTrue(all(j["state"] == "SUCCEEDED" for j in jobs), jobs)
        assert_no_gpu_shared_in_time(self, jobs)
        for j in jobs:
            (worker, index), = gpu_keys(j)
            self.assertIn(f"gpu={index}\n", c.log(j["id"]))

    def test_four_gpu_job_waits_for_four_free_gpus_on_one_worker(self):
        c = self.cluster
        c.start_worker("big", gpus="fake:4")
        c.start_worker("small", gpus="fake:2")
        # Best fit fills the small worker first, then takes one GPU of the big one.
        holders = [c.submit({"name": f"hold{i}", "command": "sleep 60"})["job_id"] for i in range(3)]
        for h in holders:
            c.wait_state(h, "RUNNING")
        placed = {h: c.job(h)["worker"] for h in holders}
        self.assertEqual(sorted(placed.values()), ["big", "small", "small"])
        gang = c.submit({"name": "gang", "command": "sleep 0.5", "resources": {"gpus": 4}})["job_id"]
        # Free GPUs: 3 on big + 2 on small once the small holders go: 5 in all, 4 on none.
        for h, w in placed.items():
            if w == "small":
                c.yard("cancel", str(h))
                c.wait_state(h, "CANCELLED")
        self.assertEqual(c.job(gang)["state"], "QUEUED")
        wait_until(lambda: sum(1 for w in c.api("GET", "/v1/workers")["workers"]
                               for g in w["gpus"] if g["job_id"] is None) == 5,
                   what="5 free GPUs")
        self.assertEqual(c.job(gang)["state"], "QUEUED")
        big_holder = next(h for h, w in placed.items() if w == "big")
        c.yard("cancel", str(big_holder))
        job = c.wait_state(gang, ("RUNNING", "SUCCEEDED"))
        self.assertEqual(job["worker"], "big")
        self.assertEqual(sorted(g["index"] for g in job["gpus"]), [0, 1, 2, 3])
        self.assertEqual(c.wait_state(gang, "SUCCEEDED")["exit_code"], 0)

    def test_priorities_order_the_queue(self):
        c = self.cluster
        c.start_worker("w", gpus="fake:1")
        # The GPU stays taken until all four are queued, however slow the submissions are.
        blocker = c.submit({"name": "blocker", "command": "sleep 60"})["job_id"]
        c.wait_state(blocker, "RUNNING")
        ids = {}
        for name, prio in [("low", 10), ("mid-a", 50), ("high", 90), ("mid-b", 50)]:
            ids[name] = c.submit({"name": name, "command": "true", "priority": prio})["job_id"]
        c.yard("cancel", str(blocker))
        jobs = c.wait_all_ended(list(ids.values()))
        order = [j["name"] for j in sorted(jobs, key=lambda j: j["started_at"])]
        self.assertEqual(order, ["high", "mid-a", "mid-b", "low"])

    def test_gpu_with_a_foreign_process_gets_no_job(self):
        c = self.cluster
        usage = os.path.join(c.dir, "usage.json")
        with open(usage, "w") as f:
            json.dump({"0": {"utilization_pct": 97, "memory_used_mb": 9000, "pids": [424242]}}, f)
        c.start_worker("w", gpus="fake:2", extra=["--fake-gpu-usage", usage])
        wait_until(lambda: c.api("GET", "/v1/workers")["workers"][0]["gpus"][0].get("foreign_pids"),
                   what="the foreign process to be reported")
        ids = c.submit({"name": "j", "command": "sleep 0.2",
                        "hyperparameters": {"i": [1, 2, 3]}})["job_ids"]
        jobs = c.wait_all_ended(ids)
        self.assertEqual({g["index"] for j in jobs for g in j["gpus"]}, {1})
        out = c.yard("workers").stdout
        self.assertIn("424242", out)
        # Once the foreign process is gone, GPU 0 is used again.
        os.remove(usage)
        wait_until(lambda: not c.api("GET", "/v1/workers")["workers"][0]["gpus"][0].get("foreign_pids"),
                   what="GPU 0 to be free of foreign processes")
        ids = c.submit({"name": "k", "command": "sleep 1", "hyperparameters": {"i": [1, 2]}})["job_ids"]
        jobs = c.wait_all_ended(ids)
        self.assertEqual({g["index"] for j in jobs for g in j["gpus"]}, {0, 1})

    def test_cpu_jobs_need_no_gpu(self):
        c = self.cluster
        c.start_worker("w", gpus="none", extra=["--cpu-slots", "2"])
        job = c.submit({"name": "cpu", "command": ["sh", "-c", "echo [$CUDA_VISIBLE_DEVICES]"],
                        "resources": {"gpus": 0}})["job_id"]
        self.assertEqual(c.wait_state(job, "SUCCEEDED")["gpus"], [])
        self.assertIn("[]", c.log(job))


if __name__ == "__main__":
    unittest.main()
