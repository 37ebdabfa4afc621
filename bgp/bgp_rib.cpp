// See bgp_rib.hpp. Writers: one mutex over the peers and the intern table
// (updates are short; the slow part, compiling, runs outside it on copied
// rows). Readers never touch the mutex: they read published RibSnapshots.
#include "bgp/bgp_rib.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "userspace/logging.hpp"
#include "userspace/maps/ip_prefix.hpp"
#include "userspace/primitive_encodings.hpp"

namespace xacct::bgp {

using userspace::IpAddress;

namespace {

using Clock = std::chrono::steady_clock;

std::uint32_t load_be32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}
std::uint64_t load_be64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}
maps::U128 key6(const IpAddress& a) { return {load_be64(a.bytes.data()), load_be64(a.bytes.data() + 8)}; }
std::uint32_t key4(const IpAddress& a) { return load_be32(a.bytes.data() + 12); }

IpAddress ipv4_from_host(std::uint32_t v) {
  IpAddress a;
  a.bytes[10] = 0xff;
  a.bytes[11] = 0xff;
  const std::uint32_t be = __builtin_bswap32(v);
  std::memcpy(a.bytes.data() + 12, &be, 4);
  return a;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}

std::uint64_t hash_ip(std::uint64_t h, const IpAddress& a) {
  h = mix(h, load_be64(a.bytes.data()));
  h = mix(h, load_be64(a.bytes.data() + 8));
  return mix(h, a.is_v6 ? 1 : 0);
}

std::uint64_t hash_attrs(const PathAttributes& a) {
  std::uint64_t h = mix(0, static_cast<std::uint64_t>(a.origin));
  for (const AsPathSegment& s : a.as_path) {
    h = mix(h, static_cast<std::uint64_t>(s.type) << 32 | s.asns.size());
    for (std::uint32_t asn : s.asns) h = mix(h, asn);
  }
  h = hash_ip(h, a.next_hop);
  h = mix(h, std::uint64_t{a.has_next_hop} | std::uint64_t{a.has_med} << 1 |
                 std::uint64_t{a.has_local_pref} << 2 | std::uint64_t{a.atomic_aggregate} << 3);
  h = mix(h, std::uint64_t{a.med} << 32 | a.local_pref);
  h = mix(h, a.aggregator_as);
  h = hash_ip(h, a.aggregator_addr);
  for (std::uint32_t c : a.communities) h = mix(h, c);
  h = mix(h, 0xc0);
  for (std::uint64_t c : a.ext_communities) h = mix(h, c);
  h = mix(h, 0xe0);
  for (const LargeCommunity& c : a.large_communities) h = mix(mix(mix(h, c[0]), c[1]), c[2]);
  return h;
}

// Prefix identity within one family of one peer.
struct Key6 {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  std::uint8_t len = 0;
  bool operator==(const Key6&) const = default;
};
struct Key6Hash {
  std::size_t operator()(const Key6& k) const { return mix(mix(k.hi, k.lo), k.len); }
};
struct Key4Hash {
  std::size_t operator()(std::uint64_t k) const { return mix(0, k); }
};

struct Path {
  std::uint32_t path_id = 0;
  std::uint32_t attr = 0;  // intern slot
  std::uint32_t seq = 0;   // arrival order (merging BMP peers)
};

// The paths of one prefix, oldest first; nearly always one, kept inline.
struct PathList {
  Path first;
  std::unique_ptr<std::vector<Path>> rest;

  std::size_t size() const { return 1 + (rest ? rest->size() : 0); }
  Path& at(std::size_t i) { return i == 0 ? first : (*rest)[i - 1]; }
  const Path& at(std::size_t i) const { return i == 0 ? first : (*rest)[i - 1]; }
  void push(const Path& p) {
    if (!rest) rest = std::make_unique<std::vector<Path>>();
    rest->push_back(p);
  }
  // Removes entry i; false when it was the only one (the caller erases the list).
  bool erase(std::size_t i) {
    if (size() == 1) return false;
    if (i == 0) {
      first = rest->front();
      rest->erase(rest->begin());
    } else {
      rest->erase(rest->begin() + static_cast<std::ptrdiff_t>(i - 1));
    }
    if (rest->empty()) rest.reset();
    return true;
  }
};

