#!/usr/bin/python3
"""Trainyard's searchers side by side with Optuna 3.1, random and grid search, in one run.

Run it through bench/hpo/run (which builds the driver first):

    bench/hpo/run --quick        # under 5 minutes on 2 cores
    bench/hpo/run                # the full benchmark
    bench/hpo/run --first-seed 11 --json B.json   # a second draw of seeds, then
    bench/hpo/run --merge A.json B.json           # both runs summarised as one

Every method gets the same budget on a problem: the compute that grid search uses there
(evaluations for the single-fidelity synthetic functions, budget units for the multi-fidelity
one, epochs for the real training problems), and runs one trial at a time. Each (problem,
method) is run for >= 10 seeds; the seed drives the searcher, the noise of the multi-fidelity
function, and the initialisation and shuffling of the networks (one network seed per benchmark
seed, so that a configuration scores the same whichever method tries it).

Scores: the recommendation of a method at any point is its best result at the full budget so
far (the best evaluation for single-fidelity problems). Synthetic problems report the regret
f(x_best) - f* of the true, noiseless function (lower is better); real problems report the
validation accuracy of that trial at the full number of epochs (higher is better). The real
problems also report the recommended configuration retrained with new network seeds (not
charged to any budget): what the configuration is worth without the luck of the one run it
was picked from.

Methods: grid search (the reference; its compute is everyone's budget); ours: grid, random
(Sobol), tpe, asha, hyperband, bohb, through bench/hpo/yard_hpo_driver (src/hpo behind JSON
lines on stdin/stdout; the budget searchers with rungs min * 3^k up to the full budget);
Optuna 3.1: TPESampler(multivariate=True, seed, n_startup_trials as our TPE's rule), the same
with HyperbandPruner(min_resource=1, max_resource=full budget, reduction_factor=3) on the
problems with a budget (intermediate values reported every step, pruned when should_prune()
says so), and RandomSampler(seed). Optuna's trials run from scratch: it has no promotions.

Training is in-process with torch on one thread; a promoted trial resumes from its model,
optimizer and shuffling state kept in memory, so a promotion from 3 to 9 epochs costs 6.
"""

import argparse
import datetime
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import pathlib
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import warnings

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_DRIVER = ROOT / "build" / "bench" / "hpo" / "yard_hpo_driver"

OUR_ALGORITHMS = ["grid", "random", "tpe", "asha", "hyperband", "bohb"]
BUDGET_ALGORITHMS = {"asha", "hyperband", "bohb"}
CHECKPOINTS = (0.25, 0.5, 1.0)
# Network seeds the final recommendation of a training problem is retrained with.
RETRAIN_SEEDS = 5
ETA = 3
# Our method for each kind of problem, chosen before the run (not the best of ours after it):
# TPE where every trial runs the full budget, BOHB (Hyperband's brackets of ASHA promotions,
# with TPE's proposals) where there is a budget. "asha" in the final line means our ASHA
# searchers: its F is REACH_METHOD's; plain ASHA (Sobol proposals) is printed beside it.
# The final line's W counts the declared methods' wins against Optuna's best of three; the
# best of all six of ours per problem (which may be our grid searcher) is printed too.
DECLARED = {False: "ours-tpe", True: "ours-bohb"}
REACH_METHOD = "ours-bohb"
# The opponent as issue 4 names it ("Optuna's TPE (with Hyperband where there are budgets)"),
# reported beside W. W itself is stricter: the best of Optuna's three methods per problem.
NAMED_OPPONENT = {False: "optuna-tpe", True: "optuna-tpe+hb"}


# ---------------------------------------------------------------------------------------------
# Search spaces. A space is {name: spec} in the spec's `hyperparameters:` form: {type: float |
# log | int, min, max}. The budget parameter, when there is one, is added as a constant (the
# full budget) for searchers without budgets and is set by the budget searchers.

def unit_value(spec, u):
    lo, hi = spec["min"], spec["max"]
    if spec["type"] == "log":
        return math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
    if spec["type"] == "int":
        return int(min(hi, max(lo, math.floor(lo + u * (hi - lo + 1)))))
    return lo + u * (hi - lo)


def grid_axes(space, levels):
    """Each parameter's values at the centres of `levels[name]` equal cells of its unit range."""
    return {name: [unit_value(spec, (i + 0.5) / levels[name]) for i in range(levels[name])]
            for name, spec in space.items()}


def grid_points(axes):
    """The cross product in our grid searcher's order: names sorted, the last varies fastest."""
    names = sorted(axes)
    return [dict(zip(names, values)) for values in itertools.product(*(axes[n] for n in names))]


def config_key(config, names):
    return tuple(round(float(config[n]), 12) for n in names)


def stable_seed(*parts):
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "little")


# ---------------------------------------------------------------------------------------------
# Problems

