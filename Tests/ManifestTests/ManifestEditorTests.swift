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

  @Test func pathsWithQuotesStayData() throws {
    let out = try ManifestEditor.addingProject(name: "q", path: "/tmp/a \"b\" #c", to: "version: 1\nprojects:\n")
    let root = try YAMLParser.parse(out)
    guard case .mapping(let top) = root.kind, case .mapping(let projects) = top[1].value.kind,
      case .mapping(let fields) = projects[0].value.kind
    else { Issue.record("bad shape: \(out)"); return }
    #expect(fields[0].value.scalar == "/tmp/a \"b\" #c")
  }
}
