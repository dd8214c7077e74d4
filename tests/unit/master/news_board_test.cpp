#include "master/news_board.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace yard {
namespace {

using namespace std::chrono_literals;

TEST(NewsBoard, CountsPerWorker) {
  NewsBoard board;
  EXPECT_EQ(board.Current(1), 0u);
  board.Post(1);
  board.Post(1);
  board.Post(2);
  EXPECT_EQ(board.Current(1), 2u);
  EXPECT_EQ(board.Current(2), 1u);
  EXPECT_EQ(board.Current(3), 0u);
}

TEST(NewsBoard, WaitReturnsAtOnceWhenTheCallerIsBehind) {
  NewsBoard board;
  board.Post(7);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(board.Wait(7, 0, 5s), 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(NewsBoard, WaitTimesOutWithNothingNew) {
  NewsBoard board;
  board.Post(7);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(board.Wait(7, 1, 30ms), 1u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
}

TEST(NewsBoard, PostWakesOnlyThatWorkersPoll) {
  NewsBoard board;
  std::atomic<uint64_t> got1{0}, got2{0};
  std::atomic<bool> done1{false}, done2{false};
  std::thread poll1([&] {
    got1 = board.Wait(1, 0, 5s);
    done1 = true;
  });
  std::thread poll2([&] {
    got2 = board.Wait(2, 0, 300ms);
    done2 = true;
  });
  std::this_thread::sleep_for(20ms);
  board.Post(1);
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!done1 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(done1.load());
  EXPECT_EQ(got1.load(), 1u);
  EXPECT_FALSE(done2.load()) << "worker 2's poll returned on worker 1's news";
  poll1.join();
  poll2.join();
  EXPECT_EQ(got2.load(), 0u);
}

}  // namespace
}  // namespace yard
