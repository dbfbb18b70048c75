import Testing
@testable import Manifest

@Suite(.timeLimit(.minutes(1))) struct YAMLParserTests {
  func mapping(_ node: YAMLNode) -> [YAMLNode.Pair] {
    if case .mapping(let pairs) = node.kind { return pairs }
    Issue.record("not a mapping: \(node)")
    return []
  }

  @Test func keepsMarksOfKeysAndValues() throws {
    let root = try YAMLParser.parse("a: 1\nbb:\n  c: 'x'\n  d: [1, \"two\"]\n")
    let pairs = mapping(root)
    #expect(pairs.map { $0.key.mark } == [Mark(line: 1, column: 1), Mark(line: 2, column: 1)])
    #expect(pairs[0].value.mark == Mark(line: 1, column: 4))
    let inner = mapping(pairs[1].value)
    #expect(inner[0].value.kind == .scalar("x", .quoted))
    #expect(inner[0].value.mark == Mark(line: 3, column: 6))
    guard case .sequence(let items) = inner[1].value.kind else { Issue.record("no list"); return }
    #expect(items.map(\.mark) == [Mark(line: 4, column: 7), Mark(line: 4, column: 10)])
    #expect(items[1].typeName == "a string")
    #expect(items[0].typeName == "a number")
  }

  @Test func expandsAliasesAndMergeKeys() throws {
    let text = """
      base: &b {x: 1, y: 2}
      other: &o {z: 3}
      use:
        <<: [*b, *o]
        y: 20
      copy: *b
      """
    let pairs = mapping(try YAMLParser.parse(text))
    let use = mapping(pairs[2].value)
    #expect(use.map { $0.key.scalar } == ["y", "x", "z"])
    #expect(use.map(\.merged) == [false, true, true])
    #expect(use[0].value.scalar == "20")
    #expect(mapping(pairs[3].value).map { $0.key.scalar } == ["x", "y"])
  }

  @Test func keepsDuplicateKeysForTheReader() throws {
    let pairs = mapping(try YAMLParser.parse("a: 1\na: 2\n"))
    #expect(pairs.count == 2)
  }

  @Test func blockScalarsAndComments() throws {
    let pairs = mapping(try YAMLParser.parse("# c\np: |\n  line one\n  line two\n"))
    #expect(pairs[0].value.kind == .scalar("line one\nline two\n", .block))
  }

  func error(_ text: String) -> YAMLError? {
    do {
      _ = try YAMLParser.parse(text)
      return nil
    } catch { return error }
  }

  @Test func rejectsSeveralDocuments() {
    #expect(error("a: 1\n---\nb: 2\n") == YAMLError(kind: .multipleDocuments, mark: Mark(line: 2, column: 1)))
  }

  @Test func rejectsEmptyFiles() {
    #expect(error("")?.kind == .empty)
    #expect(error("# only a comment\n")?.kind == .empty)
  }

  @Test func rejectsTabIndentationWithItsPosition() {
    #expect(error("a:\n  b: 1\n\tc: 2\n") == YAMLError(kind: .tabIndentation, mark: Mark(line: 3, column: 1)))
    #expect(error("a:\n \tb: 1\n") == YAMLError(kind: .tabIndentation, mark: Mark(line: 2, column: 2)))
  }

  @Test func stopsAliasBombs() {
    var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for i in 1..<9 {
      let p = "*a\(i - 1)"
      text += "a\(i): &a\(i) [\(Array(repeating: p, count: 10).joined(separator: ", "))]\n"
    }
    guard case .aliasExpansion = error(text)?.kind else {
      Issue.record("an alias bomb was accepted")
      return
    }
  }

  @Test func rejectsHugeFiles() {
    let text = "a: \"" + String(repeating: "x", count: YAMLParser.maxBytes) + "\"\n"
    guard case .tooLarge = error(text)?.kind else {
      Issue.record("a file over the limit was accepted")
      return
    }
  }

  @Test func reportsSyntaxErrorsWithPosition() {
    let e = error("a: [1, 2\nb: 3\n")
    guard case .syntax = e?.kind else {
      Issue.record("expected a syntax error, got \(String(describing: e))")
      return
    }
    #expect(e?.mark.line == 2)
  }

  @Test func rejectsUnknownAliases() {
    #expect(error("a: *nope\n") == YAMLError(kind: .unknownAnchor("nope"), mark: Mark(line: 1, column: 4)))
  }
}

@Suite(.timeLimit(.minutes(1))) struct YAMLDepthTests {
  @Test func refusesDeepNesting() {
    let text = "a: " + String(repeating: "[", count: 5000)
    do {
      _ = try YAMLParser.parse(text)
      Issue.record("deep nesting was accepted")
    } catch {
      #expect(error.kind == .tooDeep(limit: YAMLParser.maxDepth))
    }
  }
}
