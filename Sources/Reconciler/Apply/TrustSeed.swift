import Foundation
import Manifest

/// Writes what an agent reads to trust a folder, so that a worktree starts
/// without the agent's trust dialog. Each kind writes one fixed file under
/// the agent's home; the folder trusted is the worktree wt made. Nothing
/// here comes from a repository: the kinds are a closed set, the paths are
/// built here, and a link on the way is refused.
public enum TrustSeed {
  public static func seed(_ kind: AgentProfile.TrustSeed, worktree: String, home: String, now: Date = Date()) throws {
    func write(_ folder: String, _ name: String, _ update: (Data?) throws -> Data?) throws {
      let dir = (home as NSString).appendingPathComponent(folder)
      // Every folder from the home down, not only the last: a linked
      // `~/.cursor/projects` would aim the write anywhere.
      var walked = home
      var steps: [String] = []
      for part in folder.split(separator: "/") {
        walked = (walked as NSString).appendingPathComponent(String(part))
        steps.append(walked)
      }
      let file = (dir as NSString).appendingPathComponent(name)
      try ClaudeHooks.refuseLinks(steps + [file], what: "an agent's trust only into real files of its home")
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      try HomeFile.update(file, update)
    }
    switch kind {
    case .none: return
    case .codex:
      // codex-rs config/edit.rs writes `[projects."<path>"]` with
      // `trust_level = "trusted"`; an existing entry is left as it is.
      try write(".codex", "config.toml") { data in
        let text = data.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let header = "[projects.\(tomlString(worktree))]"
        if text.contains(header) { return nil }
        let sep = text.isEmpty || text.hasSuffix("\n") ? "" : "\n"
        return Data((text + sep + "\n\(header)\ntrust_level = \"trusted\"\n").utf8)
      }
    case .gemini:
      // gemini-cli config/trustedFolders.ts: a JSON object of path → level.
      try write(".gemini", "trustedFolders.json") { data in
        var folders = try jsonObject(data, name: "~/.gemini/trustedFolders.json")
        if folders[worktree] as? String == "TRUST_FOLDER" { return nil }
        folders[worktree] = "TRUST_FOLDER"
        return try JSONSerialization.data(withJSONObject: folders, options: [.prettyPrinted, .sortedKeys])
      }
    case .cursor:
      // What Cursor writes when a person trusts a folder:
      // ~/.cursor/projects/<path, / as -, no .>/.workspace-trusted.
      try write(".cursor/projects/\(cursorKey(worktree))", ".workspace-trusted") { data in
        if data != nil { return nil }
        let stamp = ISO8601DateFormatter().string(from: now)
        return try JSONSerialization.data(withJSONObject: ["workspacePath": worktree, "trustedAt": stamp], options: [.sortedKeys])
      }
    }
  }

  static func cursorKey(_ path: String) -> String {
    String(path.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: "/", with: "-").drop { $0 == "-" })
  }

  /// A TOML basic string: quotes and backslashes escaped, control
  /// characters written as escapes (a worktree path has none, but a home
  /// file must never be broken by one).
  static func tomlString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      default:
        if u.value < 0x20 || u.value == 0x7F { out += String(format: "\\u%04X", u.value) } else { out.unicodeScalars.append(u) }
      }
    }
    return out + "\""
  }

  static func jsonObject(_ data: Data?, name: String) throws -> [String: Any] {
    guard let data, !data.isEmpty else { return [:] }
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw StateError(message: "\(name) is not a JSON object; fix or remove it")
    }
    return object
  }
}