struct ViewState;

struct PeerTable {
  PeerKey key;
  std::uint64_t order = 0;
  std::unordered_map<std::uint64_t, PathList, Key4Hash> v4;  // addr << 8 | len
  std::unordered_map<Key6, PathList, Key6Hash> v6;
  std::size_t paths = 0;
  userspace::Counter* prefixes_counter = nullptr;
  userspace::Counter* eor_counter = nullptr;
  ViewState* view = nullptr;
};

struct ViewState {
  std::uint64_t id = 0;  // unique: a compile result finds its view by it, not by address
  bool bmp = false;
  IpAddress router;                 // BMP
  std::vector<PeerTable*> members;  // BGP: exactly one
  bool dirty = true;
  bool urgent = false;
  Clock::time_point last_compile{};
  Clock::duration last_compile_cost{};
  std::shared_ptr<const RibView> compiled;
};

// One path of a view, flattened for compiling.
struct Row {
  maps::U128 addr;  // v4: lo holds the address
  std::uint32_t seq = 0;
  std::uint32_t attr = 0;  // view-local attribute index
  std::uint8_t len = 0;
  bool v6 = false;
};

// Counter names come from network addresses: bounded (Stats::bounded_label)
// so that peers from ever-new addresses cannot grow the registry; the rest
// share "bgp.peer.other" / "bgp.bmp.other".
constexpr std::size_t kMaxPeerCounterSets = 4096;

std::string peer_counter_prefix(const PeerKey& k, userspace::Stats& stats) {
  if (k.source == PeerKey::Source::kBgp) {
    return "bgp.peer." +
           stats.bounded_label("bgp.peer", userspace::ip_text(k.peer_addr), kMaxPeerCounterSets);
  }
  const char* kind = k.loc_rib ? "loc" : k.post_policy ? "post" : "pre";
  const std::string label =
      userspace::ip_text(k.router) + ".peer." + userspace::ip_text(k.peer_addr) + "." + kind;
  return "bgp.bmp." + stats.bounded_label("bgp.bmp.peer", label, kMaxPeerCounterSets);
}

}  // namespace

// --- pmacct's AS_PATH reading -------------------------------------------------

std::uint32_t pmacct_origin_as(const std::vector<AsPathSegment>& path) {
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    if (!it->asns.empty()) return it->asns.back();
  }
  return 0;
}

std::uint32_t pmacct_first_as(const std::vector<AsPathSegment>& path) {
  for (const AsPathSegment& s : path) {
    if (s.asns.empty()) continue;
    if (s.type == AsPathSegment::Type::kSequence || s.type == AsPathSegment::Type::kConfedSequence) {
      return s.asns.front();
    }
    return 0;  // "{..." / "[...": pmacct's strtoul reads no number
  }
  return 0;
}

// --- RibView ---------------------------------------------------------------------

RouteMatch RibView::match_entry(std::uint32_t e, const IpAddress* next_hop) const {
  while (e != 0) {
    const Entry& en = entries_[e - 1];
    for (std::uint32_t i = 0; i < en.path_count; ++i) {
      const std::uint32_t idx = paths_[en.first_path + i];
      const RouteInfo& info = infos_[idx];
      if (info.has_next_hop && info.next_hop == *next_hop) return {&info, this, idx, en.length};
    }
    e = en.parent;
  }
  return {};
}

RouteMatch RibView::from_packed(Packed v, const IpAddress* next_hop) const {
  if (v == 0) return {};
  if (next_hop != nullptr) return match_entry(static_cast<std::uint32_t>(v >> 8) & 0xffffff, next_hop);
  const std::uint32_t idx = static_cast<std::uint32_t>(v >> 32) - 1;
  return {&infos_[idx], this, idx, static_cast<std::uint8_t>(v & 0xff)};
}

RouteMatch RibView::lookup(const IpAddress& addr, const IpAddress* next_hop) const {
  if (addr.is_v6) return from_packed(v6_.find(key6(addr)), add_path_[1] ? next_hop : nullptr);
  return from_packed(v4_.find(key4(addr)), add_path_[0] ? next_hop : nullptr);
}

