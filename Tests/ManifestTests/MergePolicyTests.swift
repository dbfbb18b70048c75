import Testing
@testable import Manifest

/// `merge:` (on a project or under settings) and `gate_cache:` (issue 25):
/// read with their positions, layered project over settings over wt's
/// defaults.
@Suite(.timeLimit(.minutes(1))) struct MergePolicyTests {
  @Test func mistakesAreSaidWithTheirPositions() {
    let box = Sandbox()
    box.mkdir("a")
    let result = box.load(
      """
      version: 1
      settings:
        merge: {batch: 0, parallel: 2, order: random}
      projects:
        a:
          path: a
          merge: {batches: 3}
          gate_cache: {key: [../lock.json], keep: node_modules/}
      """)
    #expect(result.manifest == nil)
    #expect(
      problems(result) == [
        at(3, 18, .outOfRange(key: "batch", value: "0", expected: "between 1 and 1000")),
        at(3, 41, .invalidChoice(key: "order", value: "random", choices: ["fifo", "priority"])),
        at(7, 13, .unknownKey("batches", in: "project 'a'.merge", suggestion: nil)),
        at(8, 23, .pathOutsideRepository(key: "gate_cache.key", path: "../lock.json")),
        at(8, 45, .wrongType(key: "gate_cache.keep", expected: "a list of strings", got: "a string")),
      ])
  }

  @Test func aProjectsFieldsWinOverSettingsAndDefaultsFillTheRest() throws {
    let box = Sandbox()
    box.mkdir("a")
    box.mkdir("b")
    let result = box.load(
      """
      version: 1
      settings:
        merge: {batch: 1, order: priority}
      projects:
        a:
          path: a
          merge: {parallel: 3}
          gate_cache: {key: [package-lock.json], keep: [node_modules/]}
        b:
          path: b
      """)
    let manifest = try #require(result.manifest, "\(problems(result))")
    let a = try #require(manifest.project(named: "a")), b = try #require(manifest.project(named: "b"))
    let resolvedA = a.merge.filling(from: manifest.settings.merge).resolved(parallelCap: 8)
    #expect(resolvedA.batch == 1 && resolvedA.parallel == 3 && resolvedA.order == .priority)
    #expect(a.gateCache == GateCache(key: ["package-lock.json"], keep: ["node_modules/"]))
    let resolvedB = b.merge.filling(from: manifest.settings.merge).resolved(parallelCap: 1)
    #expect(resolvedB.batch == 1 && resolvedB.parallel == 1 && resolvedB.order == .priority)
    #expect(b.gateCache == nil)
    let defaults = MergePolicy().resolved(parallelCap: 4)
    #expect(defaults.batch == 8 && defaults.parallel == 2 && defaults.order == .fifo)
  }
}
