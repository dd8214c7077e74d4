"""Gangs through a real master and two real workers (fake GPUs, process runtime): one job over
several workers, its parts finding each other through MASTER_ADDR:MASTER_PORT."""

import json
import os
import time
import unittest

from harness import ClusterTest, pid_alive, wait_until

# Each part records what it sees; rank 0 listens on MASTER_PORT and prints the line that each
# other rank sends. MODE=fail: rank 1 exits 3 once rank 0 listens, rank 0 would sleep on.
# MODE=sleep: both parts sleep. LINGER=1: rank 0 takes a second to stop after SIGTERM.
PART = r'''
import json, os, socket, sys, time
rank = int(os.environ["YARD_NODE_RANK"])
out = os.environ["OUT"]
seen = {k: os.environ.get(k) for k in
        ("YARD_NUM_NODES", "YARD_NODE_RANK", "MASTER_ADDR", "MASTER_PORT", "CUDA_VISIBLE_DEVICES")}
seen["pid"] = os.getpid()
with open(os.path.join(out, "rank%d.json" % rank), "w") as f:
    json.dump(seen, f)
mode = os.environ.get("MODE", "talk")
if rank == 0 and os.environ.get("LINGER"):
    # Takes a second to stop after SIGTERM, holding its GPUs, then says when it let go.
    import signal
    def linger(*_):
        time.sleep(1.0)
        with open(os.path.join(out, "rank0-ended"), "w") as f:
            f.write(repr(time.time()))
        os._exit(0)
    signal.signal(signal.SIGTERM, linger)
if mode == "sleep":
    time.sleep(120)
    sys.exit(0)
addr, port = os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"])
if rank == 0:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("", port))
    server.listen(8)
    if mode == "fail":
        time.sleep(120)
        sys.exit(0)
    server.settimeout(60)
    lines = []
    for _ in range(int(os.environ["YARD_NUM_NODES"]) - 1):
        conn, _ = server.accept()
        lines.append(conn.makefile().readline().strip())
    for line in sorted(lines):
        print("rank 0 got: " + line, flush=True)
else:
    deadline = time.time() + 60
    while True:
        try:
            conn = socket.create_connection((addr, port), timeout=5)
            break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)
    if mode == "fail":
        while os.environ.get("LINGER") and not os.path.exists(os.path.join(out, "go")):
            time.sleep(0.05)  # the test says when
        sys.exit(3)
    conn.sendall(("hello from rank %d of %s\n" % (rank, os.environ["YARD_NUM_NODES"])).encode())
    conn.close()
    print("rank 1 sent", flush=True)
'''