std::size_t RibView::memory_bytes() const {
  // PrefixTable: starts + values per interval, 64 Ki + 1 buckets per family.
  const std::size_t tables = v4_.intervals() * (4 + 8) + v6_.intervals() * (16 + 8) + 2 * (65537 * 4);
  return tables + entries_.capacity() * sizeof(Entry) + paths_.capacity() * 4 +
         infos_.capacity() * sizeof(RouteInfo) + attrs_.capacity() * sizeof(attrs_[0]);
}

// Builds a RibView from flattened rows (sorted here).
class RibCompiler {
 public:
  static std::shared_ptr<const RibView> build(std::vector<Row>& rows,
                                              std::vector<std::shared_ptr<const RouteAttrs>> attrs,
                                              std::array<bool, 2> add_path) {
    auto view = std::make_shared<RibView>();
    view->infos_.resize(attrs.size());
    for (std::size_t i = 0; i < attrs.size(); ++i) {
      RouteInfo& info = view->infos_[i];
      info.next_hop = attrs[i]->attrs.next_hop;
      info.has_next_hop = attrs[i]->attrs.has_next_hop;
      info.origin_as = attrs[i]->origin_as;
      info.first_as = attrs[i]->first_as;
    }
    view->attrs_ = std::move(attrs);
    view->add_path_ = add_path;
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      if (a.v6 != b.v6) return !a.v6;
      if (a.addr != b.addr) return a.addr < b.addr;
      if (a.len != b.len) return a.len < b.len;
      return a.seq < b.seq;
    });
    std::vector<maps::PrefixTable<std::uint32_t, RibView::Packed>::Prefix> p4;
    std::vector<maps::PrefixTable<maps::U128, RibView::Packed>::Prefix> p6;
    view->paths_.reserve(rows.size());
    struct Open {
      maps::U128 last;
      std::uint32_t entry;  // + 1
    };
    std::vector<Open> open;
    bool family_v6 = false;
    for (std::size_t i = 0; i < rows.size();) {
      const Row& r = rows[i];
      if (r.v6 != family_v6) {
        open.clear();
        family_v6 = r.v6;
      }
      RibView::Entry e;
      e.first_path = static_cast<std::uint32_t>(view->paths_.size());
      e.length = r.len;
      std::size_t j = i;
      while (j < rows.size() && rows[j].v6 == r.v6 && rows[j].addr == r.addr && rows[j].len == r.len) {
        view->paths_.push_back(rows[j].attr);
        ++j;
      }
      e.path_count = static_cast<std::uint16_t>(std::min<std::size_t>(j - i, 0xffff));
      // The prefix's last address, and its covering prefix: the innermost
      // open one that still contains it.
      maps::U128 last = r.addr;
      if (r.v6) {
        if (r.len < 128) {
          if (r.len <= 64) {
            last.hi |= r.len == 64 ? 0 : (~0ull >> r.len);
            last.lo = ~0ull;
          } else {
            last.lo |= ~0ull >> (r.len - 64);
          }
        }
      } else {
        last.lo |= r.len >= 32 ? 0 : (0xffffffffull >> r.len);
      }
      while (!open.empty() && open.back().last < r.addr) open.pop_back();
      e.parent = open.empty() ? 0 : open.back().entry;
      view->entries_.push_back(e);
      const std::uint32_t id = static_cast<std::uint32_t>(view->entries_.size());
      open.push_back({last, id});
      const RibView::Packed packed = (static_cast<std::uint64_t>(view->paths_[e.first_path]) + 1) << 32 |
                                     static_cast<std::uint64_t>(id & 0xffffff) << 8 | r.len;
      if (r.v6) {
        p6.push_back({r.addr, last, r.len, 0, packed});
      } else {
        p4.push_back(
            {static_cast<std::uint32_t>(r.addr.lo), static_cast<std::uint32_t>(last.lo), r.len, 0, packed});
      }
      i = j;
    }
    view->v4_.build(std::move(p4));
    view->v6_.build(std::move(p6));
    return view;
  }
};

// --- RibSnapshot -----------------------------------------------------------------

const RibView* RibSnapshot::find_bgp(const IpAddress& addr, std::optional<std::uint16_t> port) const {
  for (const BgpPeer& p : bgp) {
    if (p.addr == addr && (!port || *port == p.port)) return p.view.get();
    if (!port && p.bgp_id == addr) return p.view.get();
  }
  return nullptr;
}

