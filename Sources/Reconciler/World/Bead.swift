import Foundation

/// One issue as `bd --json` prints it. Only the fields wt reads; bd omits
/// empty ones (no `assignee` key when unassigned), so most are optional.
public struct Bead: Codable, Hashable, Sendable {
  public var id: String
  public var title: String
  public var description: String?
  public var design: String?
  public var acceptanceCriteria: String?
  public var notes: String?
  public var status: BeadStatus?
  public var priority: Int
  public var issueType: String?
  public var assignee: String?
  public var labels: [String]?
  public var createdAt: String
  public var updatedAt: String?
  /// Set on a stand-in for a bead bd printed in a form wt cannot read (a
  /// priority of 1e30, a title that is a number): it is refused alone, its
  /// project goes on.
  public var unreadable: String?

  enum CodingKeys: String, CodingKey {
    case id, title, description, design, notes, status, priority, assignee, labels
    case acceptanceCriteria = "acceptance_criteria"
    case issueType = "issue_type"
    case createdAt = "created_at"
    case updatedAt = "updated_at"
  }

  public init(
    id: String, title: String, description: String? = nil, status: BeadStatus = .open, priority: Int = 2,
    issueType: String = "task", assignee: String? = nil, labels: [String] = [], createdAt: String = "2026-01-01T00:00:00Z"
  ) {
    self.id = id
    self.title = title
    self.description = description
    self.status = status
    self.priority = priority
    self.issueType = issueType
    self.assignee = assignee
    self.labels = labels
    self.createdAt = createdAt
  }

  /// Reads an array of beads one by one, so one bad entry does not hide
  /// the rest.
  struct Lenient: Decodable {
    var bead: Bead
    init(from decoder: any Decoder) throws {
      do {
        bead = try Bead(from: decoder)
      } catch {
        let id = try? decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .id)
        bead = Bead(id: id ?? "?", title: "")
        bead.unreadable = describe(error)
      }
    }
  }

  public var type: String { issueType ?? "task" }
  public var isClosed: Bool { status == .closed }

  /// The values prompt templates can name.
  public var templateValues: [String: String] {
    var v: [String: String] = [
      "bead.id": id, "bead.title": title, "bead.priority": "P\(priority)", "bead.type": type,
      "bead.labels": (labels ?? []).joined(separator: ", "),
    ]
    v["bead.description"] = description
    v["bead.design"] = design
    v["bead.acceptance_criteria"] = acceptanceCriteria
    v["bead.notes"] = notes
    v["bead.assignee"] = assignee
    return v
  }
}