class GangTest(ClusterTest):

    def setUp(self):
        super().setUp()
        c = self.cluster
        self.out = os.path.join(c.dir, "parts")
        os.makedirs(self.out)
        self.script = os.path.join(c.dir, "part.py")
        with open(self.script, "w") as f:
            f.write(PART)
        c.start_worker("w1", gpus="fake:2")
        c.start_worker("w2", gpus="fake:2")

    def submit_gang(self, mode, gpus=4, env=None):
        return self.cluster.submit({"name": f"gang-{mode}", "command": ["python3", self.script],
                                    "env": {"OUT": self.out, "MODE": mode, **(env or {})},
                                    "resources": {"gpus": gpus}})["job_id"]

    def seen(self, rank, timeout=20):
        path = os.path.join(self.out, f"rank{rank}.json")
        wait_until(lambda: os.path.exists(path) and os.path.getsize(path) > 0, timeout=timeout,
                   what=f"rank {rank} to start")
        time.sleep(0.05)  # the part writes its file in one go; let it close
        with open(path) as f:
            return json.load(f)

    def free_gpus(self):
        return sum(1 for w in self.cluster.api("GET", "/v1/workers")["workers"]
                   for g in w["gpus"] if g["job_id"] is None)

    def test_a_job_larger_than_any_worker_runs_once_over_two(self):
        c = self.cluster
        job_id = self.submit_gang("talk")
        job = c.wait_state(job_id, ("SUCCEEDED", "FAILED", "CANCELLED", "LOST"), timeout=60)
        self.assertEqual(job["state"], "SUCCEEDED", job)
        self.assertEqual(job["exit_code"], 0)
        self.assertEqual(job["attempt"], 1)
        by_worker = {}
        for g in job["gpus"]:
            by_worker.setdefault(g["worker"], []).append(g["index"])
        self.assertEqual({w: sorted(i) for w, i in by_worker.items()}, {"w1": [0, 1], "w2": [0, 1]})
        ranks = [self.seen(0), self.seen(1)]
        for rank, seen in enumerate(ranks):
            self.assertEqual(seen["YARD_NUM_NODES"], "2")
            self.assertEqual(seen["YARD_NODE_RANK"], str(rank))
            self.assertEqual(seen["CUDA_VISIBLE_DEVICES"], "0,1")
        # Both parts were told the same rendezvous, and it is where rank 0 ran.
        self.assertEqual(ranks[0]["MASTER_ADDR"], ranks[1]["MASTER_ADDR"])
        self.assertEqual(ranks[0]["MASTER_PORT"], ranks[1]["MASTER_PORT"])
        self.assertTrue(ranks[0]["MASTER_ADDR"])
        # The job row names rank 0's worker; the log is rank 0's output, which heard rank 1.
        self.assertIn(job["worker"], ("w1", "w2"))
        self.assertIn("rank 0 got: hello from rank 1 of 2", c.log(job_id))
        self.assertNotIn("rank 1 sent", c.log(job_id))
        history = [h["state"] for h in job["history"]]
        self.assertEqual(history.count("ASSIGNED"), 1, history)
        self.assertEqual(history.count("RUNNING"), 1, history)
        wait_until(lambda: self.free_gpus() == 4, what="all 4 GPUs to be free again")

    def test_a_failing_part_fails_the_job_and_kills_the_other(self):
        c = self.cluster
        job_id = self.submit_gang("fail")
        rank0 = self.seen(0)
        job = c.wait_state(job_id, ("SUCCEEDED", "FAILED", "CANCELLED", "LOST"), timeout=60)
        self.assertEqual(job["state"], "FAILED", job)
        self.assertEqual(job["exit_code"], 3)
        self.assertIn("rank 1", job["reason"])
        # Rank 0 would sleep for two minutes: its worker was told to kill it.
        wait_until(lambda: not pid_alive(rank0["pid"]), timeout=20, what="rank 0 to be killed")
        wait_until(lambda: self.free_gpus() == 4, what="all 4 GPUs to be free again")
        # Its later report of the ended attempt changed nothing.
        time.sleep(1.5)
        self.assertEqual(c.job(job_id)["state"], "FAILED")

    def test_a_killed_part_lets_go_of_its_gpus_before_the_next_job_starts_there(self):
        c = self.cluster
        gang = self.submit_gang("fail", env={"LINGER": "1"})
        c.wait_state(gang, "RUNNING", timeout=30)
        # Queued behind the gang: when it fails, one of them gets rank 0's GPUs while rank 0 is
        # still stopping. The master has freed them; the worker must wait for the process.
        start = "import os, time; open(os.environ['OUT'] + '/started-' + os.environ['YARD_JOB_ID'], 'w').write(repr(time.time()))"
        followers = [c.submit({"name": f"follower{i}", "command": ["python3", "-c", start],
                               "env": {"OUT": self.out}, "resources": {"gpus": 2}})["job_id"]
                     for i in range(2)]
        for f in followers:
            c.wait_state(f, "QUEUED", timeout=10)
        with open(os.path.join(self.out, "go"), "w"):
            pass  # rank 1 fails now
        job = c.wait_state(gang, ("SUCCEEDED", "FAILED"), timeout=60)
        self.assertEqual(job["state"], "FAILED", job)
        rank0_worker = job["worker"]
        for f in followers:
            self.assertEqual(c.wait_state(f, ("SUCCEEDED", "FAILED"), timeout=60)["state"],
                             "SUCCEEDED")
        on_rank0 = [f for f in followers if c.job(f)["worker"] == rank0_worker]
        self.assertEqual(len(on_rank0), 1, [c.job(f)["worker"] for f in followers])
        ended = os.path.join(self.out, "rank0-ended")
        wait_until(lambda: os.path.exists(ended), timeout=20, what="rank 0 to stop")
        with open(ended) as fh:
            rank0_ended = float(fh.read())
        with open(os.path.join(self.out, f"started-{on_rank0[0]}")) as fh:
            follower_started = float(fh.read())
        self.assertGreaterEqual(follower_started, rank0_ended)
        self.assertIn("waiting for an earlier job", c.log(on_rank0[0]))

    def test_cancel_stops_every_part(self):
        c = self.cluster
        job_id = self.submit_gang("sleep")
        job = c.wait_state(job_id, "RUNNING", timeout=30)
        pids = [self.seen(0)["pid"], self.seen(1)["pid"]]
        self.assertTrue(all(pid_alive(p) for p in pids))
        # `yard ps` names both parts, rank 0's worker first.
        other = "w2" if job["worker"] == "w1" else "w1"
        line = next(l for l in c.yard("ps").stdout.splitlines() if l.startswith(f"{job_id} "))
        self.assertIn(f"{job['worker']}:0,1+{other}:0,1", line)
        c.yard("cancel", str(job_id))
        job = c.wait_state(job_id, ("CANCELLED", "FAILED", "SUCCEEDED"), timeout=30)
        self.assertEqual(job["state"], "CANCELLED", job)
        for pid in pids:
            wait_until(lambda: not pid_alive(pid), timeout=20, what=f"part {pid} to be killed")
        wait_until(lambda: self.free_gpus() == 4, what="all 4 GPUs to be free again")

    def test_a_job_larger_than_the_cluster_waits_saying_so(self):
        c = self.cluster
        job_id = self.submit_gang("talk", gpus=6)
        job = wait_until(lambda: (j := c.job(job_id)).get("wait_reason") and j,
                         what="a wait reason")
        self.assertEqual(job["state"], "QUEUED")
        self.assertEqual(job["wait_reason"], "larger than the cluster")
        # A third worker makes it fit: it runs over all three.
        c.start_worker("w3", gpus="fake:2")
        job = c.wait_state(job_id, ("SUCCEEDED", "FAILED"), timeout=60)
        self.assertEqual(job["state"], "SUCCEEDED", job)
        self.assertEqual({g["worker"] for g in job["gpus"]}, {"w1", "w2", "w3"})
        log = c.log(job_id)
        self.assertIn("rank 0 got: hello from rank 1 of 3", log)
        self.assertIn("rank 0 got: hello from rank 2 of 3", log)


