import Foundation

/// What an agent said about a turn that ended on its provider's limits,
/// before wt counts tries: the kind, the reset when the agent gave one,
/// and the words for the person.
public struct LimitSignal: Equatable, Sendable {
  public var kind: Limit.Kind
  /// The provider's reset, when known (Claude Code on a subscription).
  public var resetsAt: Date?
  /// Sanitised: one line, no control characters, at most 200 characters.
  public var reason: String
  public var agentContinues: Bool

  public init(kind: Limit.Kind, resetsAt: Date? = nil, reason: String, agentContinues: Bool = false) {
    self.kind = kind
    self.resetsAt = resetsAt
    self.reason = reason
    self.agentContinues = agentContinues
  }

  /// The limit to record: `tries` resumes of wt's already hit it (the
  /// backoff grows with them), seen at `now`; `jitter` in 0..<1.
  public func limit(tries: Int, now: Date, jitter: Double) -> Limit {
    let until: Date? =
      switch kind {
      case .usage, .transient: resetsAt ?? now.addingTimeInterval(Limit.backoff(tries: tries, jitter: jitter))
      case .unknownReset, .overloaded: now.addingTimeInterval(Limit.backoff(tries: tries, jitter: jitter))
      case .needsPerson, .budget: nil
      }
    return Limit(
      kind: kind, until: until, since: now, tries: tries, reason: reason, agentContinues: agentContinues ? true : nil)
  }
}

/// Reads Claude Code's report of a turn that ended on an API error: the
/// StopFailure hook's `error` and the transcript's last record, as the real
/// 2.1.337 writes them (docs/limits.md). The hook's and the transcript's
/// text are the agent's data: only sanitised words of them are kept.
public enum LimitReading {
  /// StopFailure `error` values a resend cannot cure: a person must act
  /// (https://code.claude.com/docs/en/hooks#stopfailure lists the matcher
  /// values).
  static let needsPersonErrors: Set<String> = [
    "billing_error", "authentication_failed", "oauth_org_not_allowed", "account_on_hold",
    "verification_required", "cloud_credential_error", "invalid_request", "model_not_found",
  ]

  /// Claude Code continues by itself only for a reset less than 24 h away;
  /// further out it shows a dialog instead (docs/limits.md).
  static let agentContinueHorizon: TimeInterval = 24 * 3600

  /// `error`: StopFailure's (nil from a Stop or an idle notice: the
  /// record's own `error` then); `record`: the transcript's last assistant
  /// record, when it is an API error. Nil: no limit to see.
  public static func classify(error hookError: String?, record: [String: Any]?, hookMessage: String?, now: Date)
    -> LimitSignal?
  {
    let error = hookError ?? record?["error"] as? String
    guard error != nil || record != nil else { return nil }
    let text = words(hookMessage ?? record.flatMap(messageText) ?? "")
    let status = record?["apiErrorStatus"] as? Int
    if record?["resendCannotCure"] as? Bool == true || error.map(needsPersonErrors.contains) == true {
      return LimitSignal(kind: .needsPerson, reason: said("a person must act (\(error ?? "refused"))", text))
    }
    if error == "rate_limit" || status == 429 {
      guard let reset = resetsAt(record) else {
        return LimitSignal(kind: .unknownReset, reason: said("rate limited, no reset time given", text))
      }
      // The subscription path: Claude Code waits for the reset and goes on
      // by itself when it is less than a day away.
      let continues = reset.timeIntervalSince(now) < agentContinueHorizon
      return LimitSignal(kind: .usage, resetsAt: reset, reason: said("usage limit", text), agentContinues: continues)
    }
    if error == "server_error" || status == 529 {
      return LimitSignal(kind: .overloaded, reason: said("the API is overloaded", text))
    }
    // max_output_tokens, unknown, or an error this wt does not know: a
    // later try may cure it; this worker alone backs off.
    return LimitSignal(kind: .overloaded, reason: said("the turn ended on an API error (\(words(error ?? "unknown")))", text))
  }

  /// The reset, epoch seconds: `quotaLimits.resetsAt`, else
  /// `apiErrorParams.rate_limit_info.resetsAt`.
  static func resetsAt(_ record: [String: Any]?) -> Date? {
    let quota = (record?["quotaLimits"] as? [String: Any])?["resetsAt"]
    let info = ((record?["apiErrorParams"] as? [String: Any])?["rate_limit_info"] as? [String: Any])?["resetsAt"]
    for value in [quota, info] {
      if let n = value as? NSNumber, n.doubleValue > 0, n.doubleValue < 1e11 { return Date(timeIntervalSince1970: n.doubleValue) }
    }
    return nil
  }

  static func messageText(_ record: [String: Any]) -> String? {
    let content = (record["message"] as? [String: Any])?["content"] as? [[String: Any]]
    return content?.compactMap { $0["text"] as? String }.first
  }

  /// Agent text as the person may see it: one line, inert, short.
  static func words(_ text: String) -> String {
    String(PromptText.argument(text).trimmingCharacters(in: .whitespaces).prefix(200))
  }

  static func said(_ what: String, _ text: String) -> String { text.isEmpty ? what : "\(what): \(text)" }

  /// The transcript's last assistant record when it is an API error (its
  /// last 64 KiB are read: the record is the turn's last).
  public static func lastAPIError(transcript path: String) -> [String: Any]? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    let size = (try? handle.seekToEnd()) ?? 0
    try? handle.seek(toOffset: size > 65536 ? size - 65536 : 0)
    let tail = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    for line in tail.split(separator: "\n").reversed() {
      guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        record["type"] as? String == "assistant"
      else { continue }
      return record["isApiErrorMessage"] as? Bool == true ? record : nil
    }
    return nil
  }
}
