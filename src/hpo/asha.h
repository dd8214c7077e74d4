// Asynchronous successive halving (Li et al. 2018, "A System for Massively Parallel
// Hyperparameter Tuning"): the rules for one rung, and where the rungs lie. Pure functions of
// the rung's table, so that tests can check them against hand-computed tables.
//
// Two flavours share these rules (Budget::mode):
// - promotion (the default): a trial runs to its rung and ends; whenever a GPU is free the
//   best trial of the highest rung that is in the rung's top floor(n / eta) and not yet
//   promoted continues to the next rung from its checkpoint (kPromote), else a new trial
//   starts at the bottom. Nothing is ever run past a rung it did not earn.
// - stopping (ASHA as Ray Tune runs it): a trial runs towards the full budget; when it
//   reports at a rung, it is stopped (kStop) unless it is in the top max(1, floor(n / eta)) of
//   the n trials recorded at that rung so far; with fewer than eta recorded it goes on.
// Promotion is the default. It never spends budget on a trial before the trial has earned
// it, whereas under stopping the first eta trials at every rung pass for want of company and
// a trial is judged only against those that happened to report before it. In a simulation
// at equal compute (20 seeds, 4 and 8 GPUs; an MLP-like learning curve, Hartmann-6 and
// Branin whose small budgets are noisy and biased) promotion was better on the learning
// curve for asha, hyperband and bohb alike, about even on Hartmann-6 (better for bohb), and
// worse only where small budgets point to the wrong region (the Branin variant), where plain
// TPE beat every multi-fidelity method anyway. Stopping remains for scripts that cannot
// resume from a checkpoint.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "hpo/searcher.h"

namespace yard::hpo {

// The budgets of the rungs, increasing, the last exactly budget.max: K = 1 +
// floor(log_eta(max / min)) rungs r_k = max * eta^(k - K + 1), so that every step is a factor
// of eta and the first rung is the smallest such budget >= min (for min = 1, max = 27,
// eta = 3: 1, 3, 9, 27). `integral` rounds them to whole numbers and drops duplicates.
std::vector<double> RungBudgets(const Budget& budget, bool integral);

// A trial's result at one rung.
struct RungEntry {
  int64_t trial = 0;
  double score = 0;         // Score(): higher is better, -inf for NaN or failed
  bool promotable = false;  // completed this rung, waits, and was not promoted yet
};

// How many of n trials at a rung are in its top 1/eta: floor(n / eta).
int64_t RungKeep(int64_t n, double eta);

// The promotion rule: the best promotable trial among the rung's top floor(n / eta), ranked
// by score (then by trial number, earlier first); nullopt when none. A trial without a
// result (score -inf: NaN, failed, silent) is never promoted, even where all are such.
std::optional<int64_t> PromotionCandidate(std::vector<RungEntry> entries, double eta);

// The stopping rule for `trial`, recorded at the rung along with the others: true when at
// least eta trials are recorded and it is not among the top max(1, floor(n / eta)); at once
// for a NaN report (score -inf), which no later step will redeem.
bool BelowRungCutoff(std::vector<RungEntry> entries, int64_t trial, double eta);

}  // namespace yard::hpo
