import Foundation

/// A limited worker's row: when it goes on and on whose account
/// (docs/json.md; README, "Usage limits").
extension WorkerStatus {
  /// A host's row, as its wt printed it (`until` as ISO 8601).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    project = try c.decode(String.self, forKey: .project)
    bead = try c.decode(String.self, forKey: .bead)
    title = try c.decode(String.self, forKey: .title)
    status = try c.decode(WorkerState.self, forKey: .status)
    statusAge = try c.decodeIfPresent(Int.self, forKey: .statusAge)
    idleFor = try c.decodeIfPresent(Int.self, forKey: .idleFor)
    commitsAhead = try c.decodeIfPresent(Int.self, forKey: .commitsAhead)
    uncommittedFiles = try c.decodeIfPresent(Int.self, forKey: .uncommittedFiles)
    memoryBytes = try c.decodeIfPresent(UInt64.self, forKey: .memoryBytes)
    worktree = try c.decode(String.self, forKey: .worktree)
    session = try c.decode(String.self, forKey: .session)
    message = try c.decodeIfPresent(String.self, forKey: .message)
    sharesFilesWith = try c.decodeIfPresent([String].self, forKey: .sharesFilesWith) ?? []
    host = try c.decodeIfPresent(String.self, forKey: .host)
    until = try c.decodeIfPresent(String.self, forKey: .until).flatMap { try? Date($0, strategy: .iso8601) }
    account = try c.decodeIfPresent(String.self, forKey: .account)
    tokens = try c.decodeIfPresent(Tokens.self, forKey: .tokens)
    cost = try c.decodeIfPresent(Double.self, forKey: .cost)
  }

  /// The record's account, and its limit while the row says limited.
  mutating func showLimit(of record: WorkerRecord?) {
    account = record?.account
    guard status == .limited, let limit = record?.limit else { return }
    until = limit.until
    limitKind = limit.kind
    held = record?.held == true
  }

  /// Whether only a person moves it on, as `WorkerRecord.needsPerson`
  /// says of its record: a limit with a time the clock resumes at does not.
  public var needsPerson: Bool {
    status.needsPerson && !(status == .limited && !held && until != nil && limitKind?.resumesByClock == true)
  }

  static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

  /// The status as a person reads it: `limited until 15:02 (account work)`,
  /// the time in `zone` (the local one), the account when it has one.
  public func statusText(zone: TimeZone = .current) -> String {
    guard status == .limited else { return status.rawValue }
    var text = status.rawValue
    if held {
      text += " (held)"
    } else if limitKind == .budget {
      text += " (budget)"
    } else if let until {
      var calendar = Calendar(identifier: .gregorian)
      calendar.timeZone = zone
      let c = calendar.dateComponents([.hour, .minute], from: until)
      text += " until " + String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }
    if let account { text += " (account \(account))" }
    return text
  }
}
