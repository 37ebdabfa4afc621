// See time_bins.hpp.
#include "userspace/time_bins.hpp"

#include <algorithm>
#include <charconv>

#include "userspace/civil_time.hpp"

namespace xacct::userspace {
namespace {

constexpr std::string_view kRoundoffLetters = "mhdwM";

std::int64_t unit_seconds(BinUnit unit) {
  switch (unit) {
    case BinUnit::kSecond: return 1;
    case BinUnit::kMinute: return 60;
    case BinUnit::kHour: return 3600;
    case BinUnit::kDay: return 86400;
    case BinUnit::kWeek: return 7 * 86400;
    case BinUnit::kMonth: return 30 * 86400;
  }
  return 1;
}

}  // namespace

Result<TimeBinSpec> parse_time_bin(std::string_view text) {
  TimeBinSpec spec;
  std::string_view digits = text;
  char unit = 's';
  if (!text.empty() && (text.back() < '0' || text.back() > '9')) {
    unit = text.back();
    digits.remove_suffix(1);
  }
  std::uint32_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || n == 0) {
    return make_error("invalid time bin '" + std::string(text) + "' (expected N[s|m|h|d|w|M], N > 0)");
  }
  switch (unit) {
    case 's': spec.unit = BinUnit::kSecond; break;
    case 'm': spec.unit = BinUnit::kMinute; break;
    case 'h': spec.unit = BinUnit::kHour; break;
    case 'd': spec.unit = BinUnit::kDay; break;
    case 'w': spec.unit = BinUnit::kWeek; break;
    case 'M': spec.unit = BinUnit::kMonth; break;
    default:
      return make_error("invalid time bin unit '" + std::string(1, unit) + "' in '" + std::string(text) +
                        "' (expected s, m, h, d, w or M)");
  }
  spec.count = n;
  if (static_cast<std::int64_t>(n) * unit_seconds(spec.unit) > 10LL * 366 * 86400) {
    return make_error("time bin '" + std::string(text) + "' is longer than 10 years");
  }
  return spec;
}

std::string time_bin_to_string(const TimeBinSpec& spec) {
  if (!spec.enabled()) return {};
  static constexpr char kUnits[] = {'s', 'm', 'h', 'd', 'w', 'M'};
  return std::to_string(spec.count) + kUnits[static_cast<std::size_t>(spec.unit)];
}

Result<std::string> parse_roundoff(std::string_view text) {
  std::string out;
  for (char c : kRoundoffLetters) {
    const auto n = std::count(text.begin(), text.end(), c);
    if (n > 1) return make_error("round-off letter '" + std::string(1, c) + "' given twice");
    if (n == 1) out += c;
  }
  for (char c : text) {
    if (kRoundoffLetters.find(c) == std::string_view::npos) {
      return make_error("invalid round-off letter '" + std::string(1, c) + "' (expected m, h, d, w, M)");
    }
  }
  if (out.find('d') != std::string::npos && out.find('w') != std::string::npos) {
    return make_error("round-off letters d and w exclude each other");
  }
  return out;
}

std::int64_t nominal_bin_seconds(const TimeBinSpec& spec) {
  return static_cast<std::int64_t>(spec.count) * unit_seconds(spec.unit);
}

std::int64_t roundoff_time(std::int64_t t, std::string_view roundoff, bool utc) {
  std::tm tm = to_tm(t, utc);
  tm.tm_sec = 0;
  for (char c : roundoff) {
    switch (c) {
      case 'm': tm.tm_min = 0; break;
      case 'h': tm.tm_min = 0; tm.tm_hour = 0; break;
      case 'd': tm.tm_min = 0; tm.tm_hour = 0; tm.tm_mday = 1; break;
      case 'w': tm.tm_min = 0; tm.tm_hour = 0; tm.tm_mday -= tm.tm_wday; break;
      case 'M': tm.tm_min = 0; tm.tm_hour = 0; tm.tm_mday = 1; tm.tm_mon = 0; break;
      default: break;  // validated by parse_roundoff
    }
  }
  return from_tm(tm, utc);
}

