import Foundation

/// Reads typed values out of YAML nodes and collects a diagnostic for each
/// one that is wrong, instead of stopping at the first.
final class NodeReader {
  let file: String
  private(set) var diagnostics: [Diagnostic] = []
  /// `settings.budget` where it was read, for checks after merging.
  var settingsBudget: WrittenBudget?

  init(file: String) { self.file = file }

  func report(_ problem: Problem, at mark: Mark) {
    diagnostics.append(Diagnostic(file: file, mark: mark, problem: problem))
  }

  func report(_ error: YAMLError) { report(.yaml(error.kind), at: error.mark) }

  /// A mapping's entries by key, after reporting unknown keys (with the
  /// closest known one), duplicate keys and non-string keys. Nil when the
  /// node is not a mapping (reported too).
  func fields(_ node: YAMLNode, key: String, context: String, known: [String]) -> Fields? {
    guard case .mapping(let pairs) = node.kind else {
      if node.isNull { return Fields(pairs: [:]) }
      report(.wrongType(key: key, expected: "a mapping", got: node.typeName), at: node.mark)
      return nil
    }
    var seen: [String: YAMLNode.Pair] = [:]
    for pair in pairs {
      guard let name = pair.key.scalar else {
        report(.wrongType(key: "\(context) key", expected: "a string", got: pair.key.typeName), at: pair.key.mark)
        continue
      }
      if let first = seen[name] {
        if !pair.merged { report(.duplicateKey(name, firstLine: first.key.mark.line), at: pair.key.mark) }
        continue
      }
      seen[name] = pair
      // A key merged in with `<<` is reported where it is written, once.
      if !known.contains(name) && !pair.merged {
        report(.unknownKey(name, in: context, suggestion: suggestion(for: name, among: known)), at: pair.key.mark)
      }
    }
    return Fields(pairs: seen.filter { known.contains($0.key) })
  }

  /// Entries of a mapping whose keys are names the person chose (projects,
  /// agents, env), in file order, with duplicates reported.
  func entries(_ node: YAMLNode, key: String) -> [(name: String, key: YAMLNode, value: YAMLNode)] {
    guard case .mapping(let pairs) = node.kind else {
      if !node.isNull { report(.wrongType(key: key, expected: "a mapping", got: node.typeName), at: node.mark) }
      return []
    }
    var seen: [String: Int] = [:]
    var out: [(String, YAMLNode, YAMLNode)] = []
    for pair in pairs {
      guard let name = pair.key.scalar else {
        report(.wrongType(key: "\(key) key", expected: "a string", got: pair.key.typeName), at: pair.key.mark)
        continue
      }
      if let line = seen[name] {
        if !pair.merged { report(.duplicateKey(name, firstLine: line), at: pair.key.mark) }
        continue
      }
      seen[name] = pair.key.mark.line
      out.append((name, pair.key, pair.value))
    }
    return out
  }

  func string(_ node: YAMLNode, key: String) -> String? {
    guard case .scalar(let text, _) = node.kind, !node.isNull else {
      report(.wrongType(key: key, expected: "a string", got: node.typeName), at: node.mark)
      return nil
    }
    return text
  }

  func int(_ node: YAMLNode, key: String, range: ClosedRange<Int>) -> Int? {
    guard case .scalar(let text, .plain) = node.kind, let value = Int(text) else {
      report(.wrongType(key: key, expected: "a whole number", got: node.typeName), at: node.mark)
      return nil
    }
    guard range.contains(value) else {
      report(.outOfRange(key: key, value: text, expected: Self.describe(range)), at: node.mark)
      return nil
    }
    return value
  }

  func double(_ node: YAMLNode, key: String, above minimum: Double, atMost maximum: Double = .infinity) -> Double? {
    guard case .scalar(let text, .plain) = node.kind, let value = Double(text), value.isFinite else {
      report(.wrongType(key: key, expected: "a number", got: node.typeName), at: node.mark)
      return nil
    }
    guard value > minimum, value <= maximum else {
      let expected = maximum.isFinite
        ? "greater than \(minimum.formatted()) and at most \(maximum.formatted())" : "greater than \(minimum.formatted())"
      report(.outOfRange(key: key, value: text, expected: expected), at: node.mark)
      return nil
    }
    return value
  }

  func bool(_ node: YAMLNode, key: String) -> Bool? {
    if case .scalar(let text, .plain) = node.kind {
      if ["true", "True", "TRUE", "yes"].contains(text) { return true }
      if ["false", "False", "FALSE", "no"].contains(text) { return false }
    }
    report(.wrongType(key: key, expected: "true or false", got: node.typeName), at: node.mark)
    return nil
  }

