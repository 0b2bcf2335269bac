// Reading pieces of iterators through fusions (part of IterMapRewriter).
//
// One iterator value can be written in several ways: `floordiv(i, 2)` where
// `o*12 + i` is a fusion is also `floormod(floordiv(o*12 + i, 2), 6)`. The
// coverage check needs each part of an iterator counted in one place, and a
// fusion bounded by a predicate knows which of its values remain, so pieces
// are read through fusions wherever they fit.
#include <algorithm>

#include "ir/arith/iter_map_rewriter.h"

namespace kiln::ir::arith {

void IterMapRewriter::merge_consecutive(std::vector<IterSplit>* args) {
  // Pieces of one mark merge when their digits and scales continue each
  // other, wherever other pieces fall between them by scale:
  // floordiv(x, 16)*16 + floormod(x, 16) is x.
  std::vector<IterSplit> grouped;  // by mark, in order of first appearance, then by digit
  for (const IterSplit& first : *args) {
    if (std::any_of(grouped.begin(), grouped.end(),
                    [&](const IterSplit& g) { return g.source == first.source; })) {
      continue;
    }
    size_t begin = grouped.size();
    for (const IterSplit& s : *args) {
      if (s.source == first.source) grouped.push_back(s);
    }
    std::stable_sort(
        grouped.begin() + static_cast<std::ptrdiff_t>(begin), grouped.end(),
        [](const IterSplit& x, const IterSplit& y) { return x.lower_factor < y.lower_factor; });
  }
  std::vector<IterSplit> merged;
  for (const IterSplit& s : grouped) {
    // A piece with one value is 0 (under the predicates that bound its mark).
    if (s.extent == 1) continue;
    if (!merged.empty()) {
      IterSplit& low = merged.back();
      if (s.source == low.source && s.lower_factor == low.lower_factor * low.extent &&
          s.scale == low.scale * low.extent) {
        // floordiv(x, f) takes ceil(extent(x) / f) values.
        int64_t reachable = (s.source->extent + low.lower_factor - 1) / low.lower_factor;
        low.extent = std::min(low.extent * s.extent, reachable);
        continue;
      }
    }
    merged.push_back(s);
  }
  std::stable_sort(merged.begin(), merged.end(),
                   [](const IterSplit& x, const IterSplit& y) { return x.scale < y.scale; });
  *args = std::move(merged);
}

std::optional<IterSplit> IterMapRewriter::lift_piece(const IterSplit& piece,
                                                     const IterMark& fusion) const {
  const std::vector<IterSplit>& parts = fusion->fused.args;  // parts[0] is the top
  for (size_t index = 0; index < parts.size(); ++index) {
    const IterSplit& part = parts[index];
    if (part.source != piece.source || piece.lower_factor % part.lower_factor != 0) continue;
    // The piece is floormod(floordiv(part, k), extent) of the part, which is
    // floormod(floordiv(fusion, part.scale * k), extent) when the piece's
    // digits stay inside the part: exactly, or because both are on top.
    int64_t k = piece.lower_factor / part.lower_factor;
    bool exact = part.extent % (k * piece.extent) == 0;
    bool on_top = index == 0 && part.lower_factor * part.extent >= part.source->extent &&
                  piece.lower_factor * piece.extent >= piece.source->extent;
    if (!exact && !on_top) continue;
    int64_t lower_factor = part.scale * k;
    int64_t reachable = (fusion->extent + lower_factor - 1) / lower_factor;
    return IterSplit{fusion, lower_factor, std::min(piece.extent, reachable), piece.scale};
  }
  return std::nullopt;
}

std::vector<IterSplit> IterMapRewriter::read_through_fusions(std::vector<IterSplit> pieces,
                                                             size_t levels) const {
  std::vector<IterSplit>* args = &pieces;
  // A fusion is made after its parts, so creation order is inner first.
  // Lifting level by level, with merges in between, lets the pieces of an
  // inner fusion recombine before they lift further.
  merge_consecutive(args);
  for (size_t level = 0; level < levels && level < marks_.size(); ++level) {
    const IterMark fusion = marks_[level];
    if (fusion->var.defined()) continue;
    // Pieces may need merging (a part `x` < 10 used as `floordiv(x, 7)` and
    // `floormod(x, 7)`) or cutting at the fusion's part boundaries (a part
    // `floordiv(x, 26)` of an `x` used whole): merge, cut, then lift, and
    // lift again what merging the lifted pieces made liftable.
    merge_consecutive(args);
    cut_at_part_boundaries(args, *fusion);
    for (int round = 0; round < 2; ++round) {
      for (IterSplit& s : *args) {
        if (std::optional<IterSplit> lifted = lift_piece(s, fusion)) s = *lifted;
      }
      merge_consecutive(args);
    }
  }
  return pieces;
}

void IterMapRewriter::cut_at_part_boundaries(std::vector<IterSplit>* args,
                                             const IterMarkNode& fusion) {
  for (const IterSplit& part : fusion.fused.args) {
    for (int64_t boundary : {part.lower_factor, part.lower_factor * part.extent}) {
      std::vector<IterSplit> out;
      for (const IterSplit& s : *args) {
        int64_t lo = s.lower_factor, hi = s.lower_factor * s.extent;
        bool on_top = hi >= s.source->extent;
        if (s.source != part.source || boundary <= lo || boundary >= hi || boundary % lo != 0) {
          out.push_back(s);
          continue;
        }
        int64_t low_count = boundary / lo;
        if (s.extent % low_count != 0 && !on_top) {
          out.push_back(s);
          continue;
        }
        int64_t high_count = (s.extent + low_count - 1) / low_count;
        out.push_back(IterSplit{s.source, lo, low_count, s.scale});
        out.push_back(IterSplit{s.source, boundary, high_count, s.scale * low_count});
      }
      *args = std::move(out);
    }
  }
}

}  // namespace kiln::ir::arith
