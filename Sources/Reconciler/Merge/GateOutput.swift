import Foundation

/// Reading a failed gate's output: the first failure, for the worker, and
/// one line of it, for `wt queue` and the worker's status.
extension Gate {
  /// The first failure in a gate's output with a few lines after it: the
  /// first error is the cause, later ones are mostly its echoes. Banners
  /// (`=== FAILURES ===`) and progress lines (`test_errors.py .... [ 40%]`)
  /// are not failures, whatever words they hold. Without a recognisable
  /// failure line, the first lines. A test runner's one-line summary of the
  /// failure, when it is further down, follows after "…".
  static func firstFailure(_ output: String, context: Int = 6) -> String {
    let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let start = lines.firstIndex(where: isFailure)
    var excerpt = start.map { Array(lines[$0..<min(lines.count, $0 + context)]) } ?? Array(lines.prefix(context))
    if let summary = lines.first(where: isTestSummary), !excerpt.contains(summary) { excerpt += ["…", summary] }
    return excerpt.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// One line for the failure: the test runner's summary line when the
  /// excerpt has one, else its first line that is not a banner.
  public static func headline(_ excerpt: String) -> String {
    let lines = excerpt.split(separator: "\n").map(String.init)
    let line = lines.first(where: isTestSummary)
      ?? lines.first { !isBanner($0) && !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? ""
    return line.split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  static let markers = ["error", "fail", "fatal", "panic", "exception", "assert", "traceback"]

  /// A line that reports a failure: a marker as a word of its own
  /// (`error:`, `FAILED`, `panicked`) or the last part of a CamelCase name
  /// (`AssertionError`), never inside a file or test name (`test_errors`).
  static func isFailure(_ line: String) -> Bool {
    if isBanner(line) || isProgress(line) { return false }
    if line.contains("✘") { return true }
    let chars = Array(line)
    let lower = Array(line.lowercased())
    // Lower-casing keeps the length for the letters that matter here.
    guard chars.count == lower.count else { return markers.contains { line.lowercased().contains($0) } }
    for marker in markers.map(Array.init) where lower.count >= marker.count {
      for i in 0...(lower.count - marker.count) where Array(lower[i..<(i + marker.count)]) == marker {
        guard i > 0 else { return true }
        let before = chars[i - 1]
        if !(before.isLetter || before.isNumber || "_-./".contains(before)) { return true }
        if before.isLowercase && chars[i].isUppercase { return true }
      }
    }
    return false
  }

  /// `==== FAILURES ====`, `____ test_name ____`, `-----`: a runner's
  /// section titles and rules.
  static func isBanner(_ line: String) -> Bool {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    let rule = { (c: Character) in "=-_*#~".contains(c) }
    guard trimmed.count >= 3 else { return false }
    if trimmed.allSatisfy(rule) { return true }
    return trimmed.prefix(3).allSatisfy(rule) && trimmed.suffix(3).allSatisfy(rule)
  }

  /// pytest's progress: `tests/test_errors.py ..F.   [ 40%]`.
  static func isProgress(_ line: String) -> Bool {
    line.range(of: #"\[\s*\d+%\]\s*$"#, options: .regularExpression) != nil
  }

  /// pytest's short test summary (`FAILED tests/x.py::test_y - message`),
  /// printed for failures and errors by default since pytest 6.0
  /// (https://docs.pytest.org/en/stable/how-to/output.html).
  static func isTestSummary(_ line: String) -> Bool {
    line.range(of: #"^(FAILED|ERROR) \S+(::\S+)?( - .*)?$"#, options: .regularExpression) != nil
  }
}
