// The cost of one scheduling pass at the master's target scale: 1,000 workers x 8 GPUs and
// 100,000 queued jobs (one in ten asks for 8 GPUs), all GPUs held by 1-GPU preemptible jobs but
// one worker's (then none). Prints microseconds per pass for the fifo, team and full presets.
#include <chrono>
#include <cstdio>
#include <string>

#include "sched/policy.h"

using namespace yard::sched;  // NOLINT

int main() {
  for (const char* preset : {"fifo", "team", "full"}) {
    Cluster c;
    c.models = {{"V100-16GB", 16, 7.0}};
    c.now = 1e6;
    int64_t job_id = 1000000;
    for (int w = 1; w <= 1000; ++w) {
      Worker worker{w, {}};
      for (int i = 0; i < 8; ++i) worker.gpus.push_back({i, 0, 0, true});
      if (w < 1000) {
        for (auto& g : worker.gpus) {
          g.job_id = ++job_id;
          RunningJob r;
          r.id = job_id;
          r.user = r.group = "g" + std::to_string(job_id % 20);
          r.gpus = 1;
          r.preemptible = true;
          r.start_time = c.now - 100;
          r.attained_gpu_seconds = 100;
          c.running.push_back(r);
        }
      }
      c.workers.push_back(worker);
    }
    Scheduler scheduler(*PolicyPreset(preset));
    for (int i = 1; i <= 100000; ++i) {
      PendingJob j;
      j.id = i;
      j.user = j.group = "g" + std::to_string(i % 20);
      j.gpus = i % 10 == 0 ? 8 : 1;
      j.submit_time = i;
      scheduler.Enqueue(j);
    }
    for (bool full : {false, true}) {
      if (full)
        for (auto& g : c.workers.back().gpus) g.job_id = 1;
      const int reps = 200;
      size_t placed = 0;
      auto t0 = std::chrono::steady_clock::now();
      for (int r = 0; r < reps; ++r) placed = scheduler.Pass(c).assignments.size();
      double us =
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
          reps;
      std::printf("%-4s %-16s %7.0f us per pass, %zu jobs placed\n", preset,
                  full ? "cluster full:" : "one worker free:", us, placed);
    }
  }
}