BRANIN_MIN = 0.397887357729738
HARTMANN6_MIN = -3.32236801141551
H6_ALPHA = [1.0, 1.2, 3.0, 3.2]
H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H6_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
        [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
        [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]
H6_DECOY = [0.8, 0.2, 0.7, 0.9, 0.6, 0.1]  # where low budgets look better than they are


def branin(x1, x2):
    a, b, c = 1.0, 5.1 / (4 * math.pi ** 2), 5 / math.pi
    r, s, t = 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1 * x1 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


def hartmann6(x, alpha=H6_ALPHA):
    total = 0.0
    for i in range(4):
        inner = sum(H6_A[i][j] * (x[j] - H6_P[i][j]) ** 2 for j in range(6))
        total -= alpha[i] * math.exp(-inner)
    return total


class Problem:
    """What a method needs: the space, the direction, the budget, the grid, an evaluator."""

    kind = "synthetic"
    metric = "loss"
    maximize = False
    budget_param = None  # name of the budget parameter (multi-fidelity problems)
    max_budget = 1       # steps of one full evaluation
    min_budget = 1

    def __init__(self, name, space, levels):
        self.name = name
        self.space = space
        self.names = sorted(space)
        self.grid = grid_points(grid_axes(space, levels))
        self.levels = levels
        self.budget = len(self.grid) * self.max_budget  # grid search's compute

    def has_budget(self):
        return self.budget_param is not None

    def utility(self, config, value):
        """Higher is better: minus the true regret (synthetic), the accuracy (real)."""
        raise NotImplementedError

    def display(self, utility):
        raise NotImplementedError

    def evaluator(self, seed):
        raise NotImplementedError

    def describe(self):
        raise NotImplementedError


class Synthetic(Problem):
    def __init__(self, name, space, levels, fn, fmin):
        self.fn, self.fmin = fn, fmin
        super().__init__(name, space, levels)

    def utility(self, config, value):
        return -(self.fn(config) - self.fmin)  # the true, noiseless function at the point

    def display(self, utility):
        return "%.4g" % -utility

    def evaluator(self, seed):
        fn = self.fn

        class Eval:
            def value(self, config, step):
                return fn(config)
        return Eval()

    def describe(self):
        return "regret f(x)-f* (lower is better); budget %d evaluations = a %s grid" % (
            self.budget, "x".join(str(self.levels[n]) for n in self.names))


class MultiFidelityHartmann(Problem):
    """Hartmann-6 with a budget b in 1..B: f_b(x) = f(x) + bias(b, x) + noise(b), where
    r = 1 - log(b)/log(B) goes from 1 (b = 1) to 0 (b = B); bias(b, x) = r * (0.3 + 0.7 *
    |x - decoy|^2 / 6) (biased towards a decoy region), noise ~ N(0, (0.3 r)^2) drawn per (seed,
    point, step). At b = B the value is the true function. A trial runs steps 1..b, one budget
    unit each, and reports f_s(x) at every step s."""

    def __init__(self, name, max_budget, levels):
        self.budget_param = "budget"
        self.max_budget = max_budget
        space = {"x%d" % i: {"type": "float", "min": 0.0, "max": 1.0} for i in range(1, 7)}
        super().__init__(name, space, levels)

    def point(self, config):
        return [float(config["x%d" % i]) for i in range(1, 7)]

    def utility(self, config, value):
        return -(hartmann6(self.point(config)) - HARTMANN6_MIN)

    def display(self, utility):
        return "%.4g" % -utility

    def evaluator(self, seed):
        problem = self

        class Eval:
            def value(self, config, step):
                x = problem.point(config)
                r = 1.0 - math.log(step) / math.log(problem.max_budget)
                if r <= 0:
                    return hartmann6(x)
                decoy = sum((a - b) ** 2 for a, b in zip(x, H6_DECOY)) / 6.0
                rng = random.Random(stable_seed(seed, tuple(round(v, 12) for v in x), step))
                return hartmann6(x) + r * (0.3 + 0.7 * decoy) + rng.gauss(0.0, 0.3 * r)
        return Eval()

    def describe(self):
        return ("regret f(x)-f* at the full budget (lower is better); budget %d units = "
                "grid of %d points x %d" % (self.budget, len(self.grid), self.max_budget))


_DATA = {}


def load_dataset(which):
    """(x_train, y_train, x_val, y_val, classes) as torch tensors, made once per process."""
    if which in _DATA:
        return _DATA[which]
    import numpy as np
    import torch
    from sklearn.model_selection import train_test_split
    if which == "digits":  # as examples/digits/train.py loads it
        from sklearn.datasets import load_digits
        digits = load_digits()
        x = digits.data.astype("float32") / 16.0
        y = digits.target.astype("int64")
        x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.2, random_state=0,
                                                  stratify=y)
        classes = 10
    else:
        from sklearn.datasets import make_classification
        x, y = make_classification(n_samples=2000, n_features=30, n_informative=10,
                                   n_redundant=5, n_repeated=0, n_classes=6,
                                   n_clusters_per_class=2, class_sep=0.9, flip_y=0.05,
                                   random_state=0)
        x = x.astype("float32")
        y = y.astype("int64")
        x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.25, random_state=0,
                                                  stratify=y)
        mean, std = x_tr.mean(0), x_tr.std(0) + 1e-6
        x_tr, x_va = (x_tr - mean) / std, (x_va - mean) / std
        classes = 6
    data = tuple(torch.from_numpy(np.ascontiguousarray(a)) for a in (x_tr, y_tr, x_va, y_va))
    _DATA[which] = data + (classes,)
    return _DATA[which]


class Training(Problem):
    """An MLP (Linear-ReLU-Linear, SGD with momentum, minibatches of 64) trained for `epochs`
    epochs; the value is the validation accuracy after each epoch."""

    kind = "real"
    metric = "val_accuracy"
    maximize = True

    def __init__(self, name, dataset, space, levels, max_budget, constants=None):
        self.dataset = dataset
        self.constants = dict(constants or {})  # fixed hyperparameters, not searched
        self.budget_param = "epochs"
        self.max_budget = max_budget
        super().__init__(name, space, levels)

    def utility(self, config, value):
        return value if value == value else 0.0  # NaN ranks last

    def display(self, utility):
        return "%.4f" % utility

    def evaluator(self, seed):
        return TrainingEval(self, seed)

    def describe(self):
        fixed = "".join("; %s fixed at %g" % kv for kv in sorted(self.constants.items()))
        return ("best validation accuracy at %d epochs (higher is better); budget %d epochs = "
                "grid of %d configurations (%s) x %d epochs%s" % (
                    self.max_budget, self.budget, len(self.grid),
                    " x ".join("%s %d" % (n, self.levels[n]) for n in self.names),
                    self.max_budget, fixed))