const RibView* RibSnapshot::find_bmp(const IpAddress& router) const {
  for (const BmpRouter& r : bmp) {
    if (r.router == router || std::find(r.bgp_ids.begin(), r.bgp_ids.end(), router) != r.bgp_ids.end()) {
      return r.view.get();
    }
  }
  return nullptr;
}

// --- Rib -------------------------------------------------------------------------

struct Rib::Impl {
  Impl(RibOptions o, userspace::Stats* s)
      : options(o),
        own_stats(s == nullptr ? std::make_unique<userspace::Stats>() : nullptr),
        stats(s != nullptr ? *s : *own_stats),
        publishes(stats.counter("bgp.rib.publishes")),
        compile_us(stats.counter("bgp.rib.compile_us")),
        peers_counter(stats.counter("bgp.rib.peers")),
        prefixes_counter(stats.counter("bgp.rib.prefixes")),
        paths_counter(stats.counter("bgp.rib.paths")),
        attr_sets(stats.counter("bgp.rib.attr_sets")),
        updates(stats.counter("bgp.rib.updates")),
        withdraws_unknown(stats.counter("bgp.rib.withdraws_unknown")),
        bad_prefixes(stats.counter("bgp.rib.bad_prefixes")) {}

  struct AttrSlot {
    std::shared_ptr<const RouteAttrs> rec;
    std::uint64_t hash = 0;
    std::uint32_t refs = 0;
  };

  RibOptions options;
  std::unique_ptr<userspace::Stats> own_stats;
  userspace::Stats& stats;
  userspace::Counter& publishes;
  userspace::Counter& compile_us;
  userspace::Counter& peers_counter;
  userspace::Counter& prefixes_counter;
  userspace::Counter& paths_counter;
  userspace::Counter& attr_sets;
  userspace::Counter& updates;
  userspace::Counter& withdraws_unknown;
  userspace::Counter& bad_prefixes;

  mutable std::mutex mu;  // everything below
  std::condition_variable cv;
  bool stopping = false;
  bool urgent = false;
  std::uint64_t next_order = 1;
  std::uint32_t next_seq = 1;
  std::size_t prefixes = 0;
  std::size_t paths = 0;
  std::vector<std::unique_ptr<PeerTable>> peers;  // oldest first
  std::vector<std::unique_ptr<ViewState>> views;
  std::vector<AttrSlot> slots;
  std::vector<std::uint32_t> free_slots;
  std::unordered_multimap<std::uint64_t, std::uint32_t> by_hash;

  std::mutex publish_mu;  // one compiler at a time
  std::uint64_t generation = 0;
  std::thread publisher;

  // --- intern table (mu held) ---
  std::uint32_t intern(const PathAttributes& a) {
    const std::uint64_t h = hash_attrs(a);
    auto [lo, hi] = by_hash.equal_range(h);
    for (auto it = lo; it != hi; ++it) {
      if (slots[it->second].rec->attrs == a) return it->second;
    }
    auto rec = std::make_shared<RouteAttrs>();
    rec->attrs = a;
    rec->origin_as = pmacct_origin_as(a.as_path);
    rec->first_as = pmacct_first_as(a.as_path);
    std::uint32_t idx;
    if (!free_slots.empty()) {
      idx = free_slots.back();
      free_slots.pop_back();
    } else {
      idx = static_cast<std::uint32_t>(slots.size());
      slots.emplace_back();
    }
    slots[idx] = AttrSlot{std::move(rec), h, 0};
    by_hash.emplace(h, idx);
    attr_sets.add();
    return idx;
  }
  void release_if_unused(std::uint32_t idx) {
    AttrSlot& s = slots[idx];
    if (s.refs != 0 || !s.rec) return;
    auto [lo, hi] = by_hash.equal_range(s.hash);
    for (auto it = lo; it != hi; ++it) {
      if (it->second == idx) {
        by_hash.erase(it);
        break;
      }
    }
    s.rec.reset();
    free_slots.push_back(idx);
    attr_sets.set(attr_sets.value() - 1);
  }
  void release(std::uint32_t idx) {
    --slots[idx].refs;
    release_if_unused(idx);
  }

