import Foundation
import Testing

@testable import Manifest

/// What wt prints for another program reads back as the same values:
/// text stays text (a colon, a leading dash, a word YAML would take for a
/// boolean or a number), whatever a person wrote in it.
@Suite(.timeLimit(.minutes(1))) struct YAMLEmitterTests {
  static let texts = [
    "plain", "a: b", "key: value # not a comment", "- item", "yes", "no", "on", "true", "null", "~", "", "1", "1.0", "0x1F",
    "1e3", "012", "12:30", ".inf", "'", "\"", "it's", "#hash", "&anchor", "*alias", "!tag", "%directive", "@at", "`tick`",
    "a\nb", " leading", "trailing ", "\t", "grüße 🧪", "{a: b}", "[x]", "|", ">", "---", "...", "registry.example.com:5000/wt:1.0",
  ]

  @Test func everyTextReadsBackAsTheSameText() throws {
    let document = YAMLValue.mapping(Self.texts.enumerated().map { ("k\($0.offset)", .string($0.element)) } + [("texts", .sequence(Self.texts.map(YAMLValue.string)))])
    let text = try YAMLEmitter.emit([document])
    let root = try YAMLParser.parse(text)
    guard case .mapping(let pairs) = root.kind else { Issue.record("not a mapping: \(text)"); return }
    for (i, expected) in Self.texts.enumerated() {
      let node = pairs.first { $0.key.scalar == "k\(i)" }?.value
      #expect(node?.scalar == expected, "\(expected.debugDescription) came back as \(String(describing: node?.scalar)) in:\n\(text)")
      // Quoted whenever a reader would take the plain word for another type.
      if YAMLEmitter.looksLikeAnotherType(expected), case .scalar(_, let style)? = node?.kind { #expect(style != .plain, "\(expected)") }
    }
    guard case .sequence(let items)? = pairs.last?.value.kind else { Issue.record("no sequence"); return }
    #expect(items.map(\.scalar) == Self.texts.map(Optional.some))
  }

  @Test func numbersAndBooleansArePlainAndDocumentsAreSeparated() throws {
    let text = try YAMLEmitter.emit([.mapping([("replicas", .int(0)), ("on", .bool(false))]), .mapping([("kind", .string("Service"))])])
    #expect(text == "---\nreplicas: 0\n'on': false\n---\nkind: Service\n")
  }
}