  func choice<T: RawRepresentable & CaseIterable>(_ node: YAMLNode, key: String, as: T.Type) -> T?
  where T.RawValue == String {
    guard let text = string(node, key: key) else { return nil }
    if let value = T(rawValue: text) { return value }
    report(.invalidChoice(key: key, value: text, choices: T.allCases.map(\.rawValue)), at: node.mark)
    return nil
  }

  func strings(_ node: YAMLNode, key: String) -> [String]? {
    guard case .sequence(let items) = node.kind else {
      report(.wrongType(key: key, expected: "a list of strings", got: node.typeName), at: node.mark)
      return nil
    }
    let values = items.compactMap { string($0, key: "\(key)[]") }
    return values.count == items.count ? values : nil
  }

  /// One program with its arguments, e.g. `[npm, test]`.
  func command(_ node: YAMLNode, key: String) -> [String]? {
    guard let argv = strings(node, key: key) else { return nil }
    if argv.isEmpty || argv[0].isEmpty {
      report(.emptyCommand(key: key), at: node.mark)
      return nil
    }
    return argv
  }

  /// A list of commands, e.g. `[[npm, ci], [npm, run, build]]`.
  func commands(_ node: YAMLNode, key: String) -> [[String]]? {
    guard case .sequence(let items) = node.kind else {
      report(.wrongType(key: key, expected: "a list of commands", got: node.typeName), at: node.mark)
      return nil
    }
    let values = items.compactMap { command($0, key: "\(key)[]") }
    return values.count == items.count ? values : nil
  }

  func stringMap(_ node: YAMLNode, key: String) -> [String: String]? {
    var out: [String: String] = [:]
    var ok = true
    for entry in entries(node, key: key) {
      if let value = string(entry.value, key: "\(key).\(entry.name)") { out[entry.name] = value } else { ok = false }
    }
    return ok ? out : nil
  }

  func regex(_ node: YAMLNode, key: String) -> String? {
    guard let pattern = string(node, key: key) else { return nil }
    do {
      _ = try NSRegularExpression(pattern: pattern)
      return pattern
    } catch {
      report(.invalidRegex(key: key, pattern: pattern), at: node.mark)
      return nil
    }
  }

  func template(_ node: YAMLNode, key: String) -> Template? {
    guard let text = string(node, key: key) else { return nil }
    do {
      return try Template(text)
    } catch {
      switch error {
      case .unclosed:
        report(.unclosedTemplate(key: key), at: node.mark)
      case .unknownField(let field):
        report(
          .unknownTemplateField(key: key, field: field, suggestion: suggestion(for: field, among: Template.knownFields)),
          at: node.mark)
      }
    }
    return nil
  }

  func templates(_ node: YAMLNode, key: String) -> [Template]? {
    guard let argv = command(node, key: key) else { return nil }
    let items: [YAMLNode] = if case .sequence(let items) = node.kind { items } else { [] }
    let values = zip(argv, items).compactMap { template($0.1, key: "\(key)[]") }
    return values.count == argv.count ? values : nil
  }

  /// A byte size such as `2GiB`, `512MiB`, `1.5G` or a plain number of bytes.
  func size(_ node: YAMLNode, key: String) -> UInt64? {
    guard case .scalar(let text, _) = node.kind, !node.isNull else {
      report(.wrongType(key: key, expected: "a size", got: node.typeName), at: node.mark)
      return nil
    }
    guard let bytes = Self.parseSize(text) else {
      report(.invalidSize(key: key, value: text), at: node.mark)
      return nil
    }
    return bytes
  }

  static func parseSize(_ text: String) -> UInt64? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let number = trimmed.prefix { $0.isNumber || $0 == "." }
    let unit = trimmed.dropFirst(number.count).trimmingCharacters(in: .whitespaces).lowercased()
    let scale: Double
    switch unit {
    case "", "b": scale = 1
    case "k", "kib": scale = 1024
    case "kb": scale = 1000
    case "m", "mib": scale = 1_048_576
    case "mb": scale = 1_000_000
    case "g", "gib": scale = 1_073_741_824
    case "gb": scale = 1_000_000_000
    case "t", "tib": scale = 1_099_511_627_776
    case "tb": scale = 1_000_000_000_000
    default: return nil
    }
    guard let value = Double(number), value >= 0, value * scale < 1e18 else { return nil }
    return UInt64(value * scale)
  }

  private static func describe(_ range: ClosedRange<Int>) -> String {
    if range.upperBound == .max { return "at least \(range.lowerBound)" }
    return "between \(range.lowerBound) and \(range.upperBound)"
  }
}

/// A mapping's known entries, by key.
struct Fields {
  var pairs: [String: YAMLNode.Pair]
  subscript(key: String) -> YAMLNode? { pairs[key]?.value }
  func keyMark(_ key: String) -> Mark? { pairs[key]?.key.mark }
}