  // --- peers (mu held) ---
  PeerTable& peer_for(const PeerKey& key) {
    for (auto& p : peers) {
      if (p->key == key) {
        // Session facts that may be learnt after the first update.
        p->key.add_path = key.add_path;
        p->key.bgp_id = key.bgp_id;
        p->key.peer_as = key.peer_as;
        if (key.source == PeerKey::Source::kBmp) p->key.peer_port = key.peer_port;
        if (key.router_bgp_id != 0) p->key.router_bgp_id = key.router_bgp_id;
        return *p;
      }
    }
    auto p = std::make_unique<PeerTable>();
    p->key = key;
    p->order = next_order++;
    const std::string prefix = peer_counter_prefix(key, stats);
    p->prefixes_counter = &stats.counter(prefix + ".rib_prefixes");
    p->eor_counter = &stats.counter(prefix + ".end_of_rib");
    ViewState* view = nullptr;
    if (key.source == PeerKey::Source::kBmp) {
      for (auto& v : views) {
        if (v->bmp && v->router == key.router) view = v.get();
      }
    }
    if (view == nullptr) {
      views.push_back(std::make_unique<ViewState>());
      view = views.back().get();
      view->id = next_order++;
      view->bmp = key.source == PeerKey::Source::kBmp;
      view->router = key.router;
    }
    view->members.push_back(p.get());
    p->view = view;
    peers.push_back(std::move(p));
    peers_counter.set(peers.size());
    return *peers.back();
  }

  void drop_routes(PeerTable& p) {
    for (auto& [k, list] : p.v4) {
      for (std::size_t i = 0; i < list.size(); ++i) release(list.at(i).attr);
    }
    for (auto& [k, list] : p.v6) {
      for (std::size_t i = 0; i < list.size(); ++i) release(list.at(i).attr);
    }
    prefixes -= p.v4.size() + p.v6.size();
    paths -= p.paths;
    p.v4.clear();
    p.v6.clear();
    p.paths = 0;
  }

