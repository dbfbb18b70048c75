import Foundation

extension NodeReader {
  /// `questions: [{match, keys}]`; `keys` left out: the person answers.
  func questions(_ node: YAMLNode) -> [AgentProfile.Question] {
    guard case .sequence(let items) = node.kind else {
      report(.wrongType(key: "questions", expected: "a list of {match, keys}", got: node.typeName), at: node.mark)
      return []
    }
    return items.compactMap { item in
      guard let f = fields(item, key: "questions[]", context: "a question", known: Self.dialogKeys) else { return nil }
      guard let m = f["match"] else {
        report(.missingKey("match", in: "a question"), at: item.mark)
        return nil
      }
      guard let pattern = regex(m, key: "match") else { return nil }
      guard let k = f["keys"] else { return AgentProfile.Question(match: pattern) }
      guard let keys = strings(k, key: "keys") else { return nil }
      return AgentProfile.Question(match: pattern, keys: keys)
    }
  }
}
