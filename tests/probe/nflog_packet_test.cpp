// NFLOG packet messages (probe/nflog_packet.hpp): attributes read with
// bounds checks, the L3 payload counted by its IP length, interfaces from
// the message, time from NFULA_TIMESTAMP or the receipt time.
#include "probe/nflog_packet.hpp"

#include <arpa/inet.h>
#include <endian.h>
#include <libnetfilter_log/linux_nfnetlink_log.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "tests/bpf/frame_builder.hpp"

namespace xacct::probe {
namespace {

using tests::Bytes;
using tests::FrameBuilder;
using tests::Ipv4Header;
using tests::Ipv6Header;
using userspace::Direction;
using userspace::FlowRecord;

// Builds one netlink message byte by byte (headers in host order, NFLOG
// values in network order), aligned as the kernel does.
class Message {
 public:
  explicit Message(std::uint8_t family, std::uint16_t type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    put(&h, sizeof h);
    nfgenmsg g{};
    g.nfgen_family = family;
    g.version = NFNETLINK_V0;
    g.res_id = htons(5);
    put(&g, sizeof g);
    pad();
  }
  Message& attr(std::uint16_t type, const void* data, std::size_t n) {
    nlattr a{};
    a.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + n);
    a.nla_type = type;
    put(&a, sizeof a);
    put(data, n);
    pad();
    return *this;
  }
  Message& be32(std::uint16_t type, std::uint32_t v) {
    v = htonl(v);
    return attr(type, &v, 4);
  }
  Message& packet_hdr(std::uint16_t hw_protocol, std::uint8_t hook) {
    nfulnl_msg_packet_hdr h{};
    h.hw_protocol = htons(hw_protocol);
    h.hook = hook;
    return attr(NFULA_PACKET_HDR, &h, sizeof h);
  }
  Message& payload(const Bytes& b) { return attr(NFULA_PAYLOAD, b.data(), b.size()); }
  const nlmsghdr* done() {
    const auto len = static_cast<std::uint32_t>(bytes_.size());
    std::memcpy(bytes_.data(), &len, sizeof len);  // nlmsg_len is the first field
    return reinterpret_cast<const nlmsghdr*>(bytes_.data());
  }
  std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  void put(const void* p, std::size_t n) {
    const auto* c = static_cast<const std::uint8_t*>(p);
    bytes_.insert(bytes_.end(), c, c + n);
  }
  void pad() { bytes_.resize(NLMSG_ALIGN(bytes_.size()), 0); }
  std::vector<std::uint8_t> bytes_;
};

// An IPv4 UDP packet from the IP header on, `payload` bytes of data.
Bytes ipv4_udp(std::size_t payload) {
  Ipv4Header ip;
  ip.proto = 17;
  return FrameBuilder().ipv4(ip).udp(40001, 5001).payload(payload).build().bytes;
}

TEST(NflogPacket, InputHookPacketBecomesOneRecord) {
  Bytes l3 = ipv4_udp(100);
  Message m(NFPROTO_IPV4);
  m.packet_hdr(0x0800, NF_INET_LOCAL_IN).be32(NFULA_IFINDEX_INDEV, 4).be32(NFULA_SEQ, 77).payload(l3);
  NflogPacket p;
  ASSERT_EQ(parse_nflog_message(m.done(), p), NflogMessage::kPacket);
  EXPECT_EQ(p.family, NFPROTO_IPV4);
  EXPECT_EQ(p.hook, NF_INET_LOCAL_IN);
  EXPECT_EQ(p.hw_protocol, 0x0800);
  EXPECT_EQ(p.indev, 4u);
  EXPECT_EQ(p.outdev, 0u);
  EXPECT_TRUE(p.has_seq);
  EXPECT_EQ(p.seq, 77u);
  EXPECT_FALSE(p.has_timestamp);
  ASSERT_EQ(p.payload_len, l3.size());

  xacct_pkt pkt{};
  FlowRecord r;
  ASSERT_EQ(nflog_to_record(p, Direction::kIn, 1'700'000'000'123'000'000, pkt, r), NflogDecode::kRecord);
  EXPECT_EQ(r.packets, 1u);
  EXPECT_EQ(r.bytes, 20u + 8 + 100);
  EXPECT_EQ(r.src_port, 40001);
  EXPECT_EQ(r.dst_port, 5001);
  EXPECT_EQ(r.proto, 17);
  EXPECT_EQ(r.in_iface, 4u);
  EXPECT_EQ(r.out_iface, 0u);
  EXPECT_EQ(r.direction, Direction::kIn);
  EXPECT_EQ(r.first_ns, 1'700'000'000'123'000'000);  // receipt time: no NFULA_TIMESTAMP
  EXPECT_EQ(r.feed, userspace::RecordFeed::kAll);
}

TEST(NflogPacket, BytesAreTheIpLengthWhateverTheCopyRange) {
  Bytes l3 = ipv4_udp(1400);
  l3.resize(128);  // copy range 128: the payload is cut, the IP header says 1428
  Message m(NFPROTO_IPV4);
  m.packet_hdr(0x0800, NF_INET_FORWARD).be32(NFULA_IFINDEX_INDEV, 2).be32(NFULA_IFINDEX_OUTDEV, 3).payload(l3);
  NflogPacket p;
  ASSERT_EQ(parse_nflog_message(m.done(), p), NflogMessage::kPacket);
  xacct_pkt pkt{};
  FlowRecord r;
  ASSERT_EQ(nflog_to_record(p, Direction::kUnknown, 0, pkt, r), NflogDecode::kRecord);
  EXPECT_EQ(r.bytes, 1428u);
  EXPECT_EQ(r.in_iface, 2u);
  EXPECT_EQ(r.out_iface, 3u);
  EXPECT_EQ(r.direction, Direction::kUnknown);
}

TEST(NflogPacket, TimestampPhysdevAndEthernetHeader) {
  Ipv6Header ip6;
  ip6.next = 17;
  Bytes l3 = FrameBuilder().ipv6(ip6).udp(1, 2).payload(10).build().bytes;
  nfulnl_msg_packet_timestamp ts{};
  ts.sec = htobe64(1'700'000'000);
  ts.usec = htobe64(250'000);
  const std::uint8_t hw[14] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x86, 0xdd};
  const std::uint16_t hwtype = htons(1);
  Message m(NFPROTO_BRIDGE);
  m.packet_hdr(0x86dd, NF_INET_FORWARD)
      .be32(NFULA_IFINDEX_INDEV, 10)
      .be32(NFULA_IFINDEX_PHYSINDEV, 11)
      .be32(NFULA_IFINDEX_OUTDEV, 10)
      .be32(NFULA_IFINDEX_PHYSOUTDEV, 12)
      .attr(NFULA_TIMESTAMP, &ts, sizeof ts)
      .attr(NFULA_HWTYPE, &hwtype, 2)
      .attr(NFULA_HWHEADER, hw, sizeof hw)
      .payload(l3);
  NflogPacket p;
  ASSERT_EQ(parse_nflog_message(m.done(), p), NflogMessage::kPacket);
  xacct_pkt pkt{};
  FlowRecord r;
  ASSERT_EQ(nflog_to_record(p, Direction::kOut, 42, pkt, r), NflogDecode::kRecord);
  EXPECT_TRUE(r.src_host.is_v6);
  EXPECT_EQ(r.bytes, 40u + 8 + 10);
  EXPECT_EQ(r.in_iface, 11u);   // the bridge port
  EXPECT_EQ(r.out_iface, 12u);
  EXPECT_EQ(r.first_ns, 1'700'000'000'250'000'000);
  EXPECT_EQ(r.src_mac[0], 0x00);
  EXPECT_EQ(r.src_mac[5], 0x55);
  EXPECT_EQ(r.dst_mac[0], 0x66);
  EXPECT_EQ(r.direction, Direction::kOut);
}

TEST(NflogPacket, NotIpAndOtherMessages) {
  Message arp(NFPROTO_ARP);
  arp.packet_hdr(0x0806, 0).payload(Bytes(28, 0));
  NflogPacket p;
  ASSERT_EQ(parse_nflog_message(arp.done(), p), NflogMessage::kPacket);
  xacct_pkt pkt{};
  FlowRecord r;
  EXPECT_EQ(nflog_to_record(p, Direction::kIn, 0, pkt, r), NflogDecode::kNotIp);

  Message no_payload(NFPROTO_IPV4);
  no_payload.packet_hdr(0x0800, 1);
  ASSERT_EQ(parse_nflog_message(no_payload.done(), p), NflogMessage::kPacket);
  EXPECT_EQ(nflog_to_record(p, Direction::kIn, 0, pkt, r), NflogDecode::kNotIp);

  Message config(NFPROTO_UNSPEC, (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG);
  EXPECT_EQ(parse_nflog_message(config.done(), p), NflogMessage::kOther);
}

TEST(NflogPacket, MalformedAttributesAreRejected) {
  // An attribute that runs past the message.
  Message m(NFPROTO_IPV4);
  m.payload(ipv4_udp(10));
  std::vector<std::uint8_t>& b = m.bytes();
  const std::size_t attr_at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
  const auto too_long = static_cast<std::uint16_t>(b.size() - attr_at + 4);
  std::memcpy(b.data() + attr_at, &too_long, 2);
  NflogPacket p;
  EXPECT_EQ(parse_nflog_message(m.done(), p), NflogMessage::kBad);

  // A 2-byte ifindex.
  Message m2(NFPROTO_IPV4);
  const std::uint16_t half = 1;
  m2.attr(NFULA_IFINDEX_INDEV, &half, 2);
  EXPECT_EQ(parse_nflog_message(m2.done(), p), NflogMessage::kBad);

  // An attribute length below the attribute header.
  Message m3(NFPROTO_IPV4);
  m3.be32(NFULA_SEQ, 1);
  const std::uint16_t tiny = 2;
  std::memcpy(m3.bytes().data() + attr_at, &tiny, 2);
  EXPECT_EQ(parse_nflog_message(m3.done(), p), NflogMessage::kBad);

  // A message too short for its nfgenmsg.
  Message m4(NFPROTO_IPV4);
  m4.bytes().resize(NLMSG_HDRLEN + 2);
  EXPECT_EQ(parse_nflog_message(m4.done(), p), NflogMessage::kBad);
}

TEST(NflogPacket, CorruptedMessagesNeverReadOutOfBounds) {
  // Every byte of a valid message, flipped in turn and at random, and every
  // truncation (nlmsg_len cut to match): parsing never reads past the
  // message (the ASan build proves it) and never crashes.
  Message base(NFPROTO_IPV4);
  base.packet_hdr(0x0800, NF_INET_LOCAL_IN).be32(NFULA_IFINDEX_INDEV, 4).be32(NFULA_SEQ, 1).payload(ipv4_udp(40));
  base.done();
  const std::vector<std::uint8_t> good = base.bytes();
  std::uint32_t rng = 12345;
  auto next = [&rng] {
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
  };
  std::size_t packets = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<std::uint8_t> b = good;
    const std::size_t cut = round < 200 ? NLMSG_HDRLEN + (static_cast<std::size_t>(round) % (good.size() - NLMSG_HDRLEN))
                                        : good.size();
    b.resize(cut);
    const auto len = static_cast<std::uint32_t>(cut);
    std::memcpy(b.data(), &len, sizeof len);
    if (round >= 200) {
      for (int k = 0; k < 3; ++k) {
        const std::size_t at = sizeof(std::uint32_t) + next() % (b.size() - sizeof(std::uint32_t));
        b[at] = static_cast<std::uint8_t>(next());
      }
    }
    // A heap copy of exactly the message, so ASan sees any read past it.
    std::unique_ptr<std::uint8_t[]> heap(new std::uint8_t[b.size()]);
    std::memcpy(heap.get(), b.data(), b.size());
    NflogPacket p;
    if (parse_nflog_message(reinterpret_cast<const nlmsghdr*>(heap.get()), p) != NflogMessage::kPacket) continue;
    xacct_pkt pkt{};
    FlowRecord r;
    if (nflog_to_record(p, Direction::kIn, 0, pkt, r) == NflogDecode::kRecord) ++packets;
  }
  EXPECT_GT(packets, 0u);  // some mutations leave a countable packet
}

}  // namespace
}  // namespace xacct::probe
