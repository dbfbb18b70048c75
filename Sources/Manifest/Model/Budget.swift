import Foundation

/// How much an agent's work may use, in tokens or money (issue 23,
/// "Budgets"). Under `settings.budget` it holds the defaults and the whole
/// day's cap; on a project it overrides `bead` and `project_day`.
public struct Budget: Hashable, Sendable {
  /// A cap: a token count (input plus output tokens, as written `2M`,
  /// `500k`) or an amount in the price table's currency (`$5`, counted with
  /// `settings.prices`, cache tokens included).
  public enum Amount: Hashable, Sendable, CustomStringConvertible {
    case tokens(Int)
    case money(Double)

    public var description: String {
      switch self {
      case .tokens(let n): TokenCount.short(n)
      case .money(let m): "$" + Money.text(m)
      }
    }
  }

  /// One bead's work, over all its workers and days.
  public var bead: Amount?
  /// One project's work in one UTC day.
  public var projectDay: Amount?
  /// All projects' work in one UTC day (under `settings` only).
  public var day: Amount?

  public init(bead: Amount? = nil, projectDay: Amount? = nil, day: Amount? = nil) {
    self.bead = bead
    self.projectDay = projectDay
    self.day = day
  }

  public var isEmpty: Bool { bead == nil && projectDay == nil && day == nil }
}

/// What an agent's tokens cost, per million tokens, in the person's own
/// currency: wt carries no prices of its own (they would age silently).
public struct Prices: Hashable, Sendable {
  public var input: Double
  public var output: Double
  public var cacheRead: Double
  public var cacheWrite: Double

  public init(input: Double, output: Double, cacheRead: Double = 0, cacheWrite: Double = 0) {
    self.input = input
    self.output = output
    self.cacheRead = cacheRead
    self.cacheWrite = cacheWrite
  }
}

/// Where an agent's own record of the tokens it used can be read, so that
/// `wt usage` reads figures the agent wrote rather than guessing; an agent
/// with none shows "?".
public enum UsageSource: String, Hashable, Sendable, CaseIterable {
  /// Claude Code's session transcripts,
  /// `$CLAUDE_CONFIG_DIR/projects/<worktree>/<session>.jsonl` (else
  /// `~/.claude/…`): each `assistant` record's `message.usage`.
  case claudeTranscript = "claude-transcript"
  /// Aider's `.aider.chat.history.md` in the worktree: the "Tokens: … sent,
  /// … received." line it writes after each reply (aider/coders/
  /// base_coder.py, `show_usage_report`, through `io.tool_output`).
  case aiderChatHistory = "aider-chat-history"
  case none
}

/// Token counts as people write them: `2M`, `500k`, `1.5M`, `12000`.
public enum TokenCount {
  public static func parse(_ text: String) -> Int? {
    var digits = text.trimmingCharacters(in: .whitespaces)
    var scale = 1.0
    switch digits.last {
    case "k", "K": scale = 1e3
    case "m", "M": scale = 1e6
    case "g", "G", "b", "B": scale = 1e9
    default: break
    }
    if scale != 1 { digits.removeLast() }
    guard !digits.isEmpty, digits.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(digits), value >= 0
    else { return nil }
    let count = (value * scale).rounded()
    return count <= Double(Int.max) ? Int(count) : nil
  }

  /// `1.2M`, `500k`, `56`.
  public static func short(_ n: Int) -> String {
    func trim(_ v: Double) -> String {
      let s = String(format: "%.1f", v)
      return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }
    if n >= 1_000_000 { return trim(Double(n) / 1e6) + "M" }
    if n >= 10_000 { return "\(Int((Double(n) / 1e3).rounded()))k" }
    if n >= 1_000 { return trim(Double(n) / 1e3) + "k" }
    return "\(n)"
  }
}

/// Amounts of money as written and shown: `$5`, `$0.25`.
public enum Money {
  public static func parse(_ text: String) -> Double? {
    guard text.hasPrefix("$") else { return nil }
    let digits = text.dropFirst()
    guard !digits.isEmpty, digits.allSatisfy({ $0.isNumber || $0 == "." }), let v = Double(digits), v.isFinite, v >= 0
    else { return nil }
    return v
  }

  public static func text(_ amount: Double) -> String {
    amount == amount.rounded() && amount < 1e12 ? String(Int(amount)) : String(format: "%.2f", amount)
  }
}
