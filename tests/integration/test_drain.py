"""A small drain (bench/dispatch/drain.py's, at 200 jobs): many short jobs through one worker's
8 GPUs, as fast as the master hands them out. Checks correctness only, never speed: every job
succeeds, and no GPU ever holds two jobs at once, neither by the worker's process times nor by
the master's own record of when it handed a GPU out and when it heard the job had ended."""

import json
import os
import sqlite3
import unittest

from harness import ClusterTest, wait_until

JOBS = 200
GPUS = 8
ENDED = ("SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT", "STOPPED_EARLY")


class DrainTest(ClusterTest):
    def overlaps(self, spans_by_gpu):
        bad = []
        for gpu, spans in spans_by_gpu.items():
            spans.sort()
            for (s0, e0, j0), (s1, e1, j1) in zip(spans, spans[1:]):
                if s1 < e0:
                    bad.append((gpu, j0, j1))
        return bad

    def test_every_job_succeeds_and_no_gpu_runs_two_at_once(self):
        self.cluster.start_worker("w1", gpus=f"fake:{GPUS}")
        out = self.cluster.submit({"name": "drain", "command": "true",
                                   "hyperparameters": {"i": list(range(JOBS))}})
        sweep = out["sweep_id"]
        self.assertEqual(len(out["job_ids"]), JOBS)
        wait_until(lambda: all(j["state"] in ENDED
                               for j in self.cluster.jobs(all=True, sweep=sweep)),
                   timeout=240, interval=0.5, what="the drain to finish")

        db = sqlite3.connect(os.path.join(self.cluster.dir, "master", "yard.db"))
        rows = db.execute("SELECT id, state, attempt, gpus, started_at, finished_at FROM jobs "
                          "WHERE sweep_id = ?", (sweep,)).fetchall()
        self.assertEqual(len(rows), JOBS)
        self.assertEqual({r[1] for r in rows}, {"SUCCEEDED"})
        self.assertEqual({r[2] for r in rows}, {1}, "a job ran more than once")

        # The worker's process times: a job's process started after the last one on its GPU
        # ended.
        by_gpu = {}
        for job_id, _, _, gpus, started, finished in rows:
            gpus = json.loads(gpus)
            self.assertEqual(len(gpus), 1, f"job {job_id} holds {gpus}")
            self.assertGreater(started, 0)
            self.assertGreaterEqual(finished, started)
            by_gpu.setdefault(gpus[0]["index"], []).append((started, finished, job_id))
        self.assertEqual(set(by_gpu), set(range(GPUS)))
        self.assertEqual(self.overlaps(by_gpu), [])

        # The master's record: from handing the GPU out (ASSIGNED) to learning the job ended.
        held = {}
        gpu_of = {r[0]: json.loads(r[3])[0]["index"] for r in rows}
        for job_id, state, at in db.execute(
                "SELECT e.job_id, e.state, e.at FROM job_events e JOIN jobs j ON j.id = e.job_id "
                "WHERE j.sweep_id = ? ORDER BY e.id", (sweep,)):
            if state == "ASSIGNED":
                held[job_id] = [at, None]
            elif state in ENDED and job_id in held:
                held[job_id][1] = at
        self.assertEqual(len(held), JOBS)
        spans = {}
        for job_id, (start, end) in held.items():
            self.assertIsNotNone(end, f"job {job_id} has no end in its history")
            spans.setdefault(gpu_of[job_id], []).append((start, end, job_id))
        self.assertEqual(self.overlaps(spans), [])


if __name__ == "__main__":
    unittest.main()
