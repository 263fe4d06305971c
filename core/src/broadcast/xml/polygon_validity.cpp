// Whether a polygon's ring is simple, as shapely's Polygon.is_valid (GEOS) judges a shell: no two
// edges may cross or touch except neighbours at their shared corner, and neighbours may not fold
// back over each other. Repeated consecutive points are ignored, as GEOS ignores them. Points
// are treated as a plane (lat, lon), as Emergency Alerts' functional tests hand them to shapely.
#include "validator_internal.hpp"

#include <algorithm>

namespace notify::broadcast::detail {
namespace {

struct Xy {
  double x = 0, y = 0;
};

bool same(const Xy& a, const Xy& b) { return a.x == b.x && a.y == b.y; }

// The sign of the turn a -> b -> c: positive left, negative right, zero collinear.
int orientation(const Xy& a, const Xy& b, const Xy& c) {
  double v = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
  return v > 0 ? 1 : (v < 0 ? -1 : 0);
}

// For c collinear with a-b: whether c lies within the segment's bounding box.
bool within(const Xy& a, const Xy& b, const Xy& c) {
  return std::min(a.x, b.x) <= c.x && c.x <= std::max(a.x, b.x) && std::min(a.y, b.y) <= c.y &&
         c.y <= std::max(a.y, b.y);
}

bool segments_meet(const Xy& p1, const Xy& p2, const Xy& q1, const Xy& q2) {
  int o1 = orientation(p1, p2, q1), o2 = orientation(p1, p2, q2);
  int o3 = orientation(q1, q2, p1), o4 = orientation(q1, q2, p2);
  if (o1 != o2 && o3 != o4 && o1 != 0 && o2 != 0 && o3 != 0 && o4 != 0) return true;
  return (o1 == 0 && within(p1, p2, q1)) || (o2 == 0 && within(p1, p2, q2)) ||
         (o3 == 0 && within(q1, q2, p1)) || (o4 == 0 && within(q1, q2, p2));
}

}  // namespace

std::optional<RingFault> ring_fault(const std::vector<std::pair<double, double>>& points) {
  std::vector<Xy> ring;
  ring.reserve(points.size());
  for (const auto& [lat, lon] : points) {
    Xy p{lat, lon};
    if (ring.empty() || !same(ring.back(), p)) ring.push_back(p);
  }
  // An open ring is reported by its own rule; this judges the closed one.
  if (ring.size() < 2 || !same(ring.front(), ring.back())) return std::nullopt;
  if (ring.size() < 4) return RingFault{RingFault::Kind::collapsed, 0, 0};
  const std::size_t edges = ring.size() - 1;
  for (std::size_t i = 0; i < edges; ++i) {
    for (std::size_t j = i + 1; j < edges; ++j) {
      const Xy &a = ring[i], &b = ring[i + 1], &c = ring[j], &d = ring[j + 1];
      const bool next = j == i + 1;
      const bool wrap = i == 0 && j == edges - 1;
      if (next || wrap) {
        // Neighbours share one corner; they fold back when the far end of one lies on the other.
        const Xy& shared = next ? b : a;
        const Xy& far_i = next ? a : b;
        const Xy& far_j = next ? d : c;
        if (orientation(shared, far_i, far_j) == 0 &&
            (within(shared, far_i, far_j) || within(shared, far_j, far_i)))
          return RingFault{RingFault::Kind::crossing, i, j};
        continue;
      }
      if (segments_meet(a, b, c, d)) return RingFault{RingFault::Kind::crossing, i, j};
    }
  }
  return std::nullopt;
}

}  // namespace notify::broadcast::detail
