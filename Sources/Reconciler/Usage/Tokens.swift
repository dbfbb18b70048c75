import Foundation
import Manifest

/// Tokens an agent used, as its provider counts them.
public struct Tokens: Codable, Hashable, Sendable {
  public var input: Int
  public var output: Int
  public var cacheRead: Int
  public var cacheWrite: Int

  public init(input: Int = 0, output: Int = 0, cacheRead: Int = 0, cacheWrite: Int = 0) {
    self.input = input
    self.output = output
    self.cacheRead = cacheRead
    self.cacheWrite = cacheWrite
  }

  enum CodingKeys: String, CodingKey {
    case input, output
    case cacheRead = "cache_read"
    case cacheWrite = "cache_write"
  }

  public static let zero = Tokens()

  /// What a token budget counts: input plus output (cache tokens are
  /// counted only by an amount, through their prices).
  public var counted: Int { input + output }

  public static func + (a: Tokens, b: Tokens) -> Tokens {
    Tokens(
      input: a.input + b.input, output: a.output + b.output, cacheRead: a.cacheRead + b.cacheRead,
      cacheWrite: a.cacheWrite + b.cacheWrite)
  }

  public static func += (a: inout Tokens, b: Tokens) { a = a + b }

  /// Their cost at `prices` (per million tokens).
  public func cost(_ prices: Prices) -> Double {
    (Double(input) * prices.input + Double(output) * prices.output + Double(cacheRead) * prices.cacheRead
      + Double(cacheWrite) * prices.cacheWrite) / 1_000_000
  }
}

/// A UTC day, `2026-12-06`: usage and budgets are kept per UTC day
/// (issue 23, "days are UTC").
public enum UTCDay {
  private static let calendar: Calendar = {
    var c = Calendar(identifier: .gregorian)
    c.timeZone = TimeZone(identifier: "UTC")!
    return c
  }()

  /// The start of the UTC day after `date`'s.
  public static func nextMidnight(after date: Date) -> Date {
    let start = calendar.startOfDay(for: date)
    return calendar.date(byAdding: .day, value: 1, to: start) ?? date.addingTimeInterval(86400)
  }

  public static func of(_ date: Date) -> String {
    let d = calendar.dateComponents([.year, .month, .day], from: date)
    return String(format: "%04d-%02d-%02d", d.year ?? 0, d.month ?? 0, d.day ?? 0)
  }
}
