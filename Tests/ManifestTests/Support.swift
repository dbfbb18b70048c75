import Foundation
@testable import Manifest

/// A throwaway folder with a wt.yaml in it, removed when the test ends.
final class Sandbox {
  let root: String

  init() {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-manifest-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: root) }

  @discardableResult
  func write(_ relative: String, _ text: String) -> String {
    let path = (root as NSString).appendingPathComponent(relative)
    try! FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try! text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func mkdir(_ relative: String) {
    try! FileManager.default.createDirectory(
      atPath: (root as NSString).appendingPathComponent(relative), withIntermediateDirectories: true)
  }

  var loader: ManifestLoader { ManifestLoader(environment: ["HOME": root], currentDirectory: root) }

  func load(_ text: String, file: String = "wt.yaml") -> LoadResult {
    loader.load(file: write(file, text))
  }
}

/// Diagnostics reduced to what tests compare: position and problem.
func problems(_ result: LoadResult) -> [String] {
  result.diagnostics.map { "\($0.mark) \($0.problem)" }
}

func at(_ line: Int, _ column: Int, _ problem: Problem) -> String {
  "\(Mark(line: line, column: column)) \(problem)"
}

/// The repository's root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().path
