import Foundation

/// Two figures a refusal compares, printed so that they read as different
/// whenever they are: a load of 1.52 per core refused against a limit of
/// 1.5 must not read "1.5 per core (max 1.5)", which looks like a bug.
/// Both take the fewest decimals (at least `minimum`, at most 15, about
/// where a Double's precision ends) at which they differ; rounding both
/// the same way keeps their order.
struct Figures: Equatable {
  var value: String
  var limit: String
  /// The decimals used, so that a figure shown beside them (the load the
  /// per-core figure comes from) can be shown alike.
  var decimals: Int

  init(_ value: Double, against limit: Double, minimum: Int = 1) {
    var decimals = minimum
    while decimals < 15, value != limit, Self.text(value, decimals) == Self.text(limit, decimals) { decimals += 1 }
    self.value = Self.text(value, decimals)
    self.limit = Self.text(limit, decimals)
    self.decimals = decimals
  }

  /// `x` rounded to `decimals`, without trailing zeros ("1.5", "2", "1.52").
  static func text(_ x: Double, _ decimals: Int) -> String {
    var text = String(format: "%.\(decimals)f", x)
    if text.contains(".") {
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "-0" ? "0" : text
  }

  /// Memory available against memory needed, both in the unit the larger
  /// one reads best in (GiB from 1 GiB up, else whole MiB).
  static func memory(_ available: UInt64, against need: UInt64) -> (available: String, need: String) {
    let gibibytes = max(available, need) >= 1 << 30
    let unit = Double(gibibytes ? 1 << 30 : 1 << 20)
    let figures = Figures(Double(available) / unit, against: Double(need) / unit, minimum: gibibytes ? 1 : 0)
    let name = gibibytes ? " GiB" : " MiB"
    return (figures.value + name, figures.limit + name)
  }
}