class GangPreemptionTest(GangTest):
    policy = "preset=team,min_run_s=0,preempt_grace_s=2"

    # The cases of GangTest run under the default policy only.
    test_a_job_larger_than_any_worker_runs_once_over_two = None
    test_a_failing_part_fails_the_job_and_kills_the_other = None
    test_cancel_stops_every_part = None
    test_a_killed_part_lets_go_of_its_gpus_before_the_next_job_starts_there = None
    test_a_job_larger_than_the_cluster_waits_saying_so = None

    def test_preempting_a_gang_stops_every_part_and_requeues_it_whole(self):
        c = self.cluster
        gang = c.submit({"name": "gang", "command": ["python3", self.script], "priority": 10,
                         "preemptible": True, "env": {"OUT": self.out, "MODE": "sleep"},
                         "resources": {"gpus": 4}})["job_id"]
        c.wait_state(gang, "RUNNING", timeout=30)
        pids = [self.seen(0)["pid"], self.seen(1)["pid"]]
        for rank in (0, 1):
            os.remove(os.path.join(self.out, f"rank{rank}.json"))
        high = c.submit({"name": "high", "command": "sleep 1", "priority": 90})["job_id"]
        for pid in pids:
            wait_until(lambda: not pid_alive(pid), timeout=20, what=f"part {pid} to stop")
        self.assertEqual(c.wait_state(high, ("SUCCEEDED", "FAILED"), timeout=30)["state"],
                         "SUCCEEDED")
        # Back in the queue as one job, then placed again whole: a second attempt on both.
        job = c.wait_state(gang, "RUNNING", timeout=30)
        self.assertEqual(job["attempt"], 2)
        self.assertEqual({g["worker"] for g in job["gpus"]}, {"w1", "w2"})
        states = [h["state"] for h in job["history"]]
        self.assertEqual(states.count("PREEMPTED"), 1, states)
        self.assertEqual(states[states.index("PREEMPTED") + 1], "QUEUED")
        self.assertFalse({self.seen(0)["pid"], self.seen(1)["pid"]} & set(pids))  # new parts
        c.yard("cancel", str(gang))
        self.assertEqual(c.wait_state(gang, ("CANCELLED", "FAILED"), timeout=30)["state"],
                         "CANCELLED")


class GangLostPartTest(GangTest):
    worker_timeout = "2s"

    test_a_job_larger_than_any_worker_runs_once_over_two = None
    test_a_failing_part_fails_the_job_and_kills_the_other = None
    test_cancel_stops_every_part = None
    test_a_killed_part_lets_go_of_its_gpus_before_the_next_job_starts_there = None
    test_a_job_larger_than_the_cluster_waits_saying_so = None

    def test_a_lost_part_requeues_the_whole_gang_and_kills_the_other(self):
        c = self.cluster
        gang = self.submit_gang("sleep")
        c.wait_state(gang, "RUNNING", timeout=30)
        pids = {rank: self.seen(rank)["pid"] for rank in (0, 1)}
        rank1_worker = next(w for w in ("w1", "w2") if w != c.job(gang)["worker"])
        c.kill9(c.workers[rank1_worker])  # its part dies with it
        job = wait_until(lambda: (j := c.job(gang))["state"] == "QUEUED" and j, timeout=30,
                         what="the gang to be requeued")
        self.assertEqual(job["retries"], 1)
        self.assertIn(rank1_worker, [h for h in job["history"] if h["state"] == "LOST"][0]["reason"])
        # The surviving part was stopped, and with one worker left the gang cannot run.
        wait_until(lambda: not pid_alive(pids[0]), timeout=20, what="rank 0 to be killed")
        self.assertEqual(job["wait_reason"], "larger than the cluster")
        # The worker comes back: the whole gang runs again, a second attempt on both workers.
        for rank in (0, 1):
            os.remove(os.path.join(self.out, f"rank{rank}.json"))
        c.start_worker(rank1_worker, gpus="fake:2")
        job = c.wait_state(gang, "RUNNING", timeout=30)
        self.assertEqual(job["attempt"], 2)
        self.assertEqual({g["worker"] for g in job["gpus"]}, {"w1", "w2"})
        self.assertEqual({self.seen(0)["YARD_NODE_RANK"], self.seen(1)["YARD_NODE_RANK"]},
                         {"0", "1"})
        c.yard("cancel", str(gang))
        self.assertEqual(c.wait_state(gang, ("CANCELLED", "FAILED"), timeout=30)["state"],
                         "CANCELLED")


if __name__ == "__main__":
    unittest.main()
