import Foundation
import Testing

/// README.md and docs/ are read on GitHub and in a checkout: every relative
/// link in them names a file that is there (and a heading in it, when the
/// link names one), and the source cites only what a reader has: files in
/// the repository or public URLs, never a path of one machine.
@Suite(.timeLimit(.minutes(1))) struct DocumentationLinkTests {
  static var pages: [String] {
    let docs = (try? FileManager.default.contentsOfDirectory(atPath: "\(packageRoot)/docs")) ?? []
    return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
  }

  /// Markdown's `[text](target)` outside code blocks and code spans.
  static func links(in text: String) -> [String] {
    var out: [String] = []
    var fenced = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("```") { fenced.toggle() }
      if fenced { continue }
      let prose = line.replacingOccurrences(of: "`[^`]*`", with: "", options: .regularExpression)
      let pattern = try! NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
      for match in pattern.matches(in: prose, range: NSRange(prose.startIndex..., in: prose)) {
        out.append(String(prose[Range(match.range(at: 1), in: prose)!]))
      }
    }
    return out
  }

  /// GitHub's anchor for a heading: lower case, punctuation dropped, spaces
  /// as hyphens.
  static func anchors(in text: String) -> Set<String> {
    var out: Set<String> = []
    var fenced = false
    for line in text.split(separator: "\n") {
      if line.hasPrefix("```") { fenced.toggle() }
      guard !fenced, line.hasPrefix("#") else { continue }
      let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
      let kept = title.unicodeScalars.filter {
        CharacterSet.alphanumerics.contains($0) || $0 == " " || $0 == "-" || $0 == "_"
      }
      out.insert(String(String.UnicodeScalarView(kept)).replacingOccurrences(of: " ", with: "-"))
    }
    return out
  }

  @Test(arguments: pages) func everyRelativeLinkResolves(page: String) throws {
    let text = try String(contentsOfFile: "\(packageRoot)/\(page)", encoding: .utf8)
    let folder = (page as NSString).deletingLastPathComponent
    let targets = Self.links(in: text).filter { !$0.contains("://") && !$0.hasPrefix("mailto:") }
    #expect(!targets.isEmpty || page != "README.md", "README links its docs pages")
    for target in targets {
      let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
      let file = parts[0].isEmpty ? page : (folder as NSString).appendingPathComponent(parts[0])
      let path = ((packageRoot as NSString).appendingPathComponent(file) as NSString).standardizingPath
      #expect(FileManager.default.fileExists(atPath: path), "\(page): \(target) names no file")
      if parts.count == 2, path.hasSuffix(".md"), let linked = try? String(contentsOfFile: path, encoding: .utf8) {
        #expect(Self.anchors(in: linked).contains(parts[1]), "\(page): \(target) names no heading")
      }
    }
  }

  /// Every page in docs/ is reachable from the README.
  @Test func everyDocsPageIsLinkedFromTheREADME() throws {
    let readme = try String(contentsOfFile: "\(packageRoot)/README.md", encoding: .utf8)
    let linked = Set(Self.links(in: readme).map { $0.split(separator: "#").first.map(String.init) ?? $0 })
    for page in Self.pages where page != "README.md" { #expect(linked.contains(page), "README does not link \(page)") }
  }

  /// Paths that exist on one machine only: the checkout this was written
  /// in and the notes beside it.
  static let machinePaths = ["/work/", "/shared/", "shared/reference", "../shared", "/Users/", "/root/"]

  @Test func theSourceCitesNoPathOfOneMachine() throws {
    var found: [String] = []
    for folder in ["Sources", "Tests", "scripts", "docs"] {
      let root = "\(packageRoot)/\(folder)"
      guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
      for case let file as String in walker {
        // Captured screens and hostile inputs are data, not citations; a
        // test may name a path it makes up.
        guard !file.contains("Fixtures/"), !file.hasPrefix("Corpus"),
          let text = try? String(contentsOfFile: "\(root)/\(file)", encoding: .utf8)
        else { continue }
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
          let comment = line.range(of: "//").map { line[$0.lowerBound...] } ?? (line.hasPrefix("#") ? line[...] : nil)
          let cited = comment ?? (file.hasSuffix(".md") ? line[...] : nil)
          guard let cited, let path = Self.machinePaths.first(where: { cited.contains($0) }),
            !(file.hasSuffix("DocumentationLinkTests.swift"))
          else { continue }
          found.append("\(folder)/\(file):\(n + 1): \(path)")
        }
      }
    }
    #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
  }
}