  template <typename Map, typename K>
  void withdraw(PeerTable& p, Map& map, const K& k, std::uint32_t path_id) {
    auto it = map.find(k);
    if (it == map.end()) {
      withdraws_unknown.add();
      return;
    }
    PathList& list = it->second;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list.at(i).path_id != path_id) continue;
      const std::uint32_t attr = list.at(i).attr;
      if (!list.erase(i)) {
        map.erase(it);
        --prefixes;
      }
      --paths;
      --p.paths;
      release(attr);
      return;
    }
    withdraws_unknown.add();
  }

  template <typename Map, typename K>
  void announce(PeerTable& p, Map& map, const K& k, std::uint32_t path_id, std::uint32_t attr) {
    auto [it, inserted] = map.try_emplace(k);
    PathList& list = it->second;
    if (inserted) {
      list.first = {path_id, attr, next_seq++};
      ++slots[attr].refs;
      ++prefixes;
      ++paths;
      ++p.paths;
      return;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      Path& path = list.at(i);
      if (path.path_id != path_id) continue;
      if (path.attr == attr) return;  // same information again
      ++slots[attr].refs;
      const std::uint32_t old = path.attr;
      path.attr = attr;  // keeps its place (and age), as pmacct updates in place
      release(old);
      return;
    }
    list.push({path_id, attr, next_seq++});
    ++slots[attr].refs;
    ++paths;
    ++p.paths;
  }

  // Normalised prefix or false (bad length).
  bool normalise(Prefix& pr) {
    const unsigned width = pr.addr.is_v6 ? 128 : 32;
    if (pr.len > width) {
      bad_prefixes.add();
      return false;
    }
    maps::mask_address(pr.addr, pr.len);
    return true;
  }

  void mark(PeerTable& p, bool now) {
    p.view->dirty = true;
    if (now) {
      p.view->urgent = true;
      urgent = true;
    }
  }

  void update_counters(PeerTable& p) {
    p.prefixes_counter->set(p.v4.size() + p.v6.size());
    prefixes_counter.set(prefixes);
    paths_counter.set(paths);
  }

  // --- compiling ---
  struct Job {
    std::uint64_t view_id = 0;
    std::vector<Row> rows;
    std::vector<std::shared_ptr<const RouteAttrs>> attrs;
    std::array<bool, 2> add_path{};
  };

  // mu held: copies the rows of one view.
  Job extract(ViewState& v) {
    Job job;
    job.view_id = v.id;
    std::vector<std::uint32_t> remap(slots.size(), UINT32_MAX);
    auto local = [&](std::uint32_t slot) {
      std::uint32_t& m = remap[slot];
      if (m == UINT32_MAX) {
        m = static_cast<std::uint32_t>(job.attrs.size());
        job.attrs.push_back(slots[slot].rec);
      }
      return m;
    };
    std::size_t n = 0;
    for (PeerTable* p : v.members) n += p->paths;
    job.rows.reserve(n);
    for (PeerTable* p : v.members) {
      for (int f = 0; f < 2; ++f) {
        job.add_path[f] = job.add_path[f] || p->key.add_path[f];
      }
      for (const auto& [k, list] : p->v4) {
        for (std::size_t i = 0; i < list.size(); ++i) {
          const Path& path = list.at(i);
          if (path.path_id != 0) job.add_path[0] = true;
          job.rows.push_back(
              {{0, k >> 8}, path.seq, local(path.attr), static_cast<std::uint8_t>(k & 0xff), false});
        }
      }
      for (const auto& [k, list] : p->v6) {
        for (std::size_t i = 0; i < list.size(); ++i) {
          const Path& path = list.at(i);
          if (path.path_id != 0) job.add_path[1] = true;
          job.rows.push_back({{k.hi, k.lo}, path.seq, local(path.attr), k.len, true});
        }
      }
    }
    return job;
  }

  // Compiles the views that are due (all dirty ones with `force`) and
  // publishes a snapshot when anything changed.
  void publish(Rib& rib, bool force) {
    std::lock_guard pl(publish_mu);
    std::vector<Job> jobs;
    const Clock::time_point now = Clock::now();
    bool structure_changed = false;
    {
      std::lock_guard lock(mu);
      structure_changed = urgent;
      urgent = false;
      for (auto& v : views) {
        if (!v->dirty) continue;
        // A busy view (a table arriving) is compiled at most every
        // publish_interval, or every 2 x its own compile time if longer.
        const Clock::duration every =
            std::max<Clock::duration>(options.publish_interval, 2 * v->last_compile_cost);
        if (!force && !v->urgent && now - v->last_compile < every) continue;
        v->dirty = false;
        v->urgent = false;
        v->last_compile = now;
        jobs.push_back(extract(*v));
      }
    }
    if (jobs.empty() && !structure_changed && !force) return;
    for (Job& job : jobs) {
      const Clock::time_point t0 = Clock::now();
      auto view = RibCompiler::build(job.rows, std::move(job.attrs), job.add_path);
      const Clock::duration cost = Clock::now() - t0;
      compile_us.set(
          static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(cost).count()));
      std::lock_guard lock(mu);
      // The view may have gone (peer down) while compiling.
      for (auto& v : views) {
        if (v->id == job.view_id) {
          v->compiled = std::move(view);
          v->last_compile_cost = cost;
          break;
        }
      }
    }
    std::size_t rows = 0;
    for (const Job& job : jobs) rows += job.rows.size();
    jobs.clear();
    auto snap = std::make_shared<RibSnapshot>();
    {
      std::lock_guard lock(mu);
      snap->generation = ++generation;
      for (auto& p : peers) {
        if (p->key.source != PeerKey::Source::kBgp || !p->view->compiled) continue;
        snap->bgp.push_back(
            {p->key.peer_addr, p->key.peer_port, ipv4_from_host(p->key.bgp_id), p->view->compiled});
      }
      for (auto& v : views) {
        if (!v->bmp || !v->compiled) continue;
        RibSnapshot::BmpRouter r{v->router, {}, v->compiled};
        for (const PeerTable* m : v->members) {
          if (m->key.router_bgp_id == 0) continue;
          const IpAddress id = ipv4_from_host(m->key.router_bgp_id);
          if (std::find(r.bgp_ids.begin(), r.bgp_ids.end(), id) == r.bgp_ids.end()) r.bgp_ids.push_back(id);
        }
        snap->bmp.push_back(std::move(r));
      }
    }
    rib.current_.store(std::move(snap), std::memory_order_release);
    publishes.add();
    // A big view's rows, and the view the new snapshot replaced (once the
    // last batch using it is done), are freed: hand the pages back to the
    // system, glibc keeps them otherwise (a full table is hundreds of MB).
    if (rows >= 100000) malloc_trim(0);
  }
};

