import Foundation
import Testing
@testable import Reconciler

/// bd's statuses as a closed set wt compares by case, not by spelling; a
/// status a later bd adds passes through instead of making the bead
/// unreadable.
@Suite(.timeLimit(.minutes(1))) struct BeadStatusTests {
  @Test func bdsStatusesReadAsCasesAndANewOneAsOther() throws {
    let json = #"""
      [{"id":"p-1","title":"a","status":"in_progress","priority":1,"created_at":"2026-01-01T00:00:00Z"},
       {"id":"p-2","title":"b","status":"hooked","priority":1,"created_at":"2026-01-01T00:00:00Z"},
       {"id":"p-3","title":"c","status":"in_review","priority":1,"created_at":"2026-01-01T00:00:00Z"},
       {"id":"p-4","title":"d","priority":1,"created_at":"2026-01-01T00:00:00Z"}]
      """#
    let beads = try JSONDecoder().decode([Bead.Lenient].self, from: Data(json.utf8)).map(\.bead)
    #expect(beads.map(\.status) == [.inProgress, .hooked, .other("in_review"), nil])
    #expect(beads.allSatisfy { $0.unreadable == nil })
    let written = try JSONEncoder().encode(beads[0])
    #expect(String(decoding: written, as: UTF8.self).contains(#""status":"in_progress""#))
    #expect(BeadStatus.known.allSatisfy { BeadStatus(rawValue: $0.rawValue) == $0 })
  }
}
