// The rowids of recently written notifications, by id. Private to the store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace notify::store::sqlite {

/// A fixed number of slots, each holding one id and the rowid its row had when the store last
/// wrote or read it; an id shares its slot with every other id of the same hash, and the newest
/// wins. An answer is a hint, never the truth: a statement that uses it must also check the id
/// (`WHERE rowid = ? AND id = ?`) and fall back to the lookup by id when no row matches, since a
/// rowid can change (VACUUM) or vanish (a rolled-back batch) behind the cache's back.
class RowidCache {
 public:
  /// 1024 slots of about 80 bytes: enough for the notifications in flight in a simulation; a
  /// notification whose slot was taken is looked up by id, as without the cache.
  static constexpr std::size_t kSlots = 1024;

  RowidCache() : slots_(kSlots) {}

  std::optional<std::int64_t> find(std::string_view id) const {
    const Slot& slot = slots_[slot_of(id)];
    if (!slot.used || slot.id != id) return std::nullopt;
    return slot.rowid;
  }

  void remember(std::string_view id, std::int64_t rowid) {
    Slot& slot = slots_[slot_of(id)];
    slot.id.assign(id);
    slot.rowid = rowid;
    slot.used = true;
  }

 private:
  struct Slot {
    std::string id;
    std::int64_t rowid = 0;
    bool used = false;
  };

  static std::size_t slot_of(std::string_view id) {
    return std::hash<std::string_view>{}(id) % kSlots;
  }

  std::vector<Slot> slots_;
};

}  // namespace notify::store::sqlite