Rib::Rib(RibOptions options, userspace::Stats* stats) : impl_(std::make_unique<Impl>(options, stats)) {
  current_.store(std::make_shared<RibSnapshot>(), std::memory_order_release);
}

Rib::~Rib() { stop(); }

void Rib::on_update(const PeerKey& peer, const UpdateMessage& update) {
  Impl& m = *impl_;
  std::unique_lock lock(m.mu);
  m.updates.add();
  PeerTable& p = m.peer_for(peer);
  for (Prefix pr : update.withdrawn) {
    if (!m.normalise(pr)) continue;
    if (pr.addr.is_v6) {
      m.withdraw(p, p.v6, Key6{load_be64(pr.addr.bytes.data()), load_be64(pr.addr.bytes.data() + 8), pr.len},
                 pr.path_id);
    } else {
      m.withdraw(p, p.v4, std::uint64_t{key4(pr.addr)} << 8 | pr.len, pr.path_id);
    }
  }
  if (!update.announced.empty()) {
    const std::uint32_t attr = m.intern(update.attrs);
    for (Prefix pr : update.announced) {
      if (!m.normalise(pr)) continue;
      if (pr.addr.is_v6) {
        m.announce(p, p.v6,
                   Key6{load_be64(pr.addr.bytes.data()), load_be64(pr.addr.bytes.data() + 8), pr.len},
                   pr.path_id, attr);
      } else {
        m.announce(p, p.v4, std::uint64_t{key4(pr.addr)} << 8 | pr.len, pr.path_id, attr);
      }
    }
    m.release_if_unused(attr);
  }
  if (update.end_of_rib) p.eor_counter->add();
  m.update_counters(p);
  m.mark(p, update.end_of_rib);
  const bool wake = update.end_of_rib;
  lock.unlock();
  if (wake) m.cv.notify_one();
}

void Rib::on_peer_down(const PeerKey& peer) {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.mu);
    auto it = std::find_if(m.peers.begin(), m.peers.end(), [&](const auto& p) { return p->key == peer; });
    if (it == m.peers.end()) return;
    PeerTable& p = **it;
    m.drop_routes(p);
    p.prefixes_counter->set(0);
    ViewState* view = p.view;
    std::erase(view->members, &p);
    if (view->members.empty()) {
      std::erase_if(m.views, [view](const auto& v) { return v.get() == view; });
    } else {
      view->dirty = true;
      view->urgent = true;
    }
    m.peers.erase(it);
    m.peers_counter.set(m.peers.size());
    m.prefixes_counter.set(m.prefixes);
    m.paths_counter.set(m.paths);
    m.urgent = true;
  }
  m.cv.notify_one();
}

void Rib::start() {
  Impl& m = *impl_;
  if (m.publisher.joinable()) return;
  {
    std::lock_guard lock(m.mu);
    m.stopping = false;
  }
  m.publisher = std::thread([this] {
    Impl& im = *impl_;
    // Wakes at End-of-RIB / peer down, else every tick to see whether a
    // busy view is due.
    const auto tick =
        std::min<std::chrono::milliseconds>(impl_->options.publish_interval, std::chrono::milliseconds(50));
    while (true) {
      {
        std::unique_lock lock(im.mu);
        im.cv.wait_for(lock, tick, [&im] { return im.stopping || im.urgent; });
        if (im.stopping) return;
      }
      im.publish(*this, false);
    }
  });
}

void Rib::stop() {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.mu);
    m.stopping = true;
  }
  m.cv.notify_all();
  if (m.publisher.joinable()) m.publisher.join();
}

void Rib::publish_now() { impl_->publish(*this, true); }

std::size_t Rib::peer_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->peers.size();
}

std::size_t Rib::prefix_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->prefixes;
}

std::size_t Rib::attr_set_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->slots.size() - impl_->free_slots.size();
}

}  // namespace xacct::bgp
