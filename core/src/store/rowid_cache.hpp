// The rowids of recently written notifications, by id. Private to the store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace notify::store::sqlite {

/// A fixed number of slots, each holding the hash of one id and the rowid its row had when the
/// store last wrote or read it; an id shares its slot with every other id of the same hash
/// modulo kSlots, and the newest wins. An answer is a hint, never the truth: two ids may hash
/// alike, and a rowid can change (VACUUM) or vanish (a rolled-back batch) behind the cache's
/// back. A statement that uses it must also check the id (`WHERE rowid = ? AND id = ?`) and fall
/// back to the lookup by id when no row matches.
class RowidCache {
 public:
  /// 1024 slots of 24 bytes: enough for the notifications in flight in a simulation; a
  /// notification whose slot was taken is looked up by id, as without the cache.
  static constexpr std::size_t kSlots = 1024;

  RowidCache() : slots_(kSlots) {}

  std::optional<std::int64_t> find(std::string_view id) const {
    auto hash = hash_of(id);
    const Slot& slot = slots_[hash % kSlots];
    if (!slot.used || slot.hash != hash) return std::nullopt;
    return slot.rowid;
  }

  void remember(std::string_view id, std::int64_t rowid) {
    auto hash = hash_of(id);
    slots_[hash % kSlots] = Slot{hash, rowid, true};
  }

 private:
  struct Slot {
    std::size_t hash = 0;
    std::int64_t rowid = 0;
    bool used = false;
  };

  static std::size_t hash_of(std::string_view id) { return std::hash<std::string_view>{}(id); }

  std::vector<Slot> slots_;
};

}  // namespace notify::store::sqlite
