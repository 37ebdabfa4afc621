// BpfSkeleton: RAII owner of a bpftool-generated libbpf skeleton (T is the
// skeleton struct, Destroy its NAME__destroy function). Destroying the
// skeleton closes its maps, programs and any links it attached.
#pragma once

#include <utility>

namespace xacct::probe {

template <typename T, void (*Destroy)(T*)>
class BpfSkeleton {
 public:
  BpfSkeleton() = default;
  explicit BpfSkeleton(T* skel) : skel_(skel) {}
  BpfSkeleton(const BpfSkeleton&) = delete;
  BpfSkeleton& operator=(const BpfSkeleton&) = delete;
  BpfSkeleton(BpfSkeleton&& o) noexcept : skel_(std::exchange(o.skel_, nullptr)) {}
  BpfSkeleton& operator=(BpfSkeleton&& o) noexcept {
    if (this != &o) {
      reset();
      skel_ = std::exchange(o.skel_, nullptr);
    }
    return *this;
  }
  ~BpfSkeleton() { reset(); }

  void reset() {
    if (skel_ != nullptr) Destroy(skel_);
    skel_ = nullptr;
  }
  T* get() const { return skel_; }
  T* operator->() const { return skel_; }
  explicit operator bool() const { return skel_ != nullptr; }

 private:
  T* skel_ = nullptr;
};

}  // namespace xacct::probe
