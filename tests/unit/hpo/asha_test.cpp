// Successive halving: the rung rules on hand-made tables, and the asha / hyperband / bohb
// searchers promoting and stopping exactly the trials those rules name.
#include "hpo/asha.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "hpo/hyperband.h"
#include "hpo/searcher.h"
#include "sweep_driver.h"

namespace yard::hpo {
namespace {

TEST(RungBudgets, FactorsOfEtaEndingAtMax) {
  EXPECT_EQ(RungBudgets(Budget{"e", 1, 27, 3}, true), (std::vector<double>{1, 3, 9, 27}));
  EXPECT_EQ(RungBudgets(Budget{"e", 1, 10, 3}, true), (std::vector<double>{1, 3, 10}));
  EXPECT_EQ(RungBudgets(Budget{"e", 2, 16, 2}, true), (std::vector<double>{2, 4, 8, 16}));
  EXPECT_EQ(RungBudgets(Budget{"e", 5, 5, 3}, true), (std::vector<double>{5}));
  EXPECT_EQ(RungBudgets(Budget{"e", 1, 4, 1.5}, true), (std::vector<double>{1, 2, 3, 4}));
  auto f = RungBudgets(Budget{"e", 0.1, 1, 3}, false);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_NEAR(f[0], 1.0 / 9, 1e-15);
  EXPECT_NEAR(f[1], 1.0 / 3, 1e-15);
  EXPECT_EQ(f[2], 1.0);
}

TEST(AshaRules, PromotesTheBestUnpromotedTrialInTheTopThird) {
  // Scores at rung 0; trial 4 was promoted already.
  std::vector<RungEntry> rung = {
      {0, 0.5, true}, {1, 0.7, true}, {2, 0.1, true}, {3, 0.3, true}, {4, 0.9, false}};
  // n = 5, eta = 3: the top floor(5/3) = 1 is trial 4, promoted already.
  EXPECT_EQ(PromotionCandidate(rung, 3), std::nullopt);
  // A sixth trial makes the top 2: trials 4 and 1; 1 goes up.
  rung.push_back({5, 0.2, true});
  EXPECT_EQ(PromotionCandidate(rung, 3), 1);
  // Once 1 is promoted there is nothing until the rung grows to 9.
  rung[1].promotable = false;
  EXPECT_EQ(PromotionCandidate(rung, 3), std::nullopt);
  rung.push_back({6, 0.6, true});
  rung.push_back({7, 0.0, true});
  EXPECT_EQ(PromotionCandidate(rung, 3), std::nullopt);
  rung.push_back({8, -1, true});  // n = 9: top 3 = 4, 1, 6 (0.6 beats 0.5)
  EXPECT_EQ(PromotionCandidate(rung, 3), 6);
  // Ties go to the earlier trial; -inf (no result) is never promoted, even at the top.
  EXPECT_EQ(PromotionCandidate({{3, 1.0, true}, {2, 1.0, true}, {1, 0.0, true}}, 3), 2);
  double ninf = -INFINITY;
  EXPECT_EQ(PromotionCandidate({{0, ninf, true}, {1, ninf, true}, {2, ninf, true}}, 3),
            std::nullopt);
  EXPECT_EQ(PromotionCandidate({{0, ninf, true}, {1, 0.0, true}, {2, ninf, true}}, 3), 1);
  EXPECT_EQ(PromotionCandidate({}, 3), std::nullopt);
  EXPECT_EQ(PromotionCandidate({{0, 1.0, true}, {1, 0.5, true}}, 2), 0);
}

TEST(AshaRules, StopsTrialsBelowTheRungsTopOnceEnoughAreRecorded) {
  std::vector<RungEntry> rung = {{0, 0.5, false}, {1, 0.9, false}};
  EXPECT_FALSE(BelowRungCutoff(rung, 0, 3));  // n = 2 < eta: too few to judge
  rung.push_back({2, 0.1, false});
  EXPECT_TRUE(BelowRungCutoff(rung, 2, 3));  // n = 3: top 1 is trial 1
  EXPECT_TRUE(BelowRungCutoff(rung, 0, 3));
  EXPECT_FALSE(BelowRungCutoff(rung, 1, 3));
  for (int64_t t = 3; t < 6; ++t) rung.push_back({t, 0.05 * static_cast<double>(t), false});
  // n = 6: top 2 = trial 1 (0.9), trial 0 (0.5); trial 5 (0.25) is out.
  EXPECT_FALSE(BelowRungCutoff(rung, 0, 3));
  EXPECT_TRUE(BelowRungCutoff(rung, 5, 3));
  EXPECT_EQ(RungKeep(6, 3), 2);
  EXPECT_EQ(RungKeep(8, 3), 2);
  EXPECT_EQ(RungKeep(9, 3), 3);
  EXPECT_EQ(RungKeep(5, 2.5), 2);
  // A NaN report is stopped at once, before eta results are in.
  EXPECT_TRUE(BelowRungCutoff({{0, 0.5, false}, {1, -INFINITY, false}}, 1, 3));
}

SearchSpace Space() {
  auto space =
      ParseSearchSpace(Json::parse(R"({"x": {"type": "float", "min": 0, "max": 1}, "epochs": 9})"));
  EXPECT_TRUE(space.ok());
  return *space;
}

SearchConfig Asha(BudgetMode mode, int max_trials, const char* algorithm = "asha") {
  SearchConfig c;
  c.algorithm = algorithm;
  c.metric = "acc";
  c.max_trials = max_trials;
  c.budget = Budget{"epochs", 1, 9, 3, mode};  // rungs 1, 3, 9
  return c;
}

std::unique_ptr<Searcher> Make(const SearchConfig& c) {
  auto s = MakeSearcher(Space(), c);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

Decision One(Searcher& s) {
  auto ds = s.Ask(1);
  EXPECT_EQ(ds.size(), 1u);
  return ds.empty() ? Decision{} : ds[0];
}

// A made-up rung table, told by hand; each promotion checked against ASHA's rule.
TEST(AshaSearcher, PromotesTheRightTrials) {
  auto s = Make(Asha(BudgetMode::kPromote, 9));
  auto first = s->Ask(3);
  ASSERT_EQ(first.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(first[i].kind, DecisionKind::kCreate);
    EXPECT_EQ(first[i].trial, i);
    EXPECT_EQ(first[i].budget, 1);
    EXPECT_EQ(first[i].hparams["epochs"], 1);
  }
  // Rung 1 (budget 1): 0 -> 0.5, 1 -> 0.9, 2 -> 0.1.
  s->TellEnded(0, TrialEnd::kCompleted, 0.5);
  s->TellEnded(1, TrialEnd::kCompleted, 0.9);
  s->TellEnded(2, TrialEnd::kCompleted, 0.1);
  // n = 3: the top 1 is trial 1, promoted to budget 3 with the same point.
  Decision p = One(*s);
  EXPECT_EQ(p.kind, DecisionKind::kPromote);
  EXPECT_EQ(p.trial, 1);
  EXPECT_EQ(p.budget, 3);
  EXPECT_EQ(p.hparams["epochs"], 3);
  EXPECT_EQ(p.hparams["x"], first[1].hparams["x"]);
  // Nothing else earned a promotion: new trials 3, 4, 5.
  for (int64_t want : {3, 4, 5}) {
    Decision d = One(*s);
    EXPECT_EQ(d.kind, DecisionKind::kCreate);
    EXPECT_EQ(d.trial, want);
    EXPECT_EQ(d.budget, 1);
  }
  s->TellEnded(3, TrialEnd::kCompleted, 0.7);
  s->TellEnded(4, TrialEnd::kCompleted, 0.2);
  // n = 5: top 1 still. A new trial.
  EXPECT_EQ(One(*s).trial, 6);
  s->TellEnded(5, TrialEnd::kCompleted, std::nan(""));  // NaN ranks last
  // n = 6: top 2 = trials 1 and 3; 3 goes up.
  p = One(*s);
  EXPECT_EQ(p.kind, DecisionKind::kPromote);
  EXPECT_EQ(p.trial, 3);
  // Rung 2 (budget 3): 1 -> 0.95, 3 -> 0.6; a third result there decides a promotion to 9.
  s->TellEnded(1, TrialEnd::kCompleted, 0.95);
  s->TellEnded(3, TrialEnd::kCompleted, 0.6);
  EXPECT_EQ(One(*s).trial, 7);
  EXPECT_EQ(One(*s).trial, 8);
  // Rung 1: 0.9 (1), 0.8 (6), 0.7 (3), ...: the top floor(7/3) = 2 are 1 and 6; 6 goes up.
  s->TellEnded(6, TrialEnd::kCompleted, 0.8);
  p = One(*s);
  EXPECT_EQ(p.kind, DecisionKind::kPromote);
  EXPECT_EQ(p.trial, 6);
  EXPECT_EQ(p.budget, 3);
  s->TellEnded(6, TrialEnd::kCompleted, 0.3);  // rung 2: 0.95 (1), 0.6 (3), 0.3 (6)
  p = One(*s);
  EXPECT_EQ(p.kind, DecisionKind::kPromote);
  EXPECT_EQ(p.trial, 1);
  EXPECT_EQ(p.budget, 9);
  EXPECT_EQ(p.hparams["epochs"], 9);
  // max_trials (9) created and nothing more earned: wait for the running ones.
  EXPECT_TRUE(s->Ask(4).empty());
  EXPECT_FALSE(s->Finished());
  s->TellEnded(7, TrialEnd::kFailed, 0.99);  // failed: ranks last whatever it says
  s->TellEnded(8, TrialEnd::kCompleted, 0.1);
  EXPECT_FALSE(s->Finished());  // trial 1 runs to 9
  // Rung 1 now has 9 results: top 3 = 1 (0.9), 6 (0.8), 3 (0.7), all promoted already.
  EXPECT_TRUE(s->Ask(4).empty());
  s->TellEnded(1, TrialEnd::kCompleted, 0.97);
  EXPECT_TRUE(s->Finished());
  EXPECT_TRUE(s->Ask(4).empty());
}

TEST(AshaSearcher, StopsTheRightTrials) {
  auto s = Make(Asha(BudgetMode::kStop, 6));
  auto ds = s->Ask(4);
  ASSERT_EQ(ds.size(), 4u);
  for (const Decision& d : ds) {
    EXPECT_EQ(d.kind, DecisionKind::kCreate);
    EXPECT_EQ(d.budget, 9);  // stopping runs towards the full budget
    EXPECT_EQ(d.hparams["epochs"], 9);
  }
  // Reports below a rung decide nothing.
  EXPECT_TRUE(s->TellReport(0, 0.5, 0.1).empty());
  // Rung budget 1: 0 -> 0.5 and 1 -> 0.9 pass (fewer than eta = 3 recorded).
  EXPECT_TRUE(s->TellReport(0, 1, 0.5).empty());
  EXPECT_TRUE(s->TellReport(1, 1, 0.9).empty());
  // 2 -> 0.1: n = 3, only the top 1 (trial 1) may go on: stop 2.
  auto stop = s->TellReport(2, 1, 0.1);
  ASSERT_EQ(stop.size(), 1u);
  EXPECT_EQ(stop[0].kind, DecisionKind::kStop);
  EXPECT_EQ(stop[0].trial, 2);
  EXPECT_EQ(stop[0].budget, 1);
  EXPECT_TRUE(s->TellReport(2, 2, 0.2).empty());  // stop already sent: nothing twice
  // 3 -> 0.95 is the new best at rung 1: it goes on.
  EXPECT_TRUE(s->TellReport(3, 1, 0.95).empty());
  s->TellEnded(2, TrialEnd::kStopped, 0.1);
  // Rung budget 3: 0 -> 0.6 passes (alone there), 1 -> 0.4 passes (2 < eta), 3 -> 0.3:
  // n = 3, top 1 = trial 0: stop 3.
  EXPECT_TRUE(s->TellReport(0, 3, 0.6).empty());
  EXPECT_TRUE(s->TellReport(1, 3, 0.4).empty());
  stop = s->TellReport(3, 3, 0.3);
  ASSERT_EQ(stop.size(), 1u);
  EXPECT_EQ(stop[0].trial, 3);
  EXPECT_EQ(stop[0].budget, 3);
  s->TellEnded(3, TrialEnd::kStopped, 0.3);
  auto more = s->Ask(4);
  ASSERT_EQ(more.size(), 2u);  // trials 4 and 5: max_trials is 6
  EXPECT_EQ(more[0].trial, 4);
  EXPECT_EQ(more[1].trial, 5);
  // A report that jumps past a rung is judged there: trial 4 first reports at step 2 with
  // 0.05, the worst of 5 at rung budget 1 (top 1 = trial 3, 0.95): stopped there.
  stop = s->TellReport(4, 2, 0.05);
  ASSERT_EQ(stop.size(), 1u);
  EXPECT_EQ(stop[0].trial, 4);
  EXPECT_EQ(stop[0].budget, 1);
  // NaN is the worst: n = 6, top 2 = trials 3 and 1.
  stop = s->TellReport(5, 1, std::nan(""));
  ASSERT_EQ(stop.size(), 1u);
  EXPECT_EQ(stop[0].trial, 5);
  // No checks at the top rung: the survivors run to the end.
  EXPECT_TRUE(s->TellReport(0, 9, 0.7).empty());
  EXPECT_TRUE(s->TellReport(1, 9, 0.8).empty());
  s->TellEnded(0, TrialEnd::kCompleted, 0.7);
  s->TellEnded(1, TrialEnd::kCompleted, std::nan(""));  // falls back to its last report
  EXPECT_FALSE(s->Finished());
  s->TellEnded(4, TrialEnd::kStopped, 0.05);
  s->TellEnded(5, TrialEnd::kStopped, std::nan(""));
  EXPECT_TRUE(s->Finished());
  EXPECT_TRUE(s->Ask(4).empty());
  // Promotion never happens in stopping mode.
  Json state = s->SaveState();
  for (const Json& t : state["trials"]) EXPECT_EQ(t["phase"], "done");
  EXPECT_EQ(state["trials"][1]["values"], Json::parse("[0.9, 0.4, 0.8]"));
  EXPECT_EQ(state["trials"][5]["values"], Json::parse("[null]"));
}

TEST(Hyperband, BracketWeightsAreHyperbandsProportions) {
  // 4 rungs, eta 3: s = 3, 2, 1, 0 halvings get 27, 12, 6, 4 configurations.
  EXPECT_EQ(BracketWeights(4, 3), (std::vector<double>{27, 12, 6, 4}));
  EXPECT_EQ(BracketWeights(3, 3), (std::vector<double>{9, 5, 3}));
  EXPECT_EQ(BracketWeights(1, 3), (std::vector<double>{1}));
  std::vector<int64_t> counts(4, 0);
  for (int i = 0; i < 49; ++i) ++counts[static_cast<size_t>(NextBracket({27, 12, 6, 4}, counts))];
  EXPECT_EQ(counts, (std::vector<int64_t>{27, 12, 6, 4}));
}

TEST(Hyperband, IterationBracketMakesEachIterationMostAggressiveFirst) {
  std::vector<int> brackets;
  for (int64_t n = 0; n < 2 * 17; ++n) brackets.push_back(IterationBracket({9, 5, 3}, n));
  std::vector<int> iteration;
  for (int b = 0; b < 3; ++b) iteration.insert(iteration.end(), b == 0 ? 9 : (b == 1 ? 5 : 3), b);
  std::vector<int> twice = iteration;
  twice.insert(twice.end(), iteration.begin(), iteration.end());
  EXPECT_EQ(brackets, twice);
  EXPECT_EQ(IterationBracket({1}, 12345), 0);
}

TEST(BohbSearcher, MakesTrialsInHyperbandsIterations) {
  // Rungs 1, 3, 9: each iteration is 9 trials starting at budget 1, 5 at 3 and 3 at 9.
  auto s = Make(Asha(BudgetMode::kPromote, 34, "bohb"));
  std::vector<double> first_budgets;
  for (int i = 0; i < 34; ++i) {
    auto ds = s->Ask(1);
    ASSERT_EQ(ds.size(), 1u);
    ASSERT_EQ(ds[0].kind, DecisionKind::kCreate) << "nothing has ended: no promotion yet";
    first_budgets.push_back(ds[0].budget);
  }
  std::vector<double> iteration(9, 1.0);
  iteration.insert(iteration.end(), 5, 3.0);
  iteration.insert(iteration.end(), 3, 9.0);
  std::vector<double> twice = iteration;
  twice.insert(twice.end(), iteration.begin(), iteration.end());
  EXPECT_EQ(first_budgets, twice);
}

TEST(HyperbandSearcher, BracketsStartAtTheirRungsAndPromoteWithin) {
  SearchConfig c = Asha(BudgetMode::kPromote, 17, "hyperband");  // rungs 1, 3, 9
  auto s = Make(c);
  auto ds = s->Ask(17);
  ASSERT_EQ(ds.size(), 17u);  // weights 9, 5, 3: exactly one full round
  std::map<double, int> starts;
  for (const Decision& d : ds) {
    EXPECT_EQ(d.kind, DecisionKind::kCreate);
    ++starts[d.budget];
    EXPECT_EQ(d.hparams["epochs"], static_cast<int64_t>(d.budget));
  }
  EXPECT_EQ(starts, (std::map<double, int>{{1, 9}, {3, 5}, {9, 3}}));
  // Bracket 1 (starts at 3): its first three results let the best of them go to 9; bracket
  // 0's trials at rung 1 do not count for it.
  std::vector<int64_t> bracket1;
  for (const Decision& d : ds)
    if (d.budget == 3) bracket1.push_back(d.trial);
  ASSERT_EQ(bracket1.size(), 5u);
  s->TellEnded(bracket1[0], TrialEnd::kCompleted, 0.2);
  s->TellEnded(bracket1[1], TrialEnd::kCompleted, 0.8);
  EXPECT_TRUE(s->Ask(1).empty());  // max_trials reached; 2 results are too few
  s->TellEnded(bracket1[2], TrialEnd::kCompleted, 0.5);
  auto p = s->Ask(5);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].kind, DecisionKind::kPromote);
  EXPECT_EQ(p[0].trial, bracket1[1]);
  EXPECT_EQ(p[0].budget, 9);
  // Bracket 2 runs its trials at the full budget: done after one run each.
  for (const Decision& d : ds)
    if (d.budget == 9) {
      s->TellEnded(d.trial, TrialEnd::kCompleted, 0.1);
      EXPECT_EQ(s->SaveState()["trials"][d.trial]["phase"], "done");
    }
}

TEST(HyperbandSearcher, StoppingModeJudgesOnlyFromTheBracketsFirstRung) {
  auto s = Make(Asha(BudgetMode::kStop, 17, "hyperband"));
  auto ds = s->Ask(17);
  for (const Decision& d : ds) EXPECT_EQ(d.budget, 9);
  Json state = s->SaveState();
  std::map<int, int> per_bracket;
  for (const Json& t : state["trials"]) {
    ++per_bracket[t["bracket"].get<int>()];
    EXPECT_EQ(t["rung"], t["bracket"]);  // the first rung it will be judged at
  }
  EXPECT_EQ(per_bracket, (std::map<int, int>{{0, 9}, {1, 5}, {2, 3}}));
}

TEST(BohbSearcher, ProposesFromTpeOnceARungHasEnoughResults) {
  // Accuracy peaks at x = 0.25; budgets only scale it. With 40 trials BOHB's model (10 results
  // at a rung) takes over after the Sobol start and concentrates near the peak.
  auto space = Space();
  SearchConfig c = Asha(BudgetMode::kPromote, 60, "bohb");
  c.seed = 3;
  auto s = MakeSearcher(space, c);
  ASSERT_TRUE(s.ok());
  testing::SweepDriver driver(
      s->get(),
      [](const Json& hp, double step) {
        double x = hp["x"].get<double>();
        return (1 - (x - 0.25) * (x - 0.25)) * step / 9;
      },
      2);
  driver.RunToEnd();
  EXPECT_TRUE((*s)->Finished());
  int near = 0, late = 0;
  for (const Decision& d : driver.decisions()) {
    if (d.kind != DecisionKind::kCreate || d.trial < 40) continue;
    ++late;
    near += std::fabs(d.hparams["x"].get<double>() - 0.25) < 0.15 ? 1 : 0;
  }
  EXPECT_EQ(late, 20);
  EXPECT_GE(near, 12) << "of the last 20 new trials";
}

// Where the small budgets mislead, BOHB's model must not learn what gets promoted. Here x
// counts at every budget (best at 0.5), and y (best at 0.9 after 9 epochs) costs a little at
// 1 and 3: the trials promoted to 9 epochs are those with x near 0.5 and a small y. A model
// fitted on every trial ranked by the rung it earned (as before the fix) proposed a small y
// (median 0.25 over the last 50 trials of these 5 seeds). Fitted on the 9-epoch results (the
// small budgets rank the promoted trials by y the other way round, so they are left out) it
// does not (median 0.54; new trials with a large y seldom get promoted, so it stays near the
// middle). As on classif-mlp in bench/hpo: a high learning rate and little weight decay lead
// after 1 and 3 epochs, not after 27.
TEST(BohbSearcher, ModelFollowsTheFullBudgetWhereSmallBudgetsMislead) {
  auto space = ParseSearchSpace(Json::parse(R"({"x": {"type": "float", "min": 0, "max": 1},
                                                "y": {"type": "float", "min": 0, "max": 1},
                                                "epochs": 9})"));
  ASSERT_TRUE(space.ok());
  std::vector<double> late_y;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    SearchConfig c = Asha(BudgetMode::kPromote, 150, "bohb");
    c.seed = seed;
    auto s = MakeSearcher(*space, c);
    ASSERT_TRUE(s.ok());
    testing::SweepDriver driver(
        s->get(),
        [](const Json& hp, double step) {
          double x = hp["x"].get<double>(), y = hp["y"].get<double>();
          double late = step >= 9 ? (y - 0.9) * (y - 0.9) : 0.05 * y;
          return 1 - (x - 0.5) * (x - 0.5) - late;
        },
        1);
    driver.RunToEnd();
    EXPECT_TRUE((*s)->Finished());
    for (const Decision& d : driver.decisions())
      if (d.kind == DecisionKind::kCreate && d.trial >= 100)
        late_y.push_back(d.hparams["y"].get<double>());
  }
  ASSERT_EQ(late_y.size(), 5u * 50);
  std::sort(late_y.begin(), late_y.end());
  double median = late_y[late_y.size() / 2];
  EXPECT_GT(median, 0.45) << "median y of the last 50 new trials of 5 seeds";
}

}  // namespace
}  // namespace yard::hpo
