/// A position in a source file, 1-based, counted in characters as libyaml
/// counts them. Every key and value of a parsed manifest keeps one, so a
/// diagnostic can say `wt.yaml:12:5`.
public struct Mark: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  public static func < (a: Mark, b: Mark) -> Bool {
    (a.line, a.column) < (b.line, b.column)
  }

  public var description: String { "\(line):\(column)" }
}

/// One node of a YAML document, with where it started.
///
/// Aliases are already expanded and `<<` merge keys already applied, so code
/// that reads the tree never meets either. Mappings keep every explicit pair in
/// file order, duplicates included: reporting them is the reader's job.
public struct YAMLNode: Sendable, Equatable {
  public enum ScalarStyle: Sendable, Equatable { case plain, quoted, block }

  public enum Kind: Sendable, Equatable {
    case scalar(String, ScalarStyle)
    case sequence([YAMLNode])
    case mapping([Pair])
  }

  public struct Pair: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode
    /// Pairs that came in through a `<<` merge key rather than being written
    /// in this mapping; they never count as duplicates.
    public var merged: Bool
  }

  public var kind: Kind
  public var mark: Mark
  /// Nodes in this subtree, itself included. Alias expansion is charged by
  /// this, which is how a "billion laughs" file is stopped early.
  var size: Int

  init(_ kind: Kind, mark: Mark) {
    self.kind = kind
    self.mark = mark
    switch kind {
    case .scalar: size = 1
    case .sequence(let items): size = 1 + items.reduce(0) { $0 + $1.size }
    case .mapping(let pairs): size = 1 + pairs.reduce(0) { $0 + $1.key.size + $1.value.size }
    }
  }

  /// The scalar's text, or nil for collections.
  public var scalar: String? {
    if case .scalar(let s, _) = kind { return s }
    return nil
  }

  /// A plain `~`, `null`, `Null`, `NULL` or empty scalar: YAML's null.
  public var isNull: Bool {
    guard case .scalar(let s, .plain) = kind else { return false }
    return ["", "~", "null", "Null", "NULL"].contains(s)
  }

  /// What a person would call this node's type, for "expected X, got Y".
  public var typeName: String {
    switch kind {
    case .sequence: return "a list"
    case .mapping: return "a mapping"
    case .scalar(let s, let style):
      if isNull { return "null" }
      guard style == .plain else { return "a string" }
      if Int(s) != nil { return "a number" }
      if Double(s) != nil { return "a number" }
      if ["true", "false", "True", "False", "TRUE", "FALSE"].contains(s) { return "a boolean" }
      return "a string"
    }
  }
}