TimeBins::TimeBins(const TimeBinSpec& spec, std::int64_t start_s, bool utc) : spec_(spec), utc_(utc) {
  if (spec_.count == 0) spec_.count = 1;  // callers check enabled(); never divide by 0
  std::int64_t t = start_s;
  if (spec_.unit == BinUnit::kMonth) t = roundoff_time(t, "d", utc_);
  anchor_ = roundoff_time(t, spec_.roundoff, utc_);
  if (!calendar()) fixed_len_ = nominal_bin_seconds(spec_);
}

bool TimeBins::calendar() const {
  return spec_.unit == BinUnit::kDay || spec_.unit == BinUnit::kWeek || spec_.unit == BinUnit::kMonth;
}

std::int64_t TimeBins::nth_start(std::int64_t k) const {
  if (!calendar()) return anchor_ + k * fixed_len_;
  std::tm tm = to_tm(anchor_, utc_);
  if (spec_.unit == BinUnit::kMonth) {
    const std::int64_t months = tm.tm_mon + k * spec_.count;
    tm.tm_year += static_cast<int>(floor_div(months, 12));
    tm.tm_mon = static_cast<int>(months - floor_div(months, 12) * 12);
  } else {
    const std::int64_t step = spec_.unit == BinUnit::kWeek ? 7LL * spec_.count : spec_.count;
    const std::int64_t day = days_from_civil(tm.tm_year + 1900LL, static_cast<unsigned>(tm.tm_mon + 1),
                                             static_cast<unsigned>(tm.tm_mday)) +
                             k * step;
    // Rebuild the date from day 0 (1970-01-01) so mday never overflows int.
    tm.tm_year = 70;
    tm.tm_mon = 0;
    tm.tm_mday = 1 + static_cast<int>(day);
  }
  return from_tm(tm, utc_);
}

std::int64_t TimeBins::index_of(std::int64_t t) const {
  if (!calendar()) return floor_div(t - anchor_, fixed_len_);
  const std::tm a = to_tm(anchor_, utc_);
  const std::tm b = to_tm(t, utc_);
  std::int64_t k;
  if (spec_.unit == BinUnit::kMonth) {
    const std::int64_t diff = (b.tm_year - a.tm_year) * 12LL + (b.tm_mon - a.tm_mon);
    k = floor_div(diff, spec_.count);
  } else {
    const std::int64_t step = spec_.unit == BinUnit::kWeek ? 7LL * spec_.count : spec_.count;
    const std::int64_t diff =
        days_from_civil(b.tm_year + 1900LL, static_cast<unsigned>(b.tm_mon + 1), static_cast<unsigned>(b.tm_mday)) -
        days_from_civil(a.tm_year + 1900LL, static_cast<unsigned>(a.tm_mon + 1), static_cast<unsigned>(a.tm_mday));
    k = floor_div(diff, step);
  }
  // The date difference can be one bin off when t's time of day is before
  // the anchor's: settle on start(k) <= t < start(k + 1).
  while (nth_start(k) > t) --k;
  while (nth_start(k + 1) <= t) ++k;
  return k;
}

std::int64_t TimeBins::bin_start(std::int64_t t) const {
  const std::int64_t shifted = t + spec_.offset_s;
  if (shifted >= cached_lo_ && shifted < cached_hi_) return cached_lo_ - spec_.offset_s;
  const std::int64_t k = index_of(shifted);
  cached_lo_ = nth_start(k);
  cached_hi_ = nth_start(k + 1);
  return cached_lo_ - spec_.offset_s;
}

std::int64_t TimeBins::next_bin_start(std::int64_t start) const {
  const std::int64_t k = index_of(start + spec_.offset_s);
  return nth_start(k + 1) - spec_.offset_s;
}

}  // namespace xacct::userspace
