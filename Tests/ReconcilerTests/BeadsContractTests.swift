import Foundation
import Testing
@testable import Reconciler

/// Keeps the bd double honest: wt must read bd's real JSON, and the double
/// must print the same shapes (field order, arrays vs objects, exit codes).
@Suite(.timeLimit(.minutes(2))) struct BeadsContractTests {
  static let samples = "\(packageRoot)/Tests/ReconcilerTests/Fixtures/beads-samples"

  func sample(_ name: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(Self.samples)/\(name)")))
  }

  /// Keys of the first (or only) top-level object, in printed order, read
  /// from the text since JSONSerialization does not keep order.
  func keyOrder(_ json: String) -> [String] {
    let indent = json.hasPrefix("[") ? "    \"" : "  \""
    let closing = json.hasPrefix("[") ? "  }" : "}"
    var keys: [String] = []
    for line in json.split(separator: "\n").dropFirst(json.hasPrefix("[") ? 2 : 1) {
      if line.hasPrefix(closing) { break }
      guard line.hasPrefix(indent) else { continue }
      keys.append(String(line.dropFirst(indent.count).prefix { $0 != "\"" }))
    }
    return keys
  }

  func isSubsequence(_ a: [String], of b: [String]) -> Bool {
    var i = b.startIndex
    for x in a {
      guard let j = b[i...].firstIndex(of: x) else { return false }
      i = b.index(after: j)
    }
    return true
  }

  @Test(arguments: ["ready.json", "show.json", "show-default.json", "update-claim.json", "close.json", "list-empty.json"])
  func wtReadsRealBdArrays(_ name: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(Self.samples)/\(name)"))
    let beads = try JSONDecoder().decode([Bead].self, from: data)
    #expect(beads.allSatisfy { !$0.id.isEmpty && !$0.createdAt.isEmpty })
  }

  @Test func theDoublePrintsFieldsInBdsOrder() async throws {
    let w = try await TestWorld()
    let created = try await w.bd("create", "A title", "-d", "words", "-l", "x", "--json")
    let createdKeys = keyOrder(created)
    #expect(createdKeys == createdKeys.sorted(), "create prints an object with sorted keys")
    #expect(createdKeys.contains("schema_version"))
    let id = try #require(try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any])["id"] as! String

    let pairs: [(String, [String])] = [
      ("ready.json", ["ready"]), ("show-default.json", ["show", id]),
      ("update-claim.json", ["update", id, "--claim", "--actor", "wt"]),
      ("close.json", ["close", id, "--reason", "done"]),
    ]
    for (sampleName, args) in pairs {
      let ours = keyOrder(try await w.runner.run([bdDouble] + args + ["--json"], in: w.repo))
      let theirs = keyOrder(try String(contentsOfFile: "\(Self.samples)/\(sampleName)", encoding: .utf8))
      // The double prints a subset (it omits what it never sets), in the same order.
      #expect(isSubsequence(ours, of: theirs), "\(args[0]): \(ours) vs \(theirs)")
      #expect(ours.starts(with: ["id", "title"]) && ours.count >= 6, "\(ours)")
    }
  }

  @Test func theDoubleFailsLikeBd() async throws {
    let w = try await TestWorld()
    let show = try await w.runner.output([bdDouble, "show", "nope", "--json"], in: w.repo)
    #expect(show.status == 1)
    #expect(show.stderr.contains("Error fetching nope: no issue found matching \"nope\""))
    let error = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
    #expect(error["error"] as? String == "no issues found matching the provided IDs")
    let bdError = try #require(try sample("error-show-json-stdout.json") as? [String: Any])
    #expect(Set(error.keys) == Set(bdError.keys))
    let update = try await w.runner.output([bdDouble, "update", "nope", "--status", "open", "--json"], in: w.repo)
    #expect(update.status == 1)
    #expect(update.stdout.isEmpty)
    let empty = try await w.runner.run([bdDouble, "list", "--status", "closed", "--json"], in: w.repo)
    #expect(empty.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    let outside = try await w.runner.output([bdDouble, "ready", "--json"], in: "/")
    #expect(outside.status == 1)
    #expect(outside.stderr.hasPrefix("Error: no beads database found"))
  }

  @Test func aLostClaimRaceIsSeenInTheReadBack() async throws {
    let w = try await TestWorld()
    let id = try await w.createBead("Contested")
    try await w.bd("update", id, "--claim", "--actor", "alice")
    let outcome = try await BeadsCLI(bd: bdDouble, runner: w.runner).claim(id, in: w.repo)
    #expect(outcome == .heldBy("alice"))
  }
}
