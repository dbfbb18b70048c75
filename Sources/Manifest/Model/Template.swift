/// A text with `{{bead.title}}`-style fields, as written in `prompt` and
/// `notify`.
///
/// Rendering substitutes field values as plain text and never evaluates
/// anything: bead titles and descriptions are data, so a title such as
/// `$(rm -rf ~)` comes out exactly as written.
public struct Template: Hashable, Sendable {
  public enum Segment: Hashable, Sendable {
    case text(String)
    case field(String)
  }

  public static let knownFields: Set<String> = [
    "bead.id", "bead.title", "bead.description", "bead.design", "bead.acceptance_criteria",
    "bead.notes", "bead.priority", "bead.type", "bead.labels", "bead.assignee",
    "worker.name", "worker.branch", "worker.worktree", "worker.session_id", "worker.status",
    "worker.message", "worker.port", "worker.until", "account.name",
    "project.name", "project.path", "project.base",
  ]

  public let source: String
  public let segments: [Segment]

  public enum ParseError: Error, Equatable {
    case unclosed
    case unknownField(String)
  }

  public init(_ source: String) throws(ParseError) {
    self.source = source
    var segments: [Segment] = []
    var rest = Substring(source)
    while let open = rest.range(of: "{{") {
      if open.lowerBound > rest.startIndex { segments.append(.text(String(rest[..<open.lowerBound]))) }
      guard let close = rest[open.upperBound...].range(of: "}}") else { throw .unclosed }
      let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: " ")
      guard Self.knownFields.contains(name) else { throw .unknownField(name) }
      segments.append(.field(name))
      rest = rest[close.upperBound...]
    }
    if !rest.isEmpty { segments.append(.text(String(rest))) }
    self.segments = segments
  }

  /// The text with each field replaced by `values[field]`, or by nothing
  /// when the value is unknown (a bead without a description, say).
  public func render(_ values: [String: String]) -> String {
    segments.map { segment in
      switch segment {
      case .text(let text): text
      case .field(let name): values[name] ?? ""
      }
    }.joined()
  }
}

extension Substring {
  fileprivate func trimmingCharacters(in set: Character) -> String {
    String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
  }
}
