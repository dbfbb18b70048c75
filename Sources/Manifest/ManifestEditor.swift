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
    var lines = text.components(separatedBy: "\n")
    let endsWithNewline = text.hasSuffix("\n")
    if endsWithNewline { lines.removeLast() }
    guard let index = top.firstIndex(where: { $0.key.scalar == "projects" }) else {
      let block = ["projects:", "  \(name):"] + fields.map { "    \($0)" }
      return (lines + block).joined(separator: "\n") + "\n"
    }
    let projects = top[index]
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
      }
    default:
      if !projects.value.isNull {
        throw Refusal(description: "'projects:' is not a mapping; fix the manifest first")
      }
    }
    // The block ends before the next line that starts at column 1 with a
    // key (comments and blank lines right before it stay with what follows).
    let keyLine = projects.key.mark.line - 1
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
    let pad = String(repeating: " ", count: indent)
    lines.insert(contentsOf: ["\(pad)\(name):"] + fields.map { "\(pad)  \($0)" }, at: end)
    return lines.joined(separator: "\n") + (endsWithNewline ? "\n" : "")
  }
}
