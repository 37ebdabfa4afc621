// TcpListener: IPFIX over TCP (RFC 7011 section 10.4) for `xacctd collect`
// (nfacctd_tcp_port, an xacct extension: pmacct has no IPFIX over TCP).
//
//   thread       one thread of its own for the listening socket and every
//                connection (poll(), 200 ms timeout to notice stop()). TCP
//                exporters are few and long-lived; a UDP listener thread is
//                not disturbed by them.
//   decoders     one decoder per connection, made by the factory (the same
//                NetFlow/IPFIX decoder as the UDP path, without a templates
//                file): RFC 7011 ties templates to the transport session, so
//                templates learnt on a connection are used only for it, never
//                expire while it lasts (the decoder has no template timeout),
//                and go with it when it closes. Decoders are not thread-safe;
//                each is touched by this thread only.
//   framing      collector/ipfix_stream.hpp splits the byte stream into
//                messages; each message is handed to the decoder as a
//                Datagram (exporter = the peer's address and port, arrival =
//                when its last byte was read), then per-exporter stats
//                (collector/exporter_stats.hpp, like a UDP datagram) and
//                time_new, as the UDP listener does. A message that is not
//                IPFIX (version != 10) or shorter than its header cannot be
//                resynchronised: that connection only is closed (counted in
//                framing_errors, logged with the exporter address).
//   bounds       at most `max_connections` at once; further connections are
//                accepted and closed at once (counted in rejected, logged at
//                most once a second). The allow list is checked at accept
//                (denied: closed at once, counted).
//   output       records go to `push` after each poll round, or every 4096.
//
// Stats ("collector.tcp_listener.<ip:port>." + name): accepted, closed,
// rejected, denied, framing_errors, receive_errors, messages, bytes,
// records, decode_errors, template_misses, sequence_gaps, options_records;
// connections (open now, a gauge).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "collector/allow_list.hpp"
#include "collector/listener.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::collector {

struct TcpListenerOptions {
  std::string protocol = "ipfix/tcp";  // for logs
  std::string ip;                      // "" = "::" dual stack
  std::uint16_t port = 0;              // 0 = ephemeral (tests)
  bool ipv6_only = false;
  std::uint32_t max_connections = 256;
  bool time_new = false;  // first_ns = last_ns = arrival time
};

class TcpListener {
 public:
  // Binds and listens (errors name the address); the thread starts in start().
  static userspace::Result<std::unique_ptr<TcpListener>> create(const TcpListenerOptions& options,
                                                                DecoderFactory decoders,
                                                                const AllowList* allow, ListenerOutput output,
                                                                userspace::Stats& stats);
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  void start();
  // Decodes what the connections already delivered, pushes, closes them.
  void stop();

  std::uint16_t port() const { return port_; }
  // "ipfix/tcp on [::]:4739, at most 256 connections"
  std::string describe() const;

 private:
  struct Conn;
  struct Counters;
  TcpListener(TcpListenerOptions options, DecoderFactory decoders, const AllowList* allow,
              ListenerOutput output, userspace::Stats& stats);
  userspace::Status bind_socket();
  void run();

  TcpListenerOptions options_;
  DecoderFactory decoders_;
  const AllowList* allow_;
  ListenerOutput output_;
  userspace::Stats& stats_;
  std::unique_ptr<Counters> counters_;
  int fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::uint16_t port_ = 0;
  std::string bound_;
};

}  // namespace xacct::collector
