#!/usr/bin/python3
"""Self-test of yard_hpo_driver, the JSON-lines bridge between bench/hpo/bench.py and src/hpo.

    /usr/bin/python3 bench/hpo/test_driver.py            # finds build/bench/hpo/yard_hpo_driver
    YARD_HPO_DRIVER=path/to/yard_hpo_driver /usr/bin/python3 bench/hpo/test_driver.py

Skips (with a message) when the driver binary is not there.
"""

import json
import math
import os
import pathlib
import subprocess
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
DRIVER = pathlib.Path(os.environ.get("YARD_HPO_DRIVER",
                                     ROOT / "build" / "bench" / "hpo" / "yard_hpo_driver"))

SPACE = {"lr": {"type": "log", "min": 1e-4, "max": 1e-1},
         "hidden": {"type": "int", "min": 8, "max": 64}}


class Driver:
    def __init__(self):
        self.proc = subprocess.Popen([str(DRIVER)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)

    def send_line(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise AssertionError("the driver exited (rc %s)" % self.proc.poll())
        return json.loads(answer)

    def call(self, **request):
        return self.send_line(json.dumps(request))

    def close(self):
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=10)
        self.proc.stdout.close()
        return rc


def random_search(seed=7):
    return {"op": "init", "hyperparameters": SPACE,
            "search": {"algorithm": "random", "metric": "loss", "goal": "minimize",
                       "max_trials": 4, "seed": seed}}


@unittest.skipUnless(DRIVER.exists(), "no driver at %s: build the yard_hpo_driver target"
                     % DRIVER)
class DriverTest(unittest.TestCase):
    def setUp(self):
        self.driver = Driver()

    def tearDown(self):
        self.assertEqual(self.driver.close(), 0)

    def ask_four(self, driver):
        answer = driver.call(op="ask", slots=4)
        self.assertEqual(set(answer), {"decisions"})
        return answer["decisions"]

    def test_random_search_of_four_trials(self):
        d = self.driver
        self.assertEqual(d.call(**random_search()), {"ok": True})
        decisions = self.ask_four(d)
        self.assertEqual(len(decisions), 4, decisions)
        self.assertEqual(len({x["trial"] for x in decisions}), 4, "trial numbers repeat")
        for x in decisions:
            self.assertEqual(x["kind"], "create")
            self.assertIsInstance(x["trial"], int)
            self.assertIn("budget", x)
            hp = x["hparams"]
            self.assertEqual(set(hp), {"lr", "hidden"})
            self.assertTrue(1e-4 <= hp["lr"] <= 1e-1, hp)
            self.assertIsInstance(hp["hidden"], int, "an int parameter came back as %r" % hp)
            self.assertTrue(8 <= hp["hidden"] <= 64, hp)
        self.assertEqual(d.call(op="finished"), {"finished": False})

        for x in decisions:
            value = math.log10(x["hparams"]["lr"]) ** 2
            answer = d.call(op="report", trial=x["trial"], step=1, value=value)
            self.assertIsInstance(answer.get("decisions"), list, answer)
            self.assertEqual(d.call(op="ended", trial=x["trial"], end="completed", value=value),
                             {"ok": True})
        self.assertEqual(d.call(op="finished"), {"finished": True})
        self.assertEqual(d.call(op="ask", slots=4), {"decisions": []})
        self.assertIn("state", d.call(op="save"))

    def test_same_seed_same_trials(self):
        other = Driver()
        try:
            self.assertEqual(self.driver.call(**random_search(seed=3)), {"ok": True})
            self.assertEqual(other.call(**random_search(seed=3)), {"ok": True})
            self.assertEqual(self.ask_four(self.driver), self.ask_four(other))
        finally:
            self.assertEqual(other.close(), 0)

    def test_nan_and_failures_do_not_break_the_search(self):
        d = self.driver
        self.assertEqual(d.call(**random_search()), {"ok": True})
        first, second = self.ask_four(d)[:2]
        self.assertIn("decisions", d.call(op="report", trial=first["trial"], step=1, value=None))
        self.assertEqual(d.call(op="ended", trial=first["trial"], end="failed", value=None),
                         {"ok": True})
        self.assertEqual(d.call(op="ended", trial=second["trial"], end="completed", value=0.5),
                         {"ok": True})

    def test_bad_input_answers_an_error_and_the_driver_goes_on(self):
        d = self.driver
        self.assertIn("error", d.call(op="ask", slots=1))  # before init
        self.assertIn("error", d.send_line("this is not json"))
        bad = {"op": "init", "hyperparameters": {"lr": {"type": "float", "min": 2, "max": 1}},
               "search": {"algorithm": "random", "metric": "loss", "max_trials": 4}}
        answer = d.call(**bad)
        self.assertIn("error", answer)
        self.assertIn("lr", answer["error"], "the error should name the parameter")
        self.assertIn("error", d.call(op="frobnicate"))
        self.assertEqual(d.call(**random_search()), {"ok": True})
        self.assertIn("error", d.call(op="ended", trial=0, end="sideways", value=1))


if __name__ == "__main__":
    unittest.main()
