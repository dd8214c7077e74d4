"""Searchers through a real master and worker: ASHA stops poor trials early and promoted
trials resume from their checkpoints (the stand-in trainer's and the digits example's);
adaptive searches survive a master restart; trials that report NaN or nothing rank last; bad
search blocks are refused at submit."""

import os
import re
import subprocess
import time
import unittest

from harness import ClusterTest, wait_until

TRAINER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_trainer.py")
DIGITS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                      "digits", "train.py")
# The example runs on Debian's python3 with its torch and scikit-learn (scripts/setup).
HAVE_TORCH = subprocess.run(["/usr/bin/python3", "-c", "import torch, sklearn"],
                            capture_output=True).returncode == 0


def search_spec(algorithm, **search):
    return {
        "name": f"{algorithm}-search",
        "command": ["/usr/bin/python3", TRAINER],
        "hyperparameters": {"x": {"type": "float", "min": 0.0, "max": 1.0}, "epochs": 9},
        "search": {"algorithm": algorithm, "metric": "score", "goal": "maximize", "seed": 3,
                   **search},
    }


class SearchTest(ClusterTest):

    def wait_sweep(self, sweep_id, timeout=120):
        return wait_until(lambda: (s := self.cluster.api("GET", f"/v1/sweeps/{sweep_id}"))["state"]
                          in ("DONE", "CANCELLED") and s, timeout=timeout, interval=0.2,
                          what=f"sweep {sweep_id} to finish")

    def asha(self, mode, max_trials):
        spec = search_spec("asha", max_trials=max_trials, max_parallel=3,
                           budget={"param": "epochs", "min": 1, "max": 9, "reduction": 3,
                                   "mode": mode})
        r = self.cluster.submit(spec)
        sweep = self.wait_sweep(r["sweep_id"])
        jobs = self.cluster.jobs(sweep=r["sweep_id"])
        self.assertNotIn("FAILED", [j["state"] for j in jobs], jobs)
        trials = {}
        for j in jobs:
            trials.setdefault(j["trial"], []).append(j)
        self.assertEqual(len(trials), max_trials)
        return r["sweep_id"], sweep, jobs, trials

    def test_asha_promoted_trials_resume_from_their_checkpoints(self):
        c = self.cluster
        c.start_worker("w", gpus="fake:3")
        sweep_id, sweep, jobs, trials = self.asha("promote", 12)
        promoted = {t: js for t, js in trials.items() if len(js) > 1}
        self.assertTrue(promoted, "no trial was promoted")
        for t, js in promoted.items():
            js.sort(key=lambda j: j["id"])
            budgets = [j["hparams"]["epochs"] for j in js]
            self.assertEqual(budgets, sorted(budgets), f"trial {t}")
            for prev, nxt in zip(js, js[1:]):
                self.assertEqual(prev["state"], "SUCCEEDED")
                log = c.log(nxt["id"])
                # It picks up where the last run left off: only the new epochs are trained.
                self.assertIn(f"resumed from epoch {prev['hparams']['epochs']}", log)
                self.assertIn(f"trained epochs {prev['hparams']['epochs'] + 1}..", log)
        # Only the best of each rung go on: fewer trials reach the top budget than start.
        at_top = [t for t, js in trials.items() if max(j["hparams"]["epochs"] for j in js) == 9]
        self.assertLess(len(at_top), len(trials) / 2)
        best = sweep["trials"][0]
        self.assertEqual(best["budget"], 9)
        full = [t for t in sweep["trials"] if t["budget"] == 9 and t["metric_value"] is not None]
        self.assertEqual(best["metric_value"], max(t["metric_value"] for t in full))
        self.assertGreater(sweep["gpu_seconds"], 0)
        # The listing counts in the database what the sweep's own view adds up from its jobs.
        listed = {s["id"]: s for s in c.api("GET", "/v1/sweeps")["sweeps"]}[sweep_id]
        self.assertAlmostEqual(listed["gpu_seconds"], sweep["gpu_seconds"], places=3)
        self.assertEqual(listed["trials"], sum(len(js) for js in trials.values()))
        self.assertEqual(sum(listed["trial_states"].values()), listed["trials"])
        table = c.yard("sweep", str(sweep_id)).stdout
        self.assertIn("GPU-seconds", table)
        self.assertIn("epochs", table)

    @unittest.skipUnless(HAVE_TORCH, "the digits example needs python3-torch and python3-sklearn")
    def test_digits_example_under_asha_resumes_from_its_checkpoint(self):
        # The real example job, not the stand-in: promoted trials pick up the checkpoint that
        # train.py left in YARD_CHECKPOINT_DIR and train only the new epochs.
        c = self.cluster
        c.start_worker("w", gpus="fake:3")
        spec = {"name": "digits-asha",
                "command": ["/usr/bin/python3", DIGITS, "--lr", "{lr}", "--hidden", "{hidden}",
                            "--epochs", "{epochs}"],
                "hyperparameters": {"lr": {"type": "log", "min": 0.01, "max": 0.5},
                                    "hidden": {"type": "int", "min": 16, "max": 64},
                                    "epochs": 9},
                "search": {"algorithm": "asha", "metric": "val_accuracy", "goal": "maximize",
                           "seed": 2, "max_trials": 9, "max_parallel": 3,
                           "budget": {"param": "epochs", "min": 1, "max": 9, "reduction": 3}}}
        r = c.submit(spec)
        sweep = self.wait_sweep(r["sweep_id"], timeout=300)
        self.assertEqual(sweep["state"], "DONE")
        jobs = c.jobs(sweep=r["sweep_id"])
        self.assertEqual([j for j in jobs if j["state"] != "SUCCEEDED"], [])
        trials = {}
        for j in sorted(jobs, key=lambda j: j["id"]):
            trials.setdefault(j["trial"], []).append(j)
        self.assertEqual(len(trials), 9)
        promoted = {t: js for t, js in trials.items() if len(js) > 1}
        self.assertTrue(promoted, "no trial was promoted")
        for t, js in promoted.items():
            for prev, nxt in zip(js, js[1:]):
                done, target = prev["hparams"]["epochs"], nxt["hparams"]["epochs"]
                self.assertLess(done, target, f"trial {t}")
                log = c.log(nxt["id"])
                self.assertIn(f"resumed from epoch {done}", log)
                steps = [int(m) for m in re.findall(r'"step": (\d+)', log)]
                self.assertEqual(steps, list(range(done + 1, target + 1)), log)
        best = sweep["trials"][0]
        self.assertEqual(best["budget"], 9)
        self.assertGreater(best["metric_value"], 0.8)

    def test_asha_stops_poor_trials_early(self):
        c = self.cluster
        c.start_worker("w", gpus="fake:3")
        sweep_id, sweep, jobs, trials = self.asha("stop", 9)
        stopped = [j for j in jobs if j["state"] == "STOPPED_EARLY"]
        self.assertTrue(stopped, f"nothing stopped early: {[j['state'] for j in jobs]}")
        for j in stopped:
            # Stopped at a rung boundary, short of the full 9 epochs.
            steps = [int(m) for m in re.findall(r'"step": (\d+)', c.log(j["id"]))]
            self.assertLess(max(steps), 9, j)
            self.assertIn("stopped early", j["reason"])
        finished = [j for j in jobs if j["state"] == "SUCCEEDED"]
        self.assertTrue(finished)
        self.assertEqual(sweep["trials"][0]["state"], "SUCCEEDED")

    def test_tpe_search_continues_after_a_master_restart(self):
        c = self.cluster
        c.start_worker("w", gpus="fake:2")
        r = c.submit(search_spec("tpe", max_trials=10, max_parallel=2))
        wait_until(lambda: len([j for j in c.jobs(sweep=r["sweep_id"]) if j["state"] == "SUCCEEDED"]) >= 3,
                   timeout=60, what="a few trials to finish")
        c.kill9(c.master)
        c.start_master()
        sweep = self.wait_sweep(r["sweep_id"])
        jobs = c.jobs(sweep=r["sweep_id"])
        self.assertEqual(len({j["trial"] for j in jobs}), 10)
        self.assertEqual(sweep["state"], "DONE")
        xs = [j["hparams"]["x"] for j in jobs]
        self.assertEqual(len(set(xs)), len(xs), "a trial was repeated")
        self.assertTrue(all(0 <= x <= 1 for x in xs))

    def test_grid_endings_before_a_master_restart_still_finish_the_sweep(self):
        # A grid's endings are not written into its searcher's saved state (they lead to no
        # decision); the restarted master must learn them from the job rows, or the sweep
        # would wait for trials that ended long ago.
        c = self.cluster
        c.start_worker("w", gpus="fake:3")
        r = c.submit({"name": "grid", "command": ["sh", "-c", "sleep {s}"],
                      "hyperparameters": {"s": [0, 0, 3]}})
        ids = sorted(r["job_ids"])
        wait_until(lambda: [c.job(i)["state"] for i in ids[:2]] == ["SUCCEEDED"] * 2,
                   timeout=30, what="the two short trials to finish")
        self.assertEqual(c.job(ids[2])["state"], "RUNNING")
        c.kill9(c.master)
        c.start_master()
        sweep = self.wait_sweep(r["sweep_id"], timeout=60)
        self.assertEqual(sweep["state"], "DONE")
        self.assertEqual([c.job(i)["state"] for i in ids], ["SUCCEEDED"] * 3)

    def test_nan_and_silent_trials_rank_last_and_the_search_goes_on(self):
        # A trial that reports NaN (JSON null, as trainyard.report writes it) or never reports
        # has no value: it ranks below every trial with one, has no rank, and the adaptive
        # searcher keeps proposing until max_trials.
        c = self.cluster
        c.start_worker("w", gpus="fake:2")
        script = ("import json, os\n"
                  "x = json.loads(os.environ['YARD_HPARAMS'])['x']\n"
                  "if x < 0.3: print('YARD_METRIC ' + json.dumps({'step': 1, 'score': None}))\n"
                  "elif x < 0.5: print('no metric from this one')\n"
                  "else: print('YARD_METRIC ' + json.dumps({'step': 1, 'score': 1 - (x - 0.7) ** 2}))\n")
        spec = {"name": "holes", "command": ["/usr/bin/python3", "-c", script],
                "hyperparameters": {"x": {"type": "float", "min": 0.0, "max": 1.0}},
                "search": {"algorithm": "tpe", "metric": "score", "goal": "maximize", "seed": 5,
                           "max_trials": 10, "max_parallel": 1}}
        r = c.submit(spec)
        sweep = self.wait_sweep(r["sweep_id"])
        self.assertEqual(sweep["state"], "DONE")
        trials = sweep["trials"]
        self.assertEqual(len(trials), 10)
        xs = [t["hparams"]["x"] for t in trials]
        silent = [t for t in trials if t["hparams"]["x"] < 0.5]
        valued = [t for t in trials if t["hparams"]["x"] >= 0.5]
        # One trial at a time, so the searcher sees the same history on every run: this seed
        # tries x of all three kinds.
        self.assertTrue(any(x < 0.3 for x in xs) and any(0.3 <= x < 0.5 for x in xs) and valued,
                        f"the seed should try every kind of x: {xs}")
        self.assertTrue(all(t["state"] == "SUCCEEDED" for t in trials), trials)
        # Every trial with a value first, best first, ranked 1..n; then the others, unranked.
        self.assertEqual([t["hparams"]["x"] >= 0.5 for t in trials],
                         [True] * len(valued) + [False] * len(silent), xs)
        values = [t["metric_value"] for t in trials[:len(valued)]]
        self.assertEqual(values, sorted(values, reverse=True))
        self.assertEqual([t["rank"] for t in valued], list(range(1, len(valued) + 1)))
        self.assertTrue(all(t["rank"] is None and t["metric_value"] is None for t in silent))
        table = c.yard("sweep", str(r["sweep_id"])).stdout
        self.assertIn("best: job %d" % trials[0]["id"], table)

    def test_bad_search_blocks_are_refused_whole(self):
        c = self.cluster
        cases = [
            ({"x": {"type": "float", "min": 2, "max": 1}, "epochs": 9}, {"algorithm": "random", "metric": "score", "max_trials": 3}, "min"),
            ({"x": {"type": "log", "min": 0, "max": 1}}, {"algorithm": "random", "metric": "score", "max_trials": 3}, "log"),
            ({"x": {"type": "choice", "values": []}}, {"algorithm": "random", "metric": "score", "max_trials": 3}, "x"),
            ({"x": {"type": "float", "min": 0, "max": 1}}, {"algorithm": "asha", "metric": "score", "max_trials": 3,
                                                            "budget": {"param": "epochs", "min": 1, "max": 9}}, "epochs"),
            ({"x": {"type": "float", "min": 0, "max": 1}}, {"algorithm": "tpe", "max_trials": 3}, "metric"),
            ({}, {"algorithm": "tpe", "metric": "score", "max_trials": 3}, "at least one hyperparameter"),
            ({"lr": 0.1}, {"algorithm": "tpe", "metric": "score", "max_trials": 3}, "nothing to search"),
        ]
        for space, search, word in cases:
            spec = {"name": "bad", "command": ["true"], "hyperparameters": space, "search": search}
            code, body = c.api_error("POST", "/v1/jobs", {"spec": spec})
            self.assertEqual(code, 400, body)
            self.assertIn(word, body["error"]["message"])
        self.assertEqual(c.jobs(), [])
        self.assertEqual(c.api("GET", "/v1/sweeps")["sweeps"], [])


if __name__ == "__main__":
    unittest.main()
