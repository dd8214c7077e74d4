// Elementary functions computed with + - * / and sqrt only, so that they give the same bits on
// every machine and standard library (libm's exp/log differ in the last place between
// implementations and CPU variants). Searchers must make the same decisions everywhere for a
// seed, and their decisions go through these. Accurate to a few units in the last place,
// which is all a searcher needs.
#pragma once

namespace yard::hpo {

double DetExp(double x);  // e^x; 0 below -745, +inf above 709.78
double DetLog(double x);  // natural log; -inf at 0, NaN below 0
// The standard normal's cumulative distribution, with an absolute error below 1e-7.
double DetNormalCdf(double x);
// Rounds to `digits` significant decimal digits (exactly, through std::to_chars): 0.1 + 0.2
// with 12 digits is 0.3. Infinities and NaN come back as they are.
double RoundSignificant(double x, int digits);

}  // namespace yard::hpo
