// bgp_message.cpp: libFuzzer target of the BGP codec (bgp/bgp_wire.hpp).
// Input: one byte of session flags (4-byte AS, ADD-PATH IPv4/IPv6, extended
// messages), then a TCP byte stream as a session receives it. The stream
// goes through the message splitter (peek_message) and every complete
// message through the parser of its type, as bgp_session.cpp does; the
// parsed OPEN and NOTIFICATION are re-encoded and must decode to the same.
#include <cstddef>
#include <cstdint>

#include "bgp/bgp_wire.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xacct::bgp;  // NOLINT
  if (size < 1) return 0;
  SessionCaps caps;
  caps.as4 = (data[0] & 1) != 0;
  caps.add_path = {(data[0] & 2) != 0, (data[0] & 4) != 0};
  caps.extended_message = (data[0] & 8) != 0;
  Bytes stream(data + 1, size - 1);
  const std::size_t max = caps.extended_message ? kMaxExtendedMessageSize : kMaxMessageSize;
  UpdateMessage update;
  UpdateInfo info;
  while (!stream.empty()) {
    std::size_t len = 0;
    MessageType type{};
    if (!peek_message(stream, max, len, type).ok() || len == 0) break;
    XACCT_FUZZ_CHECK(len >= kHeaderSize && len <= stream.size());
    Bytes m = stream.first(len);
    switch (type) {
      case MessageType::kOpen: {
        OpenMessage o;
        if (parse_open(m, o).ok()) {
          // Re-encoding keeps everything but unknown capabilities and
          // graceful restart (a passive speaker does not send those).
          o.caps.other.clear();
          o.caps.graceful_restart = false;
          o.caps.restart_flags_time = 0;
          o.caps.enhanced_route_refresh = false;
          OpenMessage back;
          auto bytes = encode_open(o);
          if (o.caps.add_path.size() * 4 + o.caps.multiprotocol.size() * 8 + 30 <= 255) {
            XACCT_FUZZ_CHECK(parse_open(bytes, back).ok());
            XACCT_FUZZ_CHECK(back.asn() == o.asn());
            XACCT_FUZZ_CHECK(back.bgp_id == o.bgp_id);
          }
          (void)session_caps(o, passive_open_reply(o, 0, 1, 90));
        }
        break;
      }
      case MessageType::kUpdate:
        if (parse_update(m, caps, update, info).ok()) {
          XACCT_FUZZ_CHECK(!(info.treat_as_withdraw && !update.announced.empty()));
          for (const Prefix& p : update.announced) XACCT_FUZZ_CHECK(p.len <= (p.addr.is_v6 ? 128 : 32));
          for (const Prefix& p : update.withdrawn) XACCT_FUZZ_CHECK(p.len <= (p.addr.is_v6 ? 128 : 32));
          XACCT_FUZZ_CHECK(info.mp_first <= update.announced.size());
          // Splitting by next hop loses and duplicates nothing.
          const std::size_t total = update.announced.size();
          UpdateMessage mp;
          if (split_mixed_next_hops(update, info, mp)) {
            XACCT_FUZZ_CHECK(update.announced.size() + mp.announced.size() == total);
            XACCT_FUZZ_CHECK(mp.attrs.next_hop == info.mp_next_hop);
          } else {
            XACCT_FUZZ_CHECK(update.announced.size() == total);
          }
        }
        break;
      case MessageType::kNotification: {
        NotificationMessage n;
        if (parse_notification(m, n).ok()) {
          NotificationMessage back;
          XACCT_FUZZ_CHECK(parse_notification(encode_notification(n.code, n.subcode, n.data), back).ok());
          XACCT_FUZZ_CHECK(back == n || n.data.size() > kMaxMessageSize - 21);
        }
        break;
      }
      case MessageType::kKeepalive:
        (void)parse_keepalive(m);
        break;
      case MessageType::kRouteRefresh: {
        RouteRefreshMessage rr;
        (void)parse_route_refresh(m, rr);
        break;
      }
    }
    stream = stream.subspan(len);
  }
  return 0;
}
