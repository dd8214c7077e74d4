// EXPECT_CONTAINS(text, part): gtest without gmock, with both strings in the failure message.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace yard::testing_util {

inline ::testing::AssertionResult ContainsFormat(const char* text_expr, const char* part_expr,
                                                 std::string_view text, std::string_view part) {
  if (text.find(part) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << text_expr << " (\"" << text << "\") does not contain "
                                       << part_expr << " (\"" << part << "\")";
}

}  // namespace yard::testing_util

#define EXPECT_CONTAINS(text, part) \
  EXPECT_PRED_FORMAT2(::yard::testing_util::ContainsFormat, text, part)
