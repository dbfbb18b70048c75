import CYAML

/// Why a file could not be read as one YAML document.
public struct YAMLError: Error, Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    case syntax(String)
    case tabIndentation
    case multipleDocuments
    case empty
    case tooLarge(bytes: Int, limit: Int)
    case aliasExpansion(limit: Int)
    case unknownAnchor(String)
    case tooDeep(limit: Int)
  }

  public var kind: Kind
  public var mark: Mark
}

/// Reads YAML text into a `YAMLNode` tree with libyaml's marks kept.
///
/// It takes one document and refuses what would hurt a tool that reads
/// configuration: several documents, alias bombs, huge files and tabs used
/// for indentation.
public enum YAMLParser {
  public static let maxBytes = 1 << 20
  /// Expanded nodes allowed in one document. A manifest has hundreds; an
  /// alias bomb has billions.
  public static let maxNodes = 100_000
  /// Collections nested deeper than this are refused: the tree is built
  /// recursively, and no manifest needs more than a handful of levels.
  public static let maxDepth = 64

  public static func parse(_ text: String) throws(YAMLError) -> YAMLNode {
    let bytes = Array(text.utf8)
    if bytes.count > maxBytes {
      throw YAMLError(kind: .tooLarge(bytes: bytes.count, limit: maxBytes), mark: Mark(line: 1, column: 1))
    }
    var reader = EventReader(bytes: bytes)
    defer { reader.close() }
    return try reader.document(lines: text)
  }
}

/// Drives libyaml's event parser and builds the tree.
private struct EventReader {
  var parser = yaml_parser_t()
  var buffer: UnsafeMutableBufferPointer<UInt8>
  var anchors: [String: YAMLNode] = [:]
  var nodes = 0
  var depth = 0

  init(bytes: [UInt8]) {
    buffer = .allocate(capacity: max(bytes.count, 1))
    _ = buffer.initialize(from: bytes)
    yaml_parser_initialize(&parser)
    yaml_parser_set_input_string(&parser, buffer.baseAddress, bytes.count)
  }

  mutating func close() {
    yaml_parser_delete(&parser)
    buffer.deallocate()
  }

  mutating func document(lines text: String) throws(YAMLError) -> YAMLNode {
    var root: YAMLNode?
    while true {
      var event = try next(text)
      defer { yaml_event_delete(&event) }
      switch event.type {
      case YAML_STREAM_START_EVENT, YAML_DOCUMENT_END_EVENT:
        continue
      case YAML_DOCUMENT_START_EVENT:
        if root != nil { throw YAMLError(kind: .multipleDocuments, mark: mark(event.start_mark)) }
      case YAML_STREAM_END_EVENT:
        guard let root, !root.isNull else {
          throw YAMLError(kind: .empty, mark: Mark(line: 1, column: 1))
        }
        return root
      default:
        root = try node(from: &event, text: text)
      }
    }
  }

  mutating func next(_ text: String) throws(YAMLError) -> yaml_event_t {
    var event = yaml_event_t()
    guard yaml_parser_parse(&parser, &event) == 1 else {
      let at = mark(parser.problem_mark)
      let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
      if Self.tabIndents(text, line: at.line) {
        throw YAMLError(kind: .tabIndentation, mark: Self.firstTab(text, line: at.line) ?? at)
      }
      var message = problem
      if let context = parser.context.map({ String(cString: $0) }) { message = "\(context), \(problem)" }
      throw YAMLError(kind: .syntax(message), mark: at)
    }
    return event
  }

