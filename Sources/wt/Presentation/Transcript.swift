import Foundation
import Reconciler

/// Claude Code's transcript of a session (JSONL), printed as a conversation.
public enum Transcript {
  /// `<config>/projects/<folder of the worktree>/<session>.jsonl`
  /// (`config`: `$CLAUDE_CONFIG_DIR`, else `$HOME/.claude`; the folder as
  /// `ClaudeFiles` names it), else any project folder holding that session.
  public static func path(session: String, worktree: String, configDirectory: String) -> String? {
    let files = ClaudeFiles(environment: ["CLAUDE_CONFIG_DIR": configDirectory])
    guard let folder = files.projectFolder(worktree: worktree, session: session) else { return nil }
    let path = "\(folder)/\(session).jsonl"
    if FileManager.default.fileExists(atPath: path) { return path }
    let projects = "\(configDirectory)/projects"
    let folders = (try? FileManager.default.contentsOfDirectory(atPath: projects)) ?? []
    return folders.map { "\(projects)/\($0)/\(session).jsonl" }.first { FileManager.default.fileExists(atPath: $0) }
  }

  public static func render(_ jsonl: String) -> String {
    var out = ""
    for line in jsonl.split(separator: "\n") {
      guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let type = record["type"] as? String, type == "user" || type == "assistant",
        let message = record["message"] as? [String: Any]
      else { continue }
      var parts: [String] = []
      if let text = message["content"] as? String {
        parts.append(text)
      } else if let blocks = message["content"] as? [[String: Any]] {
        for block in blocks {
          switch block["type"] as? String {
          case "text": parts.append(block["text"] as? String ?? "")
          case "tool_use":
            let input = (block["input"] as? [String: Any])?["command"] as? String ?? ""
            parts.append("[\(block["name"] as? String ?? "tool")] \(input)")
          case "tool_result":
            let content = block["content"] as? String ?? ""
            parts.append("[result] " + content.split(separator: "\n").prefix(5).joined(separator: "\n         "))
          default: continue
          }
        }
      }
      let text = parts.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
      guard !text.isEmpty else { continue }
      let who = type == "user" ? "user" : "agent"
      if record["isApiErrorMessage"] as? Bool == true { out += "(api error) " }
      out += "\(who): \(text)\n\n"
    }
    return out
  }
}
