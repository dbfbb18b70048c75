import Foundation

/// wt's JSON output: every root is an object carrying `format_version`,
/// as Terraform's `show -json` does
/// (https://developer.hashicorp.com/terraform/internals/json-format), so a
/// script (or another machine's wt) can tell a shape it does not know from
/// one it does. Lists sit under a named key (`workers`, `beads`, …); the
/// fields inside each row are documented in docs/json.md.
public enum JSONOutput {
  /// Raised when a root's shape changes incompatibly (a field renamed or
  /// removed, a meaning changed); a new field does not raise it.
  public static let formatVersion = "1.0"

  /// Sorted keys, pretty, slashes as they are: stable for scripts and
  /// diffs. Control bytes in quoted text are escaped (`TerminalText.safeJSON`).
  public static func encode(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return TerminalText.safeJSON(String(decoding: try encoder.encode(value), as: UTF8.self))
  }

  /// A root whose `format_version` is not this wt's: its fields may mean
  /// something else, so nothing in it is used.
  public struct Skew: Error, CustomStringConvertible, Sendable {
    public var found: String?
    public var description: String {
      "it answers JSON format \(found ?? "with no format_version"), this wt reads \(JSONOutput.formatVersion)"
    }
  }

  struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    static let formatVersion = Key("format_version")
  }

  /// Checks `format_version` of a root before anything else is read.
  static func checkVersion(_ container: KeyedDecodingContainer<Key>) throws {
    let found = try container.decodeIfPresent(String.self, forKey: .formatVersion)
    guard found == formatVersion else { throw Skew(found: found) }
  }
}

/// A list as wt prints it: `{"format_version": "1.0", KEY: [rows]}`.
public struct JSONList<Row: Encodable & Sendable>: Encodable, Sendable {
  public var key: String
  public var rows: [Row]

  public init(_ key: String, _ rows: [Row]) {
    self.key = key
    self.rows = rows
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: JSONOutput.Key.self)
    try container.encode(JSONOutput.formatVersion, forKey: .formatVersion)
    try container.encode(rows, forKey: JSONOutput.Key(key))
  }

}

extension JSONList: Decodable where Row: Decodable {
  /// Decoding needs the key: use `JSONList.decode(_:key:)`.
  public init(from decoder: Decoder) throws {
    guard let key = decoder.userInfo[JSONList.keyInfo] as? String else {
      throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "JSONList needs its key"))
    }
    let container = try decoder.container(keyedBy: JSONOutput.Key.self)
    try JSONOutput.checkVersion(container)
    self.key = key
    rows = try container.decode([Row].self, forKey: JSONOutput.Key(key))
  }
}

extension JSONList {
  static var keyInfo: CodingUserInfoKey { CodingUserInfoKey(rawValue: "wt.list.key")! }

  /// The rows of a list under `key`; `JSONOutput.Skew` when its
  /// `format_version` is another.
  public static func decode(_ text: String, key: String) throws -> [Row] where Row: Decodable {
    let decoder = JSONDecoder()
    decoder.userInfo[keyInfo] = key
    return try decoder.decode(JSONList.self, from: Data(text.utf8)).rows
  }
}

/// The names of wt's lists, one per command that prints one.
public enum ListKey {
  public static let workers = "workers"
  public static let beads = "beads"
  public static let entries = "entries"
  public static let projects = "projects"
  public static let sessions = "sessions"
  public static let agents = "agents"
  public static let hosts = "hosts"
  public static let rows = "rows"
}
