// Result<T>: the control path (config, load, attach, bind) returns errors as
// values up to main(), which prints them and exits non-zero. The data path
// never uses it: it counts and drops.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace xacct::userspace {

struct Error {
  std::string message;  // with context: "attach xdp to eth0: EBUSY"
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& value() const& { return std::get<T>(v_); }
  const Error& error() const { return std::get<Error>(v_); }
  T* operator->() { return &std::get<T>(v_); }
  T& operator*() & { return std::get<T>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;

inline Error make_error(std::string message) { return Error{std::move(message)}; }

}  // namespace xacct::userspace
