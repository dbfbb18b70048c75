/// The agent profiles wt knows without being told, one file per agent in
/// this folder. Each field says where its fact comes from: the agent's own
/// documentation, source or issue tracker, a peer that encodes it in code,
/// or, for Claude Code and Aider, the real binary run here. A manifest
/// overrides any of them field by field under `agents:`.
///
/// Screen patterns are read on the last lines of the screen only
/// (`ScreenReader.tailLines`), busy before ready.
public enum BuiltInAgents {
  public static let all: [String: AgentProfile] = Dictionary(
    uniqueKeysWithValues: [claude, codex, gemini, opencode, cursor, copilot, amp, aider, goose].map { ($0.name, $0) })

  static func resume(_ argv: String...) -> [Template] { argv.map(Template.literal) }
}
