// See ip_proto_names.hpp. The names match pmacct 1.7.7's output so that
// consumers keyed on "ip_proto" keep working; everything above 133 prints as
// a number there too.
#include "userspace/ip_proto_names.hpp"

#include <array>

namespace xacct::userspace {
namespace {

struct ProtoName {
  std::uint8_t number;
  std::string_view name;
};

constexpr ProtoName kNamed[] = {
    {1, "icmp"},         {2, "igmp"},        {3, "ggp"},         {4, "ipencap"},
    {6, "tcp"},          {8, "egp"},         {9, "igp"},         {17, "udp"},
    {18, "mux"},         {41, "ipv6"},       {43, "ipv6-route"}, {44, "ipv6-frag"},
    {46, "rsvp"},        {47, "gre"},        {50, "esp"},        {51, "ah"},
    {55, "mobile"},      {56, "tlsp"},       {58, "ipv6-icmp"},  {59, "ipv6-nonxt"},
    {60, "ipv6-opts"},   {80, "iso-ip"},     {83, "vines"},      {88, "eigrp"},
    {89, "ospf"},        {91, "larp"},       {93, "ax.25"},      {94, "ipip"},
    {98, "encap"},       {102, "pnni"},      {103, "pim"},       {108, "IPcomp"},
    {111, "ipx-in-ip"},  {112, "vrrp"},      {115, "l2tp"},      {124, "isis"},
    {132, "sctp"},       {133, "fc"},
};

constexpr std::array<std::string_view, 256> build_table() {
  std::array<std::string_view, 256> table{};
  for (const auto& p : kNamed) table[p.number] = p.name;
  return table;
}

constexpr std::array<std::string_view, 256> kTable = build_table();

}  // namespace

std::string_view ip_proto_name(std::uint8_t proto) { return kTable[proto]; }

}  // namespace xacct::userspace
