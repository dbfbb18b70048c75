import Foundation

extension NodeReader {
  static let limitKeys = ["match", "kind", "resets"]

  /// `limits: [{match, kind, resets}]`; `resets` needs a capture group
  /// (the reset time as printed).
  func limits(_ node: YAMLNode) -> [AgentProfile.LimitPattern] {
    guard case .sequence(let items) = node.kind else {
      report(.wrongType(key: "limits", expected: "a list of {match, kind, resets}", got: node.typeName), at: node.mark)
      return []
    }
    return items.compactMap { item in
      guard let f = fields(item, key: "limits[]", context: "a limit", known: Self.limitKeys) else { return nil }
      guard let m = f["match"], let k = f["kind"] else {
        for key in ["match", "kind"] where f[key] == nil { report(.missingKey(key, in: "a limit"), at: item.mark) }
        return nil
      }
      let pattern = regex(m, key: "match")
      let kind = choice(k, key: "kind", as: AgentProfile.LimitPattern.Kind.self)
      var resets: String?
      if let r = f["resets"] {
        guard let text = regex(r, key: "resets") else { return nil }
        if ((try? NSRegularExpression(pattern: text))?.numberOfCaptureGroups ?? 0) < 1 {
          report(.regexWithoutCapture(key: "resets", pattern: text), at: r.mark)
          return nil
        }
        resets = text
      }
      guard let pattern, let kind else { return nil }
      return AgentProfile.LimitPattern(match: pattern, kind: kind, resets: resets)
    }
  }
}
