// Plain-text tables for people: columns padded to their widest cell.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace yard {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Cuts text to `width` characters, marking the cut with "...".
std::string Ellipsize(const std::string& text, size_t width);

}  // namespace yard