  /// Builds the node that `event` starts, consuming its children.
  mutating func node(from event: inout yaml_event_t, text: String) throws(YAMLError) -> YAMLNode {
    let at = mark(event.start_mark)
    depth += 1
    defer { depth -= 1 }
    if depth > YAMLParser.maxDepth { throw YAMLError(kind: .tooDeep(limit: YAMLParser.maxDepth), mark: at) }
    let built: YAMLNode
    switch event.type {
    case YAML_ALIAS_EVENT:
      let name = String(cString: event.data.alias.anchor)
      guard let target = anchors[name] else { throw YAMLError(kind: .unknownAnchor(name), mark: at) }
      try charge(target.size, at: at)
      return target
    case YAML_SCALAR_EVENT:
      let s = event.data.scalar
      let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
      let style: YAMLNode.ScalarStyle =
        switch s.style {
        case YAML_PLAIN_SCALAR_STYLE, YAML_ANY_SCALAR_STYLE: .plain
        case YAML_LITERAL_SCALAR_STYLE, YAML_FOLDED_SCALAR_STYLE: .block
        default: .quoted
        }
      try charge(1, at: at)
      built = YAMLNode(.scalar(value, style), mark: at)
      remember(anchor: s.anchor, built)
    case YAML_SEQUENCE_START_EVENT:
      let anchor = event.data.sequence_start.anchor.map { String(cString: $0) }
      var items: [YAMLNode] = []
      while true {
        var child = try next(text)
        defer { yaml_event_delete(&child) }
        if child.type == YAML_SEQUENCE_END_EVENT { break }
        items.append(try node(from: &child, text: text))
      }
      try charge(1, at: at)
      built = YAMLNode(.sequence(items), mark: at)
      if let anchor { anchors[anchor] = built }
    case YAML_MAPPING_START_EVENT:
      built = try mapping(at: at, text: text)
      if let anchor = event.data.mapping_start.anchor.map({ String(cString: $0) }) { anchors[anchor] = built }
    default:
      throw YAMLError(kind: .syntax("unexpected YAML event"), mark: at)
    }
    return built
  }

  /// A mapping's pairs up to its end event, merge keys applied.
  mutating func mapping(at: Mark, text: String) throws(YAMLError) -> YAMLNode {
    var pairs: [YAMLNode.Pair] = []
    var merges: [YAMLNode] = []
    while true {
      var keyEvent = try next(text)
      defer { yaml_event_delete(&keyEvent) }
      if keyEvent.type == YAML_MAPPING_END_EVENT { break }
      let key = try node(from: &keyEvent, text: text)
      var valueEvent = try next(text)
      defer { yaml_event_delete(&valueEvent) }
      let value = try node(from: &valueEvent, text: text)
      if case .scalar("<<", .plain) = key.kind {
        merges.append(value)
      } else {
        pairs.append(.init(key: key, value: value, merged: false))
      }
    }
    pairs += Self.merged(merges, into: pairs)
    try charge(1, at: at)
    return YAMLNode(.mapping(pairs), mark: at)
  }

  /// `<<: *base` or `<<: [*a, *b]`: keys written in the mapping win, then
  /// earlier merge sources win over later ones (YAML's merge-key rules).
  static func merged(_ sources: [YAMLNode], into pairs: [YAMLNode.Pair]) -> [YAMLNode.Pair] {
    var taken = Set(pairs.compactMap { $0.key.scalar })
    var extra: [YAMLNode.Pair] = []
    let maps = sources.flatMap { source -> [YAMLNode] in
      if case .sequence(let items) = source.kind { return items }
      return [source]
    }
    for map in maps {
      // A merge source that is not a mapping is left out; the manifest
      // reader reports nothing for it since YAML itself would reject it.
      guard case .mapping(let sourcePairs) = map.kind else { continue }
      for pair in sourcePairs {
        guard let k = pair.key.scalar, !taken.contains(k) else { continue }
        taken.insert(k)
        extra.append(.init(key: pair.key, value: pair.value, merged: true))
      }
    }
    return extra
  }

  mutating func remember(anchor: UnsafeMutablePointer<yaml_char_t>?, _ node: YAMLNode) {
    if let anchor { anchors[String(cString: anchor)] = node }
  }

  mutating func charge(_ count: Int, at: Mark) throws(YAMLError) {
    nodes += count
    if nodes > YAMLParser.maxNodes {
      throw YAMLError(kind: .aliasExpansion(limit: YAMLParser.maxNodes), mark: at)
    }
  }

  func mark(_ m: yaml_mark_t) -> Mark { Mark(line: Int(m.line) + 1, column: Int(m.column) + 1) }

  /// libyaml reports a tab in indentation as "cannot start any token"; the
  /// person needs to hear "tab", so look at the line it stopped on (and the
  /// one before, since libyaml sometimes stops a line late).
  static func tabIndents(_ text: String, line: Int) -> Bool { firstTab(text, line: line) != nil }

  static func firstTab(_ text: String, line: Int) -> Mark? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    for n in [line, line - 1] where n >= 1 && n <= lines.count {
      let indent = lines[n - 1].prefix { $0 == " " || $0 == "\t" }
      if let i = indent.firstIndex(of: "\t") {
        return Mark(line: n, column: indent.distance(from: indent.startIndex, to: i) + 1)
      }
    }
    return nil
  }
}
