import Foundation

/// A red batch: which entry breaks it. The batch's commits are the results
/// of its prefixes (`commits[i]` holds members 0…i), so the search gates
/// prefixes, halving the range between the longest one known green (none:
/// base) and the shortest known red (the whole batch): ⌈log2 n⌉ gates. The
/// entry that first makes a prefix red is the culprit, exactly the one a
/// serial queue would have failed; the longest green prefix (gated) lands
/// in one move; the entries after the culprit go back to the queue and are
/// gated together in the next round. One bad entry in n thus costs
/// ⌈log2 n⌉ + 2 gates.
extension MergeTrain {
  struct Failure: Sendable {
    var command: [String]
    var status: Int32
    var excerpt: String
  }

  func search(_ batch: Batch, from current: String, failure: Failure) async throws {
    // A gate stopped by a signal did not fail: no entry is to blame.
    if GateInterrupted.signal(status: failure.status) != nil {
      for entry in batch.members { try queue.settle(entry, .gateFailed(failure)) }
      return
    }
    var green = 0, red = batch.members.count
    var redFailure = failure
    var gated: [String] = []
    while red - green > 1 {
      let middle = (green + red) / 2
      let prefix = Array(batch.members.prefix(middle))
      try queue.markGating(prefix, batch: String(UUID().uuidString.prefix(8)).lowercased())
      try queue.requeue(Array(batch.members[middle...]))
      switch try await gate(slot: 0).run(on: batch.commits[middle - 1]) {
      case .passed(let commands):
        green = middle
        gated = commands
      case .failed(let command, let status, let excerpt):
        red = middle
        redFailure = Failure(command: command, status: status, excerpt: excerpt)
        if GateInterrupted.signal(status: status) != nil {
          for entry in batch.members { try queue.settle(entry, .gateFailed(redFailure)) }
          return
        }
      }
    }
    try queue.requeue(Array(batch.members.prefix(green)))
    switch try await land(batch, count: green, from: current, gated: gated) {
    case .landed, .baseMoved:
      // Base moved meanwhile: the green prefix waits again (its gate
      // proves nothing on another base); the culprit is still the culprit.
      break
    case .held(let why):
      for entry in batch.members.prefix(green) { try queue.settle(entry, .held(why)) }
    }
    try queue.settle(batch.members[red - 1], .gateFailed(redFailure))
    try queue.requeue(Array(batch.members[red...]))
  }
}

extension MergeOutcome {
  static func gateFailed(_ failure: MergeTrain.Failure) -> MergeOutcome {
    .gateFailed(command: failure.command, status: failure.status, excerpt: failure.excerpt)
  }
}
