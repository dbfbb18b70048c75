import Foundation
import Testing
@testable import Manifest

/// `sandbox:` on a project, an agent profile, `defaults:` or `settings:`
/// (README, "Sandboxed workers"): which one a worker gets, and each
/// mistake at its line and column.
@Suite(.timeLimit(.minutes(1))) struct SandboxManifestTests {
  @Test func theMostSpecificSandboxWins() throws {
    let box = Sandbox()
    box.mkdir("a")
    box.mkdir("b")
    box.mkdir("c")
    box.mkdir("tools")
    let result = box.load(
      """
      version: 1
      settings:
        sandbox: {runtime: bwrap, network: none, read_only: [tools], read_write: [~/cache]}
      agents:
        aider:
          sandbox: none
      projects:
        a:
          path: a
        b:
          path: b
          agent: aider
        c:
          path: c
          sandbox: bwrap
      """)
    #expect(problems(result) == [])
    let m = try #require(result.manifest)
    let a = m.sandbox(for: try #require(m.project(named: "a")), agent: "claude")
    #expect(a.runtime == .bwrap)
    #expect(a.network == .offline)
    #expect(a.readOnly == ["\(box.root)/tools"])
    #expect(a.readWrite == ["\(box.root)/cache"])
    #expect(a.mark == Mark(line: 3, column: 12))
    #expect(m.sandbox(for: try #require(m.project(named: "b")), agent: "aider").runtime == .none)
    let c = m.sandbox(for: try #require(m.project(named: "c")), agent: "claude")
    #expect(c.runtime == .bwrap && c.network == .full && c.readOnly.isEmpty)
  }

  @Test func withoutSandboxAWorkerRunsAsBefore() throws {
    let box = Sandbox()
    box.mkdir("a")
    let m = try #require(box.load("version: 1\nprojects: {a: {path: a}}\n").manifest)
    #expect(m.sandbox(for: m.projects[0], agent: "claude") == .off)
  }

  @Test func podmanNamesItsImageAndAllowNamesDomains() throws {
    let box = Sandbox()
    box.mkdir("a")
    let result = box.load(
      """
      version: 1
      projects:
        a:
          path: a
          sandbox: {runtime: podman, image: localhost/wt-agent:1, network: {allow: [api.anthropic.com, "*.pypi.org"]}}
      """)
    #expect(problems(result) == [])
    let s = try #require(result.manifest?.projects.first?.sandbox)
    #expect(s.image == "localhost/wt-agent:1")
    #expect(s.network == .allow(["api.anthropic.com", "*.pypi.org"]))
  }

  @Test func everyMistakeIsAtItsPlace() {
    let box = Sandbox()
    box.mkdir("a")
    let result = box.load(
      """
      version: 1
      settings:
        sandbox: docker
      agents:
        claude:
          sandbox: {runtime: podman}
      projects:
        a:
          path: a
          sandbox: {runtime: bwrap, image: x, network: some, read_write: ["~"], read_only: [/], mounts: []}
      """)
    #expect(
      Set(problems(result)) == [
        at(3, 12, .invalidChoice(key: "sandbox", value: "docker", choices: ["none", "bwrap", "podman"])),
        at(6, 14, .missingKey("image", in: "agent 'claude'.sandbox")),
        at(10, 91, .unknownKey("mounts", in: "project 'a'.sandbox", suggestion: nil)),
        at(10, 38, .outOfRange(key: "image", value: "'x'", expected: "set only with runtime: podman")),
        at(10, 50, .invalidChoice(key: "network", value: "some", choices: ["full", "none", "{allow: [domain, …]}"])),
        at(10, 68, .outOfRange(key: "read_write", value: "'\(box.root)'", expected: "a folder below / that is not a home folder")),
        at(10, 86, .outOfRange(key: "read_only", value: "'/'", expected: "a folder below / that is not a home folder")),
      ])
  }

  /// A domain reaches the proxy's filter as a pattern: anything but a
  /// host name (a URL, a port, a path, a space, a regular expression, an
  /// option) is refused at its own line and column.
  @Test func anAllowListTakesDomainsOnly() {
    let box = Sandbox()
    box.mkdir("a")
    let hostile = [
      "https://example.com", "example.com:443", "example.com/x", "exa mple.com", "^evil$", ".*", "a|b.com",
      "example.com.", "-x.com", "*", "*.*.com", "ex(a)mple.com", "example.com\n", "", "under_score.com", "é.com",
    ]
    let fine = ["example.com", "*.example.com", "localhost", "127.0.0.1", "xn--bcher-kva.example", "API.Example.COM"]
    // JSON strings are YAML's double-quoted scalars.
    let list = (fine + hostile).map { "          - " + String(decoding: try! JSONEncoder().encode($0), as: UTF8.self) }
      .joined(separator: "\n")
    let result = box.load(
      """
      version: 1
      projects:
        a:
          path: a
          sandbox:
            runtime: bwrap
            network:
              allow:
      \(list)
      """)
    let expected = "a domain such as api.anthropic.com or *.github.com (no scheme, port, path, spaces or patterns)"
    #expect(
      Set(problems(result))
        == Set(hostile.enumerated().map { i, d in at(9 + fine.count + i, 13, .outOfRange(key: "allow", value: "'\(d)'", expected: expected)) }))
  }

  @Test func aRepositorysOwnBlockCannotSetTheSandbox() {
    let box = Sandbox()
    let result = box.load("version: 1\nproject:\n  sandbox: none\n")
    #expect(problems(result).contains(at(3, 3, .unknownKey("sandbox", in: "project", suggestion: nil))))
  }
}