class TrainingEval:
    """Learning curves computed on demand. A configuration's model, optimizer and shuffling
    generator stay in memory, so asking for epoch e+1 after epoch e trains one more epoch (a
    promotion resumes); the curve is kept, so two methods that try the same configuration in
    the same seed (grid search and our grid searcher do) share the work. Every method is still
    charged for every epoch it asks for: this only saves the benchmark's own time."""

    def __init__(self, problem, seed):
        self.problem, self.seed = problem, seed
        self.runs = {}

    def value(self, config, step):
        import torch
        from torch import nn
        key = config_key(config, self.problem.names)
        run = self.runs.get(key)
        x_tr, y_tr, x_va, y_va, classes = load_dataset(self.problem.dataset)
        if run is None:
            torch.manual_seed(self.seed)
            hidden = int(config["hidden"])
            model = nn.Sequential(nn.Linear(x_tr.shape[1], hidden), nn.ReLU(),
                                  nn.Linear(hidden, classes))
            opt = torch.optim.SGD(model.parameters(), lr=float(config["lr"]),
                                  momentum=float(config.get("momentum", 0.9)),
                                  weight_decay=float(config.get(
                                        "weight_decay", self.problem.constants.get(
                                            "weight_decay", 0.0))))
            gen = torch.Generator().manual_seed(self.seed)
            run = self.runs[key] = {"model": model, "opt": opt, "gen": gen, "curve": []}
        curve = run["curve"]
        step = int(step)
        while len(curve) < step:
            curve.append(self._epoch(run, x_tr, y_tr, x_va, y_va))
        return curve[step - 1]

    @staticmethod
    def _epoch(run, x_tr, y_tr, x_va, y_va):
        import torch
        from torch import nn
        model, opt, gen = run["model"], run["opt"], run["gen"]
        model.train()
        order = torch.randperm(len(x_tr), generator=gen)
        for start in range(0, len(x_tr), 64):
            idx = order[start:start + 64]
            loss = nn.functional.cross_entropy(model(x_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            acc = (model(x_va).argmax(1) == y_va).sum().item() / len(y_va)
        return acc


def make_problems(quick):
    """The five problems; quick mode shrinks grids, epochs and one space, never the seeds.

    The grids are the ones anyone would run on these spaces: every axis at 3 (training) or
    more levels, the centres of equal cells of its range (lr at 10^-2.5, 10^-1.5, 10^-0.5),
    every configuration trained for the full number of epochs. Epochs are the budget (1..9
    in quick mode, 1..27 in full mode, reduction 3). Quick mode searches classif-mlp without
    its weight decay (fixed at 1e-3, the middle of the full range in log space), so that both
    training grids hold 27 configurations and quick mode stays under 5 minutes; full mode
    searches all four parameters on a grid of 3^4 = 81.
    """
    b = 9 if quick else 27
    branin_space = {"x1": {"type": "float", "min": -5.0, "max": 10.0},
                    "x2": {"type": "float", "min": 0.0, "max": 15.0}}
    h6_space = {"x%d" % i: {"type": "float", "min": 0.0, "max": 1.0} for i in range(1, 7)}
    digits_space = {"lr": {"type": "log", "min": 1e-3, "max": 1.0},
                    "hidden": {"type": "int", "min": 16, "max": 128},
                    "momentum": {"type": "float", "min": 0.0, "max": 0.95}}
    classif_space = dict(digits_space, hidden={"type": "int", "min": 8, "max": 64},
                         weight_decay={"type": "log", "min": 1e-5, "max": 1e-1})
    classif_constants = {}
    if quick:
        branin_levels = {"x1": 8, "x2": 8}
        h6_levels = {n: 2 for n in h6_space}
        del classif_space["weight_decay"]
        classif_constants = {"weight_decay": 1e-3}
    else:
        branin_levels = {"x1": 12, "x2": 12}
        h6_levels = {n: 3 for n in h6_space}
    digits_levels = {n: 3 for n in digits_space}
    classif_levels = {n: 3 for n in classif_space}
    mf_levels = {n: 2 for n in h6_space}
    return [
        Synthetic("branin", branin_space, branin_levels,
                  lambda c: branin(float(c["x1"]), float(c["x2"])), BRANIN_MIN),
        Synthetic("hartmann6", h6_space, h6_levels,
                  lambda c: hartmann6([float(c["x%d" % i]) for i in range(1, 7)]),
                  HARTMANN6_MIN),
        MultiFidelityHartmann("hartmann6-mf", b, mf_levels),
        Training("digits-mlp", "digits", digits_space, digits_levels, b),
        Training("classif-mlp", "classif", classif_space, classif_levels, b,
                 constants=classif_constants),
    ]


# ---------------------------------------------------------------------------------------------
# One run of one method: the accounting every method shares

class OutOfBudget(Exception):
    pass


class Run:
    def __init__(self, problem, seed):
        self.problem = problem
        self.seed = seed
        self.ev = problem.evaluator(seed)
        self.spent = 0
        self.best = None          # best utility at the full budget so far
        self.best_config = None   # the recommendation: the configuration that scored it
        self.trace = []           # (spent, best) each time best improves
        self.trials = 0
        self.full_trials = 0
        self.notes = []

    def step(self, config, step):
        """One budget unit of a trial: returns the metric value at `step`."""
        if self.spent >= self.problem.budget:
            raise OutOfBudget()
        self.spent += 1
        return self.ev.value(config, step)

    def full(self, config, value):
        """A trial reached the full budget with `value`."""
        self.full_trials += 1
        u = self.problem.utility(config, value)
        if self.best is None or u > self.best:
            self.best = u
            self.best_config = dict(config)
            self.trace.append((self.spent, u))

    def result(self):
        return {"spent": self.spent, "trace": self.trace, "trials": self.trials,
                "full_trials": self.full_trials, "notes": self.notes,
                "best_config": self.best_config}


def run_grid(problem, seed):
    run = Run(problem, seed)
    try:
        for point in problem.grid:
            config = dict(point)
            run.trials += 1
            value = None
            for s in range(1, problem.max_budget + 1):
                value = run.step(config, s)
            run.full(config, value)
    except OutOfBudget:
        pass
    return run.result()


# ---- ours, through the driver

class Driver:
    def __init__(self, path):
        self.proc = subprocess.Popen([str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)

    def call(self, **request):
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("driver exited (rc %s)" % self.proc.poll())
        answer = json.loads(line)
        if "error" in answer:
            raise DriverError(answer["error"])
        return answer

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()


class DriverError(Exception):
    pass


def our_search_request(problem, algorithm, seed):
    """The init request for one of our algorithms on a problem: the spec's blocks."""
    hyper = {n: dict(s) for n, s in problem.space.items()}
    search = {"algorithm": algorithm, "metric": problem.metric,
              "goal": "maximize" if problem.maximize else "minimize", "seed": seed}
    if algorithm == "grid":
        hyper = {n: [v for v in values] for n, values in grid_axes(problem.space,
                                                                   problem.levels).items()}
    elif algorithm in BUDGET_ALGORITHMS:
        # Rungs at min * eta^k; a trial's cost with resumed promotions is about
        # min * (1 + K (1 - 1/eta)) where K is the number of promotions to the top.
        rungs = round(math.log(problem.max_budget / problem.min_budget, ETA))
        per_trial = problem.min_budget * (1 + rungs * (1 - 1 / ETA))
        search["max_trials"] = max(1, round(problem.budget / per_trial))
        search["budget"] = {"param": problem.budget_param, "min": problem.min_budget,
                            "max": problem.max_budget, "reduction": ETA}
    else:
        search["max_trials"] = len(problem.grid)  # as many full evaluations as grid search
    if problem.has_budget():
        hyper[problem.budget_param] = problem.max_budget
    return {"op": "init", "hyperparameters": hyper, "search": search}


def run_ours(problem, algorithm, seed, driver_path):
    run = Run(problem, seed)
    driver = Driver(driver_path)
    done = {}  # trial -> steps run so far
    configs = {}
    try:
        driver.call(**our_search_request(problem, algorithm, seed))
        while run.spent < problem.budget:
            decisions = driver.call(op="ask", slots=1)["decisions"]
            if not decisions:
                if not driver.call(op="finished")["finished"]:
                    run.notes.append("stalled: no decision with nothing running")
                break
            for d in decisions:
                if d["kind"] == "stop":
                    continue  # nothing of ours is running between jobs
                trial = d["trial"]
                config = {k: v for k, v in d["hparams"].items() if k != problem.budget_param}
                if d["kind"] == "create":
                    if trial in configs:
                        raise RuntimeError("trial %d created twice" % trial)
                    configs[trial], done[trial] = config, 0
                    run.trials += 1
                elif trial not in configs:
                    raise RuntimeError("promotion of unknown trial %d" % trial)
                target = d.get("budget") or 0
                if not target:
                    target = d["hparams"].get(problem.budget_param, 1) if problem.has_budget() \
                        else 1
                target = int(round(target))
                if target > problem.max_budget:
                    raise RuntimeError("trial %d asked for budget %s > %s"
                                       % (trial, target, problem.max_budget))
                _run_our_job(run, driver, problem, trial, configs[trial], done, target)
    except OutOfBudget:
        pass
    except (DriverError, RuntimeError) as e:
        run.notes.append("error: %s" % e)
    finally:
        driver.close()
    return run.result()


def _run_our_job(run, driver, problem, trial, config, done, target):
    value = None
    for s in range(done[trial] + 1, target + 1):
        value = run.step(config, s)  # OutOfBudget ends the run: the trial is left running
        done[trial] = s
        answer = driver.call(op="report", trial=trial, step=s, value=_json_value(value))
        if any(d["kind"] == "stop" and d["trial"] == trial for d in answer["decisions"]):
            driver.call(op="ended", trial=trial, end="stopped", value=_json_value(value))
            return
    if value is None:  # promoted to where it already was: nothing to run
        value = run.ev.value(config, done[trial]) if done[trial] else None
    if target >= problem.max_budget:
        run.full(config, value)
    driver.call(op="ended", trial=trial, end="completed", value=_json_value(value))


def _json_value(v):
    return v if v is not None and math.isfinite(v) else None


# ---- Optuna

def run_optuna(problem, method, seed):
    import optuna
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if method == "optuna-random":
        sampler = optuna.samplers.RandomSampler(seed=seed)
    else:
        # Optuna's default of 10 random start-up trials would make TPE random search where the
        # budget buys only 8 full evaluations (quick mode's training problems); give it the
        # rule our TPE uses instead: a fifth of the full evaluations, 2 to 10.
        startup = min(10, max(2, len(problem.grid) // 5))
        # (With HyperbandPruner, multivariate TPE samples independently until a bracket has
        # complete trials; that is Optuna's behaviour, and its warning is noise here.)
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True,
                                             n_startup_trials=startup,
                                             warn_independent_sampling=False)
    pruned = method == "optuna-tpe+hb"
    if pruned:
        pruner = optuna.pruners.HyperbandPruner(min_resource=problem.min_budget,
                                                max_resource=problem.max_budget,
                                                reduction_factor=ETA)
    else:
        pruner = optuna.pruners.NopPruner()
    # A fixed study name: HyperbandPruner puts trials in brackets by a hash of the study name
    # and the trial number, and the default name is a random UUID.
    study = optuna.create_study(study_name="%s-%s-%d" % (problem.name, method, seed),
                                direction="maximize" if problem.maximize else "minimize",
                                sampler=sampler, pruner=pruner)
    run = Run(problem, seed)
    try:
        while run.spent < problem.budget:
            trial = study.ask()
            config = {}
            for name in problem.names:
                spec = problem.space[name]
                if spec["type"] == "int":
                    config[name] = trial.suggest_int(name, spec["min"], spec["max"])
                else:
                    config[name] = trial.suggest_float(name, spec["min"], spec["max"],
                                                       log=spec["type"] == "log")
            run.trials += 1
            value, state = None, optuna.trial.TrialState.COMPLETE
            for s in range(1, problem.max_budget + 1):
                value = run.step(config, s)
                if problem.has_budget():
                    trial.report(_optuna_value(value, problem), s)
                    if pruned and trial.should_prune():
                        state = optuna.trial.TrialState.PRUNED
                        break
            if state == optuna.trial.TrialState.PRUNED:
                study.tell(trial, state=state)
            else:
                run.full(config, value)
                study.tell(trial, _optuna_value(value, problem))
    except OutOfBudget:
        pass
    return run.result()


def _optuna_value(v, problem):
    if v is None or not math.isfinite(v):
        return -1e9 if problem.maximize else 1e9  # NaN ranks last
    return v


# ---------------------------------------------------------------------------------------------
# Methods and the work list

ALL_METHODS = (["grid"] + ["ours-" + a for a in OUR_ALGORITHMS] +
               ["optuna-tpe", "optuna-tpe+hb", "optuna-random"])


def methods_for(problem):
    """The methods that apply to a problem, in the order of ALL_METHODS: the budget searchers
    (ours and Optuna's Hyperband pruner) only where there is a budget parameter."""
    budgeted = {"ours-" + a for a in BUDGET_ALGORITHMS} | {"optuna-tpe+hb"}
    return [m for m in ALL_METHODS if problem.has_budget() or m not in budgeted]


def run_method(problem, method, seed, driver_path):
    if method == "grid":
        return run_grid(problem, seed)
    if method.startswith("ours-"):
        return run_ours(problem, method[5:], seed, driver_path)
    return run_optuna(problem, method, seed)


def task(args):
    """All methods on one (problem, seed): one process, so that grid searches share curves."""
    quick, problem_name, seed, methods, driver_path = args
    _one_thread()
    problem = next(p for p in make_problems(quick) if p.name == problem_name)
    ev_cache = {}
    real_evaluator = problem.evaluator

    def shared_evaluator(s):  # one evaluator per seed, shared by the methods of this task
        if s not in ev_cache:
            ev_cache[s] = real_evaluator(s)
        return ev_cache[s]
    problem.evaluator = shared_evaluator
    out = {}
    for method in methods:
        started = time.process_time()
        try:
            result = run_method(problem, method, seed, driver_path)
        except Exception as e:  # noqa: BLE001: one broken method must not sink the run
            result = {"spent": 0, "trace": [], "trials": 0, "full_trials": 0,
                      "notes": ["crashed: %r" % e]}
        result["seconds"] = time.process_time() - started  # CPU of this process (not the driver)
        if problem.kind == "real" and result.get("best_config") is not None:
            result["retrained"] = retrained(problem, seed, result["best_config"])
        out[method] = result
    return problem_name, seed, out


def retrained(problem, seed, config):
    """Mean utility of `config` trained to the full budget with RETRAIN_SEEDS network seeds
    that no search saw. A search's best single run is the best of many draws of the network's
    luck, so it flatters whichever method made the most full-budget runs near a good spot;
    the mean of fresh runs says how good the configuration itself is."""
    values = []
    for k in range(RETRAIN_SEEDS):
        ev = problem.evaluator(stable_seed(seed, "retrain", k) % 2 ** 31)
        values.append(problem.utility(config, ev.value(config, problem.max_budget)))
    return statistics.mean(values)


_THREADS_SET = []


def _one_thread():
    """torch on one thread (set once per process: torch refuses a second time)."""
    if _THREADS_SET:
        return
    import torch
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    _THREADS_SET.append(True)


def probe_ours(driver_path, problems):
    """Which of our algorithms the driver can make now, and why not the others."""
    missing = {}
    if driver_path is None or not pathlib.Path(driver_path).exists():
        return {a: "driver not built" for a in OUR_ALGORITHMS}
    for algorithm in OUR_ALGORITHMS:
        problem = next((p for p in problems if p.has_budget() or
                        algorithm not in BUDGET_ALGORITHMS), None)
        if problem is None:  # no problem with a budget among those run: nothing to probe
            continue
        driver = Driver(driver_path)
        try:
            driver.call(**our_search_request(problem, algorithm, 1))
            driver.call(op="ask", slots=1)
        except (DriverError, RuntimeError) as e:
            missing[algorithm] = str(e)
        finally:
            driver.close()
    return missing


# ---------------------------------------------------------------------------------------------
# Summaries

def best_at(trace, spent):
    best = None
    for at, u in trace:
        if at <= spent:
            best = u
    return best


def reach(trace, target):
    """Compute at which the trace first reaches `target` utility, or None."""
    for at, u in trace:
        if u >= target - 1e-12:
            return at
    return None


def median(values):
    """Median where None (no result) ranks below everything."""
    vals = sorted(values, key=lambda v: (v is not None, v if v is not None else 0))
    n = len(vals)
    if n == 0:
        return None
    mid = vals[n // 2] if n % 2 else (vals[n // 2 - 1], vals[n // 2])
    if isinstance(mid, tuple):
        a, b = mid
        return None if a is None or b is None else (a + b) / 2
    return mid


def median_reach(values):
    """Median of percentages where None (never reached) is infinite."""
    vals = sorted(math.inf if v is None else v for v in values)
    if not vals:
        return None
    return statistics.median(vals)


def fmt_pct(v):
    if v is None:
        return "n/a"
    return ">100%" if math.isinf(v) else "%.0f%%" % v


def summarise(problems, results, seeds, missing):
    """Tables per problem, wins, and the final line. Returns (text, summary dict)."""
    lines = []
    summary = {"problems": {}, "missing": missing}
    wins, ties, asha_reach, asha_reach_real = 0, 0, [], []
    plain_asha_reach = []
    declared_wins, named_wins = 0, 0
    for p in problems:
        per_method = results[p.name]
        grid_final = {s: best_at(per_method["grid"][s]["trace"], p.budget) for s in seeds}
        rows = []
        for method, by_seed in per_method.items():
            if method.startswith("ours-") and method[5:] in missing:
                continue
            cps = [median([best_at(by_seed[s]["trace"], f * p.budget) for s in seeds])
                   for f in CHECKPOINTS]
            pcts = []
            for s in seeds:
                at = reach(by_seed[s]["trace"], grid_final[s]) if grid_final[s] is not None \
                    else None
                pcts.append(None if at is None else 100.0 * at / p.budget)
            reached = sum(v is not None for v in pcts)
            notes = sorted({n for s in seeds for n in by_seed[s]["notes"]})
            used = statistics.median(100.0 * by_seed[s]["spent"] / p.budget for s in seeds)
            trials = statistics.median(by_seed[s]["trials"] for s in seeds)
            seconds = sum(by_seed[s]["seconds"] for s in seeds)
            again = [by_seed[s].get("retrained") for s in seeds]
            rows.append({"method": method, "checkpoints": cps, "reach_pct": median_reach(pcts),
                         "reach_all": pcts, "reached": reached, "used_pct": used,
                         "trials": trials, "seconds": seconds, "notes": notes,
                         "retrained": median(again) if any(a is not None for a in again)
                         else None})
            if method == REACH_METHOD:
                asha_reach.extend(pcts)
                if p.kind == "real":
                    asha_reach_real.extend(pcts)
            if method == "ours-asha":
                plain_asha_reach.extend(pcts)
        ours = [r for r in rows if r["method"].startswith("ours-")]
        theirs = [r for r in rows if r["method"].startswith("optuna-")]

        def final(r):
            return r["checkpoints"][-1] if r["checkpoints"][-1] is not None else -math.inf
        best_ours = max(ours, key=final) if ours else None
        best_theirs = max(theirs, key=final)
        verdict = "no ours"
        if best_ours is not None:
            verdict = _verdict(final(best_ours), final(best_theirs))
            wins += verdict == "win"
            ties += verdict == "tie"
        declared = next((r for r in rows if r["method"] == DECLARED[p.has_budget()]), None)
        declared_verdict = "no ours"
        if declared is not None:
            declared_verdict = _verdict(final(declared), final(best_theirs))
            declared_wins += declared_verdict == "win"
        # The opponent as the issue names it: Optuna's TPE, with Hyperband where there is a
        # budget. Printed beside W, which is stricter (Optuna's best of three).
        named = next((r for r in theirs if r["method"] == NAMED_OPPONENT[p.has_budget()]), None)
        named_verdict = "no ours"
        if declared is not None and named is not None:
            named_verdict = _verdict(final(declared), final(named))
            named_wins += named_verdict == "win"
        # Seed by seed, the declared method against Optuna's best of three: medians of
        # quantised accuracies can go one way while most seeds go the other.
        paired = {"higher": 0, "lower": 0, "equal": 0}
        if declared is not None:
            paired = _tally(
                (best_at(per_method[declared["method"]][s]["trace"], p.budget),
                 best_at(per_method[best_theirs["method"]][s]["trace"], p.budget))
                for s in seeds)
        again = _retrained_verdicts(per_method, seeds, declared, theirs)
        summary["problems"][p.name] = {
            "declared": DECLARED[p.has_budget()], "declared_verdict": declared_verdict,
            "retrained": again,
            "paired": paired,
            "named_opponent": NAMED_OPPONENT[p.has_budget()], "named_verdict": named_verdict,
            "rows": rows, "best_ours": best_ours and best_ours["method"],
            "best_optuna": best_theirs["method"], "verdict": verdict, "budget": p.budget,
            "describe": p.describe()}

        lines.append("")
        lines.append("== %s: %s" % (p.name, p.describe()))
        header = "%-16s %10s %10s %10s   %-22s %7s %7s %7s" % (
            "method", "@25%", "@50%", "@100%", "grid's best reached at", "used", "trials",
            "cpu s")
        lines.append(header)
        for r in rows:
            cps = ["-" if c is None else p.display(c) for c in r["checkpoints"]]
            lines.append("%-16s %10s %10s %10s   %-22s %6.0f%% %7.0f %7.1f%s" % (
                r["method"], cps[0], cps[1], cps[2],
                "%s (%d/%d seeds)" % (fmt_pct(r["reach_pct"]), r["reached"], len(seeds)),
                r["used_pct"], r["trials"], r["seconds"],
                ("  [" + "; ".join(r["notes"])[:200] + "]") if r["notes"] else ""))
        if best_ours is not None:
            lines.append("our best %s %s vs optuna's best %s %s: %s" % (
                best_ours["method"], p.display(final(best_ours)), best_theirs["method"],
                p.display(final(best_theirs)), verdict))
        if declared is not None:
            lines.append("our declared method %s %s vs optuna's best: %s; seed by seed, "
                         "better on %d, worse on %d, equal on %d" % (
                             declared["method"], p.display(final(declared)), declared_verdict,
                             paired["higher"], paired["lower"], paired["equal"]))
        if declared is not None and named is not None:
            lines.append("our declared method vs %s %s: %s" % (
                named["method"], p.display(final(named)), named_verdict))
        if again:
            lines.append("retrained with %d new network seeds (median of the mean): %s; "
                         "declared vs %s: %s, better on %d seeds, worse on %d, equal on %d" % (
                             RETRAIN_SEEDS, ", ".join(
                                 "%s %s" % (r["method"], p.display(r["retrained"]))
                                 for r in rows if r["retrained"] is not None),
                             again["against"], again["verdict"], again["paired"]["higher"],
                             again["paired"]["lower"], again["paired"]["equal"]))
    f = median_reach(asha_reach) if asha_reach else None
    f_real = median_reach(asha_reach_real) if asha_reach_real else None
    f_plain = median_reach(plain_asha_reach) if plain_asha_reach else None
    summary.update({"wins": wins, "ties": ties, "problems_n": len(problems),
                    "declared_wins": declared_wins, "named_wins": named_wins,
                    "reach_method": REACH_METHOD,
                    "asha_reach_pct": f, "asha_reach_all": asha_reach,
                    "asha_reach_real_pct": f_real, "plain_asha_reach_pct": f_plain,
                    "plain_asha_reach_all": plain_asha_reach})
    lines.append("")
    lines.append("ours vs optuna (our best method against Optuna's best of TPE, TPE+Hyperband "
                 "and random, median final result): %d wins, %d ties, %d losses" % (
                     wins, ties, len(problems) - wins - ties))
    declared_text = ", ".join("%s %s" % ("budget:" if k else "no budget:", v)
                              for k, v in sorted(DECLARED.items()))
    lines.append("our declared methods (%s) vs optuna's best (the final line's W): "
                 "%d wins of %d" % (declared_text, declared_wins, len(problems)))
    lines.append("our declared methods vs the opponent the issue names (optuna-tpe, "
                 "optuna-tpe+hb where there is a budget): %d wins of %d" % (named_wins,
                                                                            len(problems)))
    lines.append("asha, compute to reach grid's best (%s: ASHA brackets with TPE proposals): "
                 "median over %d runs (the problems with a budget x seeds) %s; over the real "
                 "training problems alone %s; plain ASHA (Sobol proposals) %s" % (
                     REACH_METHOD, len(asha_reach), fmt_pct(f), fmt_pct(f_real),
                     fmt_pct(f_plain)))
    if f is None:
        f_text = "n/a"
    elif math.isinf(f):
        f_text = ">100"
    else:
        f_text = "%.0f" % f
    summary["final_line"] = ("hpo: ours beats optuna on %d/%d problems; asha reaches grid's best "
                             "with %s%% of grid's compute" % (declared_wins, len(problems),
                                                              f_text))
    return "\n".join(lines), summary


def _retrained_verdicts(per_method, seeds, declared, theirs):
    """The declared method against Optuna's best of three by the retrained recommendation:
    medians and seed by seed. Empty where the runs were not retrained (synthetic problems)."""
    rows = [r for r in theirs + ([declared] if declared else []) if r["retrained"] is not None]
    if declared is None or declared["retrained"] is None or len(rows) < 2:
        return {}
    best = max((r for r in rows if r is not declared), key=lambda r: r["retrained"])
    paired = _tally((per_method[declared["method"]][s].get("retrained"),
                     per_method[best["method"]][s].get("retrained")) for s in seeds)
    return {"against": best["method"], "paired": paired,
            "verdict": _verdict(declared["retrained"], best["retrained"])}


def _tally(pairs):
    """Seed by seed, (ours, theirs) utilities: how often ours is higher, lower or equal; a
    missing result (None) ranks below every other."""
    paired = {"higher": 0, "lower": 0, "equal": 0}
    for a, b in pairs:
        a = -math.inf if a is None else a
        b = -math.inf if b is None else b
        paired[{"win": "higher", "loss": "lower", "tie": "equal"}[_verdict(a, b)]] += 1
    return paired


def _verdict(ours, theirs):
    """Higher utility wins; a tie is not a win."""
    return "win" if ours > theirs else ("tie" if ours == theirs else "loss")


def markdown(problems, summary, seeds, command, elapsed, cpu):
    """Two short tables, methods down and problems across: the median final result at the
    full budget (best of ours and best of Optuna in bold), and the median compute to reach
    grid search's best (% of grid's compute; seeds that reached it)."""
    present = {r["method"] for p in problems for r in summary["problems"][p.name]["rows"]}
    methods = [m for m in ALL_METHODS if m in present]
    head = "| method | " + " | ".join(p.name for p in problems) + " |"
    rule = "| --- |" + " --- |" * len(problems)
    final, reached = [head, rule], [head, rule]
    for m in methods:
        cells_final, cells_reach = [], []
        for p in problems:
            s = summary["problems"][p.name]
            r = next((x for x in s["rows"] if x["method"] == m), None)
            if r is None:
                cells_final.append("")
                cells_reach.append("")
                continue
            c = r["checkpoints"][-1]
            text = "-" if c is None else p.display(c)
            if m in (s["best_ours"], s["best_optuna"]):
                text = "**%s**" % text
            cells_final.append(text)
            cells_reach.append("%s (%d/%d)" % (fmt_pct(r["reach_pct"]), r["reached"],
                                               len(seeds)))
        final.append("| %s | %s |" % (m, " | ".join(cells_final)))
        reached.append("| %s | %s |" % (m, " | ".join(cells_reach)))
    verdicts = ["| best of ours vs optuna | " + " | ".join(
        summary["problems"][p.name]["verdict"] for p in problems) + " |",
        "| declared (%s) vs optuna | " % " / ".join(sorted(set(DECLARED.values()))) +
        " | ".join(summary["problems"][p.name]["declared_verdict"] for p in problems) + " |",
        "| declared vs optuna-tpe (+hb with a budget) | " +
        " | ".join(summary["problems"][p.name]["named_verdict"] for p in problems) + " |"]
    units = "; ".join("%s: %s" % (p.name, p.describe()) for p in problems)
    return "\n".join(
        ["Median over %d seeds of the final result at the full budget (regret: lower is "
         "better; accuracy: higher is better). Ours vs Optuna in the last three rows." %
         len(seeds), ""] + final + verdicts +
        ["", "Median compute to reach grid search's best result, in % of grid's compute "
         "(seeds that reached it within the budget; never reached counts as infinite):", ""] +
        reached + _retrained_table(problems, summary, methods) +
        ["", "Problems and budgets: " + units + ".", "",
                   "Command: `%s`; %.0f s wall, %.0f s CPU; src/hpo sources %s." % (
                       command, elapsed, cpu, summary.get("hpo_fingerprint", "?")),
                   "", "`%s`" % summary["final_line"]])


def _retrained_table(problems, summary, methods):
    """Markdown lines: the retrained recommendation per method, for the problems that have
    it (the training problems), with the declared method's verdict against Optuna's best."""
    shown = [p for p in problems if summary["problems"][p.name].get("retrained")]
    if not shown:
        return []
    lines = ["", "The recommended configuration retrained with %d network seeds no search "
             "saw, at the full budget, not charged to the budget: median over seeds of the "
             "mean accuracy." % RETRAIN_SEEDS, "",
             "| method | " + " | ".join(p.name for p in shown) + " |",
             "| --- |" + " --- |" * len(shown)]
    for m in methods:
        cells = []
        for p in shown:
            r = next((x for x in summary["problems"][p.name]["rows"] if x["method"] == m), None)
            cells.append("" if r is None or r["retrained"] is None else p.display(r["retrained"]))
        if any(cells):
            lines.append("| %s | %s |" % (m, " | ".join(cells)))
    verdicts = []
    for p in shown:
        v = summary["problems"][p.name]["retrained"]
        verdicts.append("%s vs %s, seeds %d/%d/%d" % (v["verdict"], v["against"],
                                                       v["paired"]["higher"],
                                                       v["paired"]["lower"],
                                                       v["paired"]["equal"]))
    lines.append("| declared vs optuna's best (seeds better/worse/equal) | %s |" %
                 " | ".join(verdicts))
    return lines


# ---------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small grids and 9 epochs (< 5 min)")
    ap.add_argument("--seeds", type=int, default=10, help="seeds per problem and method (10)")
    ap.add_argument("--first-seed", type=int, default=1,
                    help="seeds are first-seed .. first-seed + seeds - 1 (default 1: seeds 1-10 "
                    "are the reported ones; tune on others, e.g. --first-seed 101)")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="processes (default: 2)")
    ap.add_argument("--driver", default=os.environ.get("YARD_HPO_DRIVER", str(DEFAULT_DRIVER)),
                    help="yard_hpo_driver binary (default build/bench/hpo/yard_hpo_driver)")
    ap.add_argument("--problems", help="comma-separated subset of the problems")
    ap.add_argument("--methods", help="comma-separated subset of the methods (grid is kept)")
    ap.add_argument("--progress", action="store_true", help="a line on stderr per finished "
                    "(problem, seed)")
    ap.add_argument("--json", help="write every trace and the summary to this file")
    ap.add_argument("--markdown", help="write the results table as Markdown to this file")
    ap.add_argument("--merge", nargs="+", metavar="JSON", help="run nothing: summarise the "
                    "--json files of earlier runs over disjoint seeds as one run")
    args = ap.parse_args(argv)
    command = " ".join(["bench/hpo/run"] + list(sys.argv[1:] if argv is None else argv))
    if args.merge:
        return merge_runs(args.merge, args.markdown, command)

    started = time.monotonic()
    fingerprint = hpo_fingerprint()  # before the run: the sources may change while it runs
    problems = make_problems(args.quick)
    if args.problems:
        wanted = args.problems.split(",")
        unknown = set(wanted) - {p.name for p in problems}
        if unknown:
            ap.error("unknown problems: %s" % ", ".join(sorted(unknown)))
        problems = [p for p in problems if p.name in wanted]
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    driver = args.driver if pathlib.Path(args.driver).exists() else None
    missing = probe_ours(driver, problems)
    print("hpo bench: %s mode, %d seeds (%d-%d), %d problems, %d processes, optuna %s, "
          "src/hpo %s" % ("quick" if args.quick else "full", len(seeds), seeds[0], seeds[-1],
                          len(problems), args.jobs, _optuna_version(), fingerprint), flush=True)
    if args.seeds < 10:
        print("note: %d seeds is below the 10 the benchmark calls for" % args.seeds)
    if driver is None:
        print("note: no driver at %s: our searchers are left out" % args.driver)
    for algorithm, why in sorted(missing.items()):
        print("note: ours-%s is missing: %s" % (algorithm, why))

    work = []
    for p in problems:
        methods = methods_for(p)
        methods = [m for m in methods if not (m.startswith("ours-") and m[5:] in missing)]
        if args.methods:
            keep = set(args.methods.split(",")) | {"grid"}
            methods = [m for m in methods if m in keep]
        for s in seeds:
            work.append((args.quick, p.name, s, methods, driver))
    # The training problems first (they cost the most), so that the processes end together.
    kind = {p.name: p.kind for p in problems}
    work.sort(key=lambda w: kind[w[1]] != "real")

    results = {p.name: {} for p in problems}

    def progress(k, name, seed):
        if args.progress:
            print("[%d/%d] %s seed %d done, %.0f s" % (k, len(work), name, seed,
                                                      time.monotonic() - started),
                  file=sys.stderr, flush=True)
    if args.jobs > 1:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            done = pool.imap_unordered(task, work)
            for k, (name, seed, out) in enumerate(done, 1):
                _collect(results, name, seed, out)
                progress(k, name, seed)
    else:
        for k, w in enumerate(work, 1):
            name, seed, out = task(w)
            _collect(results, name, seed, out)
            progress(k, name, seed)
    # Methods in a fixed order, whatever order the processes finished in.
    for p in problems:
        ordered = {}
        for m in methods_for(p):
            if m in results[p.name]:
                ordered[m] = results[p.name][m]
        results[p.name] = ordered

    text, summary = summarise(problems, results, seeds, missing)
    summary["hpo_fingerprint"] = fingerprint
    elapsed = time.monotonic() - started
    print(text)
    print("")
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(u.ru_utime + u.ru_stime for u in usage)
    print("machine: %d cores (%s), %s; %.0f s wall, %.0f s CPU (all processes of the run)" % (
        os.cpu_count() or 0, platform.machine(), datetime.date.today().isoformat(), elapsed,
        cpu))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"summary": summary, "results": results, "seeds": seeds,
                       "quick": args.quick, "seconds": elapsed, "cpu_seconds": cpu}, fh,
                      indent=1, default=str)
    if args.markdown:
        pathlib.Path(args.markdown).write_text(markdown(problems, summary, seeds,
                                                        command, elapsed, cpu) + "\n")
    print(summary["final_line"])
    return 0


def merge_runs(paths, markdown_path, command):
    """One summary of several runs' --json files: same mode and problems, disjoint seeds. A
    second draw of seeds is how to tell a difference between methods from the noise of one."""
    runs = [json.loads(pathlib.Path(path).read_text()) for path in paths]
    if len({run["quick"] for run in runs}) != 1:
        raise SystemExit("--merge: the runs mix quick and full mode")
    names = [{p: sorted(m) for p, m in run["results"].items()} for run in runs]
    if any(n != names[0] for n in names):
        raise SystemExit("--merge: the runs have different problems or methods: %s" % names)
    seeds = [s for run in runs for s in run["seeds"]]
    if len(set(seeds)) != len(seeds):
        raise SystemExit("--merge: a seed is in more than one run")
    problems = [p for p in make_problems(runs[0]["quick"]) if p.name in names[0]]
    results = {p.name: {} for p in problems}
    for run in runs:
        for name, by_method in run["results"].items():
            for method, by_seed in by_method.items():
                for seed, result in by_seed.items():
                    results[name].setdefault(method, {})[int(seed)] = result
    missing = {k: v for run in runs for k, v in run["summary"].get("missing", {}).items()}
    text, summary = summarise(problems, results, seeds, missing)
    prints = {run["summary"].get("hpo_fingerprint", "?") for run in runs}
    summary["hpo_fingerprint"] = ", ".join(sorted(prints))
    print("hpo bench: %d runs merged, %d seeds, %s mode, src/hpo %s" % (
        len(runs), len(seeds), "quick" if runs[0]["quick"] else "full",
        summary["hpo_fingerprint"]))
    print(text)
    print("")
    elapsed = sum(run["seconds"] for run in runs)
    cpu = sum(run["cpu_seconds"] for run in runs)
    if markdown_path:
        pathlib.Path(markdown_path).write_text(markdown(problems, summary, seeds, command,
                                                        elapsed, cpu) + "\n")
    print(summary["final_line"])
    return 0


def _collect(results, name, seed, out):
    for method, result in out.items():
        results[name].setdefault(method, {})[seed] = result


def hpo_fingerprint():
    """A short hash of src/hpo's sources: which searchers a result came from."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src" / "hpo").glob("*")):
        if path.suffix in (".h", ".cpp"):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _optuna_version():
    try:
        import optuna
        return optuna.__version__
    except ImportError:
        return "missing"


if __name__ == "__main__":
    sys.exit(main())
