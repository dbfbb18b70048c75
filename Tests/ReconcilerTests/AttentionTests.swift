import Foundation
import Testing
@testable import Reconciler

/// "N need you" (`wt status --attention`, `wt watch`, the hub): only
/// workers that nothing but a person moves on. A limit the clock lifts by
/// itself is shown, with its time, but it does not call the person.
@Suite(.timeLimit(.minutes(1))) struct AttentionTests {
  static let now = Date(timeIntervalSince1970: 1_796_553_000)

  static func record(_ status: WorkerState, limit: Limit? = nil, held: Bool = false, bead: String) -> WorkerRecord {
    var r = WorkerRecord(name: "api/\(bead)", project: "api", bead: bead, branch: "wt/\(bead)", worktree: "/wt/\(bead)", createdAt: now)
    r.status = status
    r.limit = limit
    r.held = held ? true : nil
    return r
  }

  static func limit(_ kind: Limit.Kind, until: Date?) -> Limit {
    Limit(kind: kind, until: until, since: now, reason: kind.rawValue)
  }

  /// Each case: the record, and whether it needs a person.
  static let cases: [(WorkerRecord, Bool)] = [
    (record(.limited, limit: limit(.usage, until: now + 600), bead: "usage"), false),
    (record(.limited, limit: limit(.overloaded, until: now + 60), bead: "backoff"), false),
    (record(.limited, limit: limit(.transient, until: now + 30), bead: "retrying"), false),
    (record(.limited, limit: limit(.usage, until: now + 600), held: true, bead: "held"), true),
    (record(.limited, limit: limit(.budget, until: nil), bead: "budget"), true),
    (record(.limited, limit: limit(.unknownReset, until: nil), bead: "no-time"), true),
    // Declared by `wt signal limited` with nothing the clock can use.
    (record(.limited, bead: "declared"), true),
    (record(.needsInput, limit: limit(.needsPerson, until: nil), bead: "billing"), true),
    (record(.stuck, bead: "stuck"), true),
    (record(.working, bead: "working"), false),
  ]

  @Test func onlyWhatNoClockLiftsIsCounted() {
    for (r, needs) in Self.cases { #expect(r.needsPerson == needs, "\(r.bead)") }
    let workers = Dictionary(uniqueKeysWithValues: Self.cases.map { ($0.0.name, $0.0) })
    #expect(Attention.count(in: State(workers: workers)) == Self.cases.filter(\.1).count)
  }

  /// A row of `wt status` and `wt watch` says the same as its record.
  @Test func aRowAgreesWithItsRecord() {
    for (r, needs) in Self.cases {
      var row = WorkerStatus(
        name: r.name, project: r.project, bead: r.bead, title: "t", status: r.status ?? .starting, statusAge: 1, idleFor: 1,
        commitsAhead: 0, uncommittedFiles: 0, memoryBytes: nil, worktree: r.worktree, session: "wt-\(r.bead)", message: nil)
      row.showLimit(of: r)
      #expect(row.needsPerson == needs, "\(r.bead)")
    }
  }
}
