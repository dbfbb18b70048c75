import Testing
@testable import Manifest

/// An agent profile's `limits:`: read field by field, every mistake with
/// its position, and the built-in profiles' own lists well formed.
@Suite(.timeLimit(.minutes(1))) struct LimitPatternTests {
  @Test func aDeclaredListIsReadInOrder() throws {
    let box = Sandbox()
    box.mkdir("a")
    let result = box.load(
      """
      version: 1
      agents:
        mine:
          command: [mine]
          ready: '> $'
          limits:
            - {match: '^Retrying', kind: transient}
            - match: 'limit · resets '
              kind: usage
              resets: 'resets (.+)$'
            - {match: 'quota', kind: needs-person}
      projects:
        a: {path: a, agent: mine}
      """)
    #expect(result.diagnostics.isEmpty, "\(problems(result))")
    let limits = try #require(result.manifest?.agents["mine"]?.limits)
    #expect(
      limits == [
        .init(match: "^Retrying", kind: .transient),
        .init(match: "limit · resets ", kind: .usage, resets: "resets (.+)$"),
        .init(match: "quota", kind: .needsPerson),
      ])
  }

  @Test func everyMistakeIsListedWithItsPosition() {
    let box = Sandbox()
    box.mkdir("a")
    let result = box.load(
      """
      version: 1
      agents:
        aider:
          limits:
            - {match: '(', kind: usage}
            - {match: ok, kind: paused}
            - {match: ok, kind: usage, resets: 'resets .+$'}
            - {kind: usage, until: x}
      projects:
        a: {path: a, agent: aider}
      """)
    #expect(
      problems(result) == [
        at(5, 17, .invalidRegex(key: "match", pattern: "(")),
        at(6, 27, .invalidChoice(key: "kind", value: "paused", choices: AgentProfile.LimitPattern.Kind.allCases.map(\.rawValue))),
        at(7, 42, .regexWithoutCapture(key: "resets", pattern: "resets .+$")),
        at(8, 9, .missingKey("match", in: "a limit")),
        at(8, 23, .unknownKey("until", in: "a limit", suggestion: nil)),
      ])
  }

  @Test func notAListIsSaidSo() {
    let box = Sandbox()
    box.mkdir("a")
    let result = box.load(
      """
      version: 1
      agents:
        aider: {limits: {match: x}}
      projects:
        a: {path: a, agent: aider}
      """)
    #expect(problems(result) == [at(3, 19, .wrongType(key: "limits", expected: "a list of {match, kind, resets}", got: "a mapping"))])
  }

  @Test func anOverrideOfAnotherFieldKeepsTheBuiltInList() throws {
    let box = Sandbox()
    box.mkdir("a")
    let result = box.load(
      """
      version: 1
      agents:
        claude: {command: [claude]}
      projects:
        a: {path: a}
      """)
    #expect(result.manifest?.agents["claude"]?.limits == BuiltInAgents.claude.limits)
  }
}
