"""The API and CLI contracts: bad input is refused whole, metrics, logs, sweeps, errors."""

import json
import os
import subprocess
import unittest

from harness import YARD, Cluster, ClusterTest, free_port, wait_until


class BadInputTest(ClusterTest):

    def assert_refused(self, spec, status, *words):
        before = len(self.cluster.jobs())
        code, body = self.cluster.api_error("POST", "/v1/jobs", {"spec": spec, "user": "t"})
        self.assertEqual(code, status, body)
        message = body["error"]["message"]
        for w in words:
            self.assertIn(w, message)
        self.assertEqual(len(self.cluster.jobs()), before, "a refused spec left jobs behind")
        return message

    def test_bad_specs_are_refused_naming_the_problem(self):
        self.cluster.start_worker("w", gpus="fake:2")
        self.assert_refused({"command": "true", "colour": "red"}, 400, "colour")
        self.assert_refused({"command": "true", "priority": "high"}, 400, "priority")
        self.assert_refused({"command": 42}, 400, "command")
        self.assert_refused({"name": "x"}, 400, "command", "required")
        self.assert_refused({"command": "true", "resources": {"gpus": -1}}, 400,
                            "resources.gpus", "negative")
        # More than any worker has is a gang; only what no cluster could hold is refused.
        self.assert_refused({"command": "true", "resources": {"gpus": 5000}}, 400,
                            "resources.gpus", "between 0 and 1024")
        self.assert_refused({"command": "train --lr {lr} --bs {batch}",
                             "hyperparameters": {"lr": [0.1, 0.2]}}, 400, "{batch}")
        self.assert_refused({"command": "true", "timeout": "soon"}, 400, "timeout")
        self.assert_refused({"command": "true", "hyperparameters": {"lr": []}}, 400,
                            "hyperparameters.lr")
        self.assert_refused({"command": "true", "env": {"YARD_JOB_ID": "1"}}, 400, "env.YARD_JOB_ID")
        self.assertEqual(self.cluster.api("GET", "/v1/sweeps")["sweeps"], [])

    def test_malformed_and_oversized_bodies(self):
        c = self.cluster
        for raw in [b"{", b"[1,2", b"\xff\xfe", b"null", b"{\"spec\": 5}", b""]:
            code, body = c.api_error("POST", "/v1/jobs", raw=raw)
            self.assertEqual(code, 400, raw)
            self.assertIn("message", body["error"])
        big = {"spec": {"command": "true", "env": {"X": "y" * (2 << 20)}}}
        code, body = c.api_error("POST", "/v1/jobs", big)
        self.assertEqual(code, 413)
        self.assertEqual(body["error"]["code"], "too_large")
        code, _ = c.api_error("POST", "/v1/workers/register", raw=b"{\"name\": 3}")
        self.assertEqual(code, 400)
        code, _ = c.api_error("POST", "/v1/workers/77/heartbeat", {"jobs": []})
        self.assertEqual(code, 404)
        code, _ = c.api_error("GET", "/v1/jobs/abc")
        self.assertEqual(code, 400)
        code, _ = c.api_error("GET", "/v1/jobs/12345")
        self.assertEqual(code, 404)
        self.assertEqual(c.jobs(), [])
        self.assertTrue(c.healthy())

    def test_cli_names_the_field_and_the_file(self):
        c = self.cluster
        path = os.path.join(c.dir, "bad.yaml")
        with open(path, "w") as f:
            f.write("name: x\ncommand: sleep 1\nresources:\n  gpus: [1\n")
        res = c.yard("submit", path, check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("bad.yaml", res.stderr)
        self.assertIn("line", res.stderr)
        with open(path, "w") as f:
            f.write("name: x\ncommand: sleep 1\npriorty: 3\n")
        res = c.yard("submit", path, check=False)
        self.assertIn("priorty", res.stderr)


class ContractTest(ClusterTest):

    def test_metrics_logs_and_what_a_job_sees(self):
        c = self.cluster
        c.start_worker("w", gpus="fake:2")
        script = ("import json, os\n"
                  "print('env', json.dumps({k: os.environ.get(k) for k in ['YARD_JOB_ID', 'YARD_SWEEP_ID', "
                  "'CUDA_VISIBLE_DEVICES', 'NVIDIA_VISIBLE_DEVICES', 'YARD_HPARAMS', 'YARD_OUTPUT_DIR', "
                  "'YARD_CHECKPOINT_DIR', 'YARD_DATA_DIR', 'OMP_NUM_THREADS']}), flush=True)\n"
                  "print('dirs', json.dumps({k: os.path.isdir(os.environ[k]) for k in "
                  "['YARD_OUTPUT_DIR', 'YARD_CHECKPOINT_DIR', 'YARD_DATA_DIR']}), flush=True)\n"
                  "open(os.path.join(os.environ['YARD_OUTPUT_DIR'], 'seen.txt'), 'w').write('seen')\n"
                  "for s in range(3):\n"
                  "    print('YARD_METRIC ' + json.dumps({'step': s, 'loss': 1.0 / (s + 1), 'acc': s / 10}), flush=True)\n")
        spec = {"name": "seer", "command": ["/usr/bin/python3", "-c", script],
                "resources": {"gpus": 2}, "env": {"OMP_NUM_THREADS": 4}}
        job = c.submit(spec)["job_id"]
        done = c.wait_state(job, "SUCCEEDED")
        self.assertEqual(done["metrics"], {"loss": 1.0 / 3, "acc": 0.2})
        points = c.api("GET", f"/v1/jobs/{job}/metrics")["metrics"]
        self.assertEqual([(p["step"], p["key"]) for p in points if p["key"] == "loss"],
                         [(0, "loss"), (1, "loss"), (2, "loss")])
        env = json.loads(c.log(job).split("env ", 1)[1].splitlines()[0])
        self.assertEqual(env["YARD_JOB_ID"], str(job))
        self.assertIsNone(env["YARD_SWEEP_ID"])
        self.assertEqual(env["CUDA_VISIBLE_DEVICES"], "0,1")
        self.assertEqual(env["NVIDIA_VISIBLE_DEVICES"], "0,1")
        self.assertEqual(env["OMP_NUM_THREADS"], "4")
        # Each folder is there when the job starts (it may write without making it); what the job
        # leaves in one is kept after it (an emptied one goes back to the worker's spares).
        dirs = json.loads(c.log(job).split("dirs ", 1)[1].splitlines()[0])
        self.assertEqual(dirs, {"YARD_OUTPUT_DIR": True, "YARD_CHECKPOINT_DIR": True,
                                "YARD_DATA_DIR": True})
        with open(os.path.join(env["YARD_OUTPUT_DIR"], "seen.txt")) as f:
            self.assertEqual(f.read(), "seen")
        shown = c.yard("show", str(job)).stdout
        self.assertIn("loss", shown)
        self.assertIn("SUCCEEDED", shown)
        for field in ["id", "name", "state", "sweep_id", "hparams", "gpus", "submitted_at",
                      "started_at", "finished_at", "exit_code", "metrics", "history"]:
            self.assertIn(field, done)
        self.assertEqual(set(done["gpus"][0]), {"worker", "index", "uuid", "model"})
        self.assertRegex(done["finished_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        # The database answers plain SQL through jobs_view.
        db = os.path.join(c.dir, "master", "yard.db")
        rows = subprocess.run(["sqlite3", db, f"select state, worker from jobs_view where id={job}"],
                              capture_output=True, text=True).stdout.strip()
        self.assertEqual(rows, "SUCCEEDED|w")

    def test_logs_follow_streams_until_the_end(self):
        c = self.cluster
        c.start_worker("w", gpus="fake:1")
        job = c.submit({"name": "ticker",
                        "command": ["sh", "-c", "for i in 1 2 3; do echo tick $i; sleep 0.4; done"]})["job_id"]
        c.wait_state(job, "RUNNING")
        res = c.yard("logs", "-f", str(job), timeout=20)
        self.assertEqual(res.stdout, "tick 1\ntick 2\ntick 3\n")
        self.assertEqual(c.job(job)["state"], "SUCCEEDED")

    def test_grid_sweep_is_ranked_by_its_metric(self):
        c = self.cluster
        c.start_worker("w", gpus="fake:4")
        spec = {"name": "grid", "command": ["sh", "-c", "echo YARD_METRIC '{\"score\": {x}}'; sleep 0.2"],
                "hyperparameters": {"x": [3, 1, 4, 1.5, 9, 2, 6, 5], "tag": "const"},
                "search": {"metric": "score", "goal": "minimize"}}
        r = c.submit(spec)
        self.assertEqual(len(r["job_ids"]), 8)
        c.wait_all_ended(r["job_ids"])
        sweep = c.api("GET", f"/v1/sweeps/{r['sweep_id']}")
        self.assertEqual(sweep["state"], "DONE")
        self.assertEqual([t["metric_value"] for t in sweep["trials"]], [1, 1.5, 2, 3, 4, 5, 6, 9])
        self.assertEqual([t["rank"] for t in sweep["trials"]], list(range(1, 9)))
        self.assertTrue(all(t["hparams"]["tag"] == "const" for t in sweep["trials"]))
        table = c.yard("sweep", str(r["sweep_id"])).stdout
        self.assertIn("best: job", table)
        self.assertIn("x=1", table.split("best:")[1])
        listing = json.loads(c.yard("sweeps", "--json").stdout)
        self.assertEqual(listing[0]["trials"], 8)


class ListingPagesTest(ClusterTest):

    def test_job_listing_pages_by_id_and_ps_says_where_the_next_page_starts(self):
        c = self.cluster
        out = c.submit({"name": "paged", "command": "true", "hyperparameters": {"i": list(range(7))}})
        ids = sorted(out["job_ids"])  # no worker: all stay queued
        first = c.api("GET", "/v1/jobs?limit=3")
        self.assertEqual([j["id"] for j in first["jobs"]], ids[:3])
        self.assertEqual(first["next_after"], ids[2])
        self.assertEqual(first["total"], 7)
        rest = c.api("GET", f"/v1/jobs?limit=5&after={ids[2]}")
        self.assertEqual([j["id"] for j in rest["jobs"]], ids[3:])
        self.assertIsNone(rest["next_after"])
        # Finished jobs come from the database, paged the same way.
        c.yard("cancel", str(ids[0]))
        done = c.api("GET", "/v1/jobs?all=1&limit=2")
        self.assertEqual([j["id"] for j in done["jobs"]], ids[:2])
        self.assertEqual(done["jobs"][0]["state"], "CANCELLED")
        self.assertEqual(done["next_after"], ids[1])
        self.assertEqual(len(c.api("GET", "/v1/jobs")["jobs"]), 6, "a short list is one page")

        res = c.yard("ps", "--limit", "4", "--json")
        self.assertEqual([j["id"] for j in json.loads(res.stdout)], ids[1:5])
        self.assertIn(f"--after {ids[4]}", res.stderr)
        res = c.yard("ps", "--after", str(ids[4]))
        self.assertNotIn("next page", res.stderr)
        self.assertEqual(len([l for l in res.stdout.splitlines()[1:] if l.strip()]), 2)

    def test_no_answer_lists_more_than_ten_thousand_jobs(self):
        c = self.cluster
        out = c.submit({"name": "many", "command": "true",
                        "hyperparameters": {"i": list(range(10_005))}})
        ids = sorted(out["job_ids"])
        for asked in ("", "?limit=50000"):
            page = c.api("GET", "/v1/jobs" + asked, timeout=60)
            self.assertEqual([j["id"] for j in page["jobs"]], ids[:10_000], asked)
            self.assertEqual(page["next_after"], ids[9_999])
            self.assertEqual(page["total"], 10_005)
        rest = c.api("GET", f"/v1/jobs?after={ids[9_999]}", timeout=60)
        self.assertEqual([j["id"] for j in rest["jobs"]], ids[10_000:])
        self.assertIsNone(rest["next_after"])


class CliWithoutMasterTest(unittest.TestCase):

    def test_unreachable_master_names_yard_master(self):
        env = dict(os.environ, YARD_MASTER=f"http://127.0.0.1:{free_port()}")
        res = subprocess.run([YARD, "ps"], env=env, capture_output=True, text=True, timeout=10)
        self.assertEqual(res.returncode, 1)
        self.assertIn("YARD_MASTER", res.stderr)
        self.assertIn("cannot reach the master", res.stderr)

    def test_up_with_auto_gpus_says_when_there_is_no_nvml(self):
        if os.path.exists("/dev/nvidiactl"):
            self.skipTest("this machine has NVIDIA GPUs")
        c = Cluster()
        try:
            res = subprocess.run([YARD, "up", "--data-dir", c.dir, "--listen",
                                  f"127.0.0.1:{c.port}", "--gpus", "auto"],
                                 capture_output=True, text=True, timeout=20)
            self.assertEqual(res.returncode, 1)
            self.assertIn("NVML", res.stderr)
            self.assertIn("fake:", res.stderr)
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()
