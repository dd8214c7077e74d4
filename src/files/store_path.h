// The one gate for file-server paths that come from outside (URLs, manifests, CLI arguments).
// A path that passes is relative, '/'-separated, without '.', '..' or empty components, and
// safe to join under a root folder: lexically it cannot leave it. (Symbolic links inside the
// root are the store's business: see fs_util.h, OpenBeneath.)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace yard {

inline constexpr size_t kMaxStorePathBytes = 1024;
inline constexpr size_t kMaxStoreComponentBytes = 255;

// "datasets/mnist/train.bin" -> itself; "./a/./b" -> "a/b". InvalidArgument naming the problem
// for: empty, absolute, a '..' or empty component, a trailing '/', NUL, backslash, control
// characters, invalid UTF-8, over kMaxStorePathBytes in all or kMaxStoreComponentBytes in a
// component. The message quotes the path (escaped) so a person can find it.
Result<std::string> NormalizeStorePath(std::string_view path);

// A folder prefix for listings: "" (the root) and a trailing '/' are allowed; otherwise as
// NormalizeStorePath. Returns "" or a normalised path without the trailing '/'.
Result<std::string> NormalizeStorePrefix(std::string_view prefix);

// `text` with control and non-printable bytes written as \xNN: safe to put in a message.
std::string EscapeForMessage(std::string_view text);

}  // namespace yard
