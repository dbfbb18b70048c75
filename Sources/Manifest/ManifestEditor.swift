import Foundation

/// Adds a project entry to a manifest's text, leaving every other byte as
/// it was (comments, order, style).
public enum ManifestEditor {
  public struct Refusal: Error, CustomStringConvertible {
    public var description: String
  }

  /// The text with `name: {path: …, base: …}` added under `projects:`. The
  /// entry is inserted at the end of the `projects:` block, indented like
  /// its siblings; a file without `projects:` gets one at the end.
  public static func addingProject(name: String, path: String, base: String? = nil, to text: String) throws -> String {
    let root: YAMLNode
    do { root = try YAMLParser.parse(text) } catch {
      throw Refusal(description: "the manifest is not valid YAML (\(error.kind)); fix it first")
    }
    guard case .mapping(let top) = root.kind else { throw Refusal(description: "the manifest is not a mapping") }
    func quoted(_ s: String) -> String {
      "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
    let fields = ["path: \(quoted(path))"] + (base.map { ["base: \(quoted($0))"] } ?? [])
    // A file written with CRLF keeps CRLF. Swift reads "\r\n" as one
    // character, never equal to "\n": split on what the file uses, or it
    // is one line and a line number from the parser is out of range.
    let newline = text.contains("\r\n") ? "\r\n" : "\n"
    var lines = text.components(separatedBy: newline)
    let endsWithNewline = text.hasSuffix(newline)
    if endsWithNewline { lines.removeLast() }
    guard let index = top.firstIndex(where: { $0.key.scalar == "projects" }) else {
      let block = ["projects:", "  \(name):"] + fields.map { "    \($0)" }
      return (lines + block).joined(separator: newline) + newline
    }
    let projects = top[index]
    let keyLine = projects.key.mark.line - 1
    guard keyLine < lines.count else {
      throw Refusal(description: "the manifest mixes line endings (CRLF and LF); add the entry by hand")
    }
    var indent = 2
    switch projects.value.kind {
    case .mapping(let entries):
      if entries.contains(where: { $0.key.scalar == name }) {
        throw Refusal(description: "a project named '\(name)' is already declared")
      }
      if let first = entries.first {
        if first.key.mark.line == projects.key.mark.line {
          throw Refusal(description: "'projects:' is written in flow style ({…}); add the entry by hand")
        }
        indent = first.key.mark.column - 1
      } else if projects.value.mark.line == projects.key.mark.line {
        // `projects: {}`: the empty mapping goes, so the block can follow.
        lines[keyLine] = try removingEmptyValue(lines[keyLine], at: projects.value.mark, pattern: #"^\{\s*\}"#)
      }
    default:
      guard projects.value.isNull else {
        throw Refusal(description: "'projects:' is not a mapping; fix the manifest first")
      }
      if projects.value.mark.line == projects.key.mark.line, projects.value.scalar?.isEmpty == false {
        // `projects: ~` or `projects: null`, the same.
        lines[keyLine] = try removingEmptyValue(lines[keyLine], at: projects.value.mark, pattern: #"^(~|null|Null|NULL)(?![^\s#])"#)
      }
    }
    let end = blockEnd(lines, after: keyLine)
    let pad = String(repeating: " ", count: indent)
    lines.insert(contentsOf: ["\(pad)\(name):"] + fields.map { "\(pad)  \($0)" }, at: end)
    return lines.joined(separator: newline) + (endsWithNewline ? newline : "")
  }

  /// Where the block whose key is on line `keyLine` ends: before the next
  /// line that starts at column 1 with a key (comments and blank lines right
  /// before it stay with what follows).
  private static func blockEnd(_ lines: [String], after keyLine: Int) -> Int {
    var end = lines.count
    for i in (keyLine + 1)..<lines.count {
      let line = lines[i]
      if let first = line.first, first != " ", first != "#", first != "\t", !line.isEmpty {
        end = i
        break
      }
    }
    while end > keyLine + 1 {
      let previous = lines[end - 1].trimmingCharacters(in: .whitespaces)
      if previous.isEmpty || (previous.hasPrefix("#") && lines[end - 1].first == "#") { end -= 1 } else { break }
    }
    return end
  }

  /// `line` without the empty value written at `mark` (a comment after it
  /// stays); a value that is not `pattern` is left to the person.
  private static func removingEmptyValue(_ line: String, at mark: Mark, pattern: String) throws -> String {
    let scalars = Array(line.unicodeScalars)
    let start = mark.column - 1
    guard start >= 0, start <= scalars.count else {
      throw Refusal(description: "cannot find the value of 'projects:' on line \(mark.line); add the entry by hand")
    }
    var before = String(String.UnicodeScalarView(scalars[..<start]))
    let rest = String(String.UnicodeScalarView(scalars[start...]))
    guard let match = rest.range(of: pattern, options: .regularExpression) else {
      throw Refusal(description: "cannot edit the value of 'projects:' on line \(mark.line); add the entry by hand")
    }
    let after = rest[match.upperBound...]
    while before.hasSuffix(" ") { before.removeLast() }
    let comment = after.trimmingCharacters(in: .whitespaces)
    return comment.isEmpty ? before : before + " " + comment
  }
}
