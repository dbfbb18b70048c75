import Foundation

/// A number of seconds a person typed (`--interval`, `$WT_TIMEOUT`), read
/// with bounds: `nan`, `inf`, negative, zero and absurd values are refused
/// with a sentence instead of crashing or spinning a core.
public enum Seconds {
  public static let intervals: ClosedRange<Double> = 0.5...86_400
  public static let timeouts: ClosedRange<Double> = 1...86_400

  /// The value, or why it cannot be used.
  public static func parse(_ text: String, name: String, range: ClosedRange<Double>) -> Result<Double, SecondsError> {
    guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
      return .failure(SecondsError(message: "\(name) must be a number of seconds, not '\(text)'"))
    }
    guard range.contains(value) else {
      return .failure(
        SecondsError(message: "\(name) is \(text) seconds; use \(format(range.lowerBound)) to \(format(range.upperBound))"))
    }
    return .success(value)
  }

  /// `$WT_TIMEOUT` when set and sound; nil when unset.
  public static func timeout(environment: [String: String]) -> Result<Double?, SecondsError> {
    guard let raw = environment["WT_TIMEOUT"], !raw.isEmpty else { return .success(nil) }
    return parse(raw, name: "WT_TIMEOUT", range: timeouts).map { $0 }
  }

  static func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}

public struct SecondsError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var description: String { message }
}
