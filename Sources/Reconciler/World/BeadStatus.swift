/// A bead's status as bd prints it: the statuses bd knows
/// (https://github.com/steveyegge/beads; our double `Tests/Support/bd`
/// lists the same). wt acts on `open` (ready to claim), `in_progress`
/// (claimed) and `closed`; the others only pass through. A status a later
/// bd adds reads as `other`, never as an unreadable bead.
public enum BeadStatus: Hashable, Sendable {
  case open, inProgress, blocked, deferred, closed, pinned, hooked
  case other(String)

  static let known: [BeadStatus] = [.open, .inProgress, .blocked, .deferred, .closed, .pinned, .hooked]
}

extension BeadStatus: RawRepresentable, Codable {
  public init(rawValue: String) {
    self = Self.known.first { $0.rawValue == rawValue } ?? .other(rawValue)
  }

  public var rawValue: String {
    switch self {
    case .open: "open"
    case .inProgress: "in_progress"
    case .blocked: "blocked"
    case .deferred: "deferred"
    case .closed: "closed"
    case .pinned: "pinned"
    case .hooked: "hooked"
    case .other(let name): name
    }
  }

  public init(from decoder: any Decoder) throws {
    self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(rawValue)
  }
}
