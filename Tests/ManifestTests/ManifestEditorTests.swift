import Testing
@testable import Manifest

@Suite(.timeLimit(.minutes(1))) struct ManifestEditorTests {
  @Test func addsAtTheEndOfTheProjectsBlockKeepingEverythingElse() throws {
    let text = """
      # my wt.yaml
      version: 1
      projects:
          api:   # four-space indent, kept
            path: ~/code/api

      # the rest
      defaults: {workers: 1}

      """
    let out = try ManifestEditor.addingProject(name: "web", path: "/code/web", to: text)
    #expect(
      out == """
        # my wt.yaml
        version: 1
        projects:
            api:   # four-space indent, kept
              path: ~/code/api
            web:
              path: "/code/web"

        # the rest
        defaults: {workers: 1}

        """)
  }

  /// A manifest written with CRLF line endings keeps them (`wt project add`
  /// crashed on one: Swift reads "\r\n" as one character).
  @Test func aCRLFManifestKeepsItsLineEndings() throws {
    let text = "version: 1\r\nprojects:\r\n  a:\r\n    path: /tmp\r\n"
    let out = try ManifestEditor.addingProject(name: "b", path: "/x", to: text)
    #expect(out == text + "  b:\r\n    path: \"/x\"\r\n")
  }

  @Test func addsAProjectsBlockWhenThereIsNone() throws {
    #expect(
      try ManifestEditor.addingProject(name: "a", path: "/x", to: "version: 1\n")
        == "version: 1\nprojects:\n  a:\n    path: \"/x\"\n")
  }

  @Test func refusesDuplicatesAndFlowStyle() {
    #expect(throws: ManifestEditor.Refusal.self) {
      try ManifestEditor.addingProject(name: "a", path: "/x", to: "version: 1\nprojects:\n  a: {path: /y}\n")
    }
    #expect(throws: ManifestEditor.Refusal.self) {
      try ManifestEditor.addingProject(name: "b", path: "/x", to: "version: 1\nprojects: {a: {path: /y}}\n")
    }
  }

  /// `projects: {}` (what a person writes for "none yet"), `~` and `null`
  /// were once followed by the block, which is no YAML at all.
  @Test(arguments: [
    ("projects: {}\n", "projects:\n"), ("projects: { }  # none yet\n", "projects: # none yet\n"),
    ("projects: ~\n", "projects:\n"), ("projects: null # later\n", "projects: # later\n"),
  ])
  func anEmptyValueOnTheKeysLineMakesWayForTheBlock(_ written: String, _ kept: String) throws {
    let out = try ManifestEditor.addingProject(name: "a", path: "/x", to: "version: 1\n" + written + "defaults: {workers: 1}\n")
    #expect(out == "version: 1\n" + kept + "  a:\n    path: \"/x\"\ndefaults: {workers: 1}\n")
    let root = try YAMLParser.parse(out)
    guard case .mapping(let top) = root.kind, case .mapping(let projects) = top[1].value.kind else {
      Issue.record("bad shape: \(out)")
      return
    }
    #expect(projects.map(\.key.scalar) == ["a"])
  }

  @Test func pathsWithQuotesStayData() throws {
    let out = try ManifestEditor.addingProject(name: "q", path: "/tmp/a \"b\" #c", to: "version: 1\nprojects:\n")
    let root = try YAMLParser.parse(out)
    guard case .mapping(let top) = root.kind, case .mapping(let projects) = top[1].value.kind,
      case .mapping(let fields) = projects[0].value.kind
    else { Issue.record("bad shape: \(out)"); return }
    #expect(fields[0].value.scalar == "/tmp/a \"b\" #c")
  }
}
