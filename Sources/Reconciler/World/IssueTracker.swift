import Foundation

/// The bead tracker, as wt uses it. One real implementation: `BeadsCLI`.
public protocol IssueTracker: Sendable {
  /// Ready beads (open, unblocked), every one of them.
  func ready(in repo: String) async throws -> [Bead]
  /// Every bead that is not closed, as of the call: a bead missing here
  /// may be newer than the list, so only `show` says closed.
  func unclosed(in repo: String) async throws -> [Bead]
  func show(_ id: String, in repo: String) async throws -> Bead?
  /// Claims for wt; returns the bead as bd holds it afterwards, so the
  /// caller can check who really has it.
  func claim(_ id: String, in repo: String) async throws -> ClaimOutcome
  /// Back to open with no assignee.
  func release(_ id: String, in repo: String) async throws
  func close(_ id: String, reason: String, in repo: String) async throws
}

public enum ClaimOutcome: Equatable, Sendable {
  case claimed
  case heldBy(String)
  case notClaimable(String)
}

/// Ids always follow `--` (cobra's end of flags), so an id can never be
/// read as an option.
///
/// `bd` through its JSON contract (Tests/Support/bd keeps it;
/// BeadsContractTests checks it against bd's own samples): arrays for
/// ready/list/show/update/close, errors on stderr, exit 1 when nothing
/// succeeded. Runs in the project's repository, where bd finds the database
/// that all its worktrees share.
public struct BeadsCLI: IssueTracker {
  public var bd: String
  public var actor: String
  public var runner: ProcessRunner

  public init(bd: String, actor: String = "wt", runner: ProcessRunner) {
    self.bd = bd
    self.actor = actor
    self.runner = runner
  }

  private func json(_ args: [String], in repo: String) async throws -> [Bead] {
    let out = try await runner.run([bd] + args + ["--json"], in: repo, environment: ["BD_JSON_ENVELOPE": "0"])
    do {
      return try JSONDecoder().decode([Bead.Lenient].self, from: Data(out.utf8)).map(\.bead)
    } catch {
      throw TrackerError(message: "could not read what `\(bd) \(args.joined(separator: " ")) --json` printed: \(describe(error))")
    }
  }

  public func ready(in repo: String) async throws -> [Bead] {
    try await json(["ready", "-n", "0"], in: repo)
  }

  public func unclosed(in repo: String) async throws -> [Bead] {
    try await json(["list", "--status", "open,in_progress,blocked,deferred,hooked", "-n", "0"], in: repo)
  }

  public func show(_ id: String, in repo: String) async throws -> Bead? {
    let out = try await runner.output([bd, "show", "--json", "--", id], in: repo)
    guard out.succeeded else { return nil }
    do {
      return try JSONDecoder().decode([Bead].self, from: Data(out.stdout.utf8)).first
    } catch {
      throw TrackerError(message: "could not read what `\(bd) show \(id) --json` printed: \(describe(error))")
    }
  }

  public func claim(_ id: String, in repo: String) async throws -> ClaimOutcome {
    let out = try await runner.output([bd, "update", "--claim", "--actor", actor, "--json", "--", id], in: repo)
    // bd reports a lost claim race on stderr and may still exit 0 in some
    // versions, so the bead is read back and its assignee decides.
    guard let bead = try await show(id, in: repo) else {
      throw TrackerError(message: "bead \(id) not found: \(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    if bead.assignee == actor && bead.status == "in_progress" { return .claimed }
    if let other = bead.assignee, !other.isEmpty { return .heldBy(other) }
    // Nobody holds it and bd said no: that is bd's failure (a locked or
    // damaged database, a bd that rejects the call), not a bead to skip.
    guard out.succeeded else {
      throw TrackerError(message: "`\(bd) update --claim -- \(id)` failed (exit \(out.status)): \(Self.message(out))")
    }
    return .notClaimable(bead.status ?? "unknown")
  }

  /// bd's own words for a failure: with `--json` it prints
  /// `{"error": …}` (on stderr, or stdout for some commands), else a line.
  static func message(_ out: CommandOutput) -> String {
    for text in [out.stderr, out.stdout] {
      if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
        let error = object["error"] as? String
      {
        return error
      }
    }
    let text = out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? "no message" : text
  }

  public func release(_ id: String, in repo: String) async throws {
    try await runner.run([bd, "update", "--status", "open", "--assignee", "", "--actor", actor, "--json", "--", id], in: repo)
  }

  public func close(_ id: String, reason: String, in repo: String) async throws {
    try await runner.run([bd, "close", "--reason=\(reason)", "--actor", actor, "--json", "--", id], in: repo)
  }
}

public struct TrackerError: Error, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}
