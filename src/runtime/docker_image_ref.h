// ImageReference: the parts of an image reference such as 127.0.0.1:5000/team/pytorch:bookworm
// or 127.0.0.1:5000/busybox@sha256:..., read the way Docker reads them. Pure.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace yard {

struct ImageReference {
  // "127.0.0.1:5000", "registry.example:443", "localhost"; empty when the reference names none
  // (Docker then means Docker Hub, which this project's machines cannot reach).
  std::string registry;
  std::string repository;  // "busybox", "team/pytorch": the path within the registry
  std::string tag;         // "latest" when neither a tag nor a digest is given
  std::string digest;      // "sha256:<64 hex>", or empty

  // registry/repository (or repository alone): what dockerd calls the image's name.
  std::string Name() const;
  // The full reference, tag and digest included when present.
  std::string ToString() const;
};

// Reads a reference. The first path component is a registry when it holds a '.' or a ':' or is
// "localhost"; a tag follows the last ':' of the last component; a digest follows '@'.
// InvalidArgument, naming what is wrong, for anything Docker would refuse: upper case in the
// repository, empty components, a malformed tag or digest.
Result<ImageReference> ParseImageReference(std::string_view text);

}  // namespace yard
