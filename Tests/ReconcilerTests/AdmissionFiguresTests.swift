import Foundation
import Testing
@testable import Manifest
@testable import Reconciler

/// A refusal compares a figure with its limit; the two must read as
/// different whenever they are (issue 22: "1.5 per core (max 1.5, settings.admission.max_load_per_core)").
@Suite(.timeLimit(.minutes(1))) struct AdmissionFiguresTests {
  func refusal(_ machine: Observed.Machine) -> [String] {
    plan(PlanTests.manifest([PlanTests.project()]), PlanTests.observed(ready: [PlanTests.bead("api-1")], machine: machine))
      .waiting.map(\.reason)
  }

  @Test func aLoadJustOverTheLimitReadsOverIt() {
    #expect(refusal(.init(cores: 2, load1: 3.04, memoryAvailable: 16 << 30)) == [
      "admission: load 3.04 over 2 cores is 1.52 per core (max 1.5, settings.admission.max_load_per_core)"
    ])
    #expect(refusal(.init(cores: 4, load1: 6.0004, memoryAvailable: 16 << 30)) == [
      "admission: load 6.0004 over 4 cores is 1.5001 per core (max 1.5, settings.admission.max_load_per_core)"
    ])
  }

  @Test func aLoadWellOverTheLimitKeepsOneDecimal() {
    #expect(refusal(.init(cores: 2, load1: 6.2, memoryAvailable: 16 << 30)) == [
      "admission: load 6.2 over 2 cores is 3.1 per core (max 1.5, settings.admission.max_load_per_core)"
    ])
  }

  /// The total needed is said, and an available figure just under it
  /// reads under it.
  @Test func memoryJustUnderTheNeedReadsUnderIt() {
    let need: UInt64 = (2 << 30) + (400 << 20)
    #expect(refusal(.init(cores: 2, load1: 0, memoryAvailable: need - (10 << 20))) == [
      "admission: 2.38 GiB memory available, need 2.39 GiB (2 GiB free plus 400 MiB per new agent; settings.admission.min_free_memory)"
    ])
    #expect(refusal(.init(cores: 2, load1: 0, memoryAvailable: 2 << 30)) == [
      "admission: 2 GiB memory available, need 2.4 GiB (2 GiB free plus 400 MiB per new agent; settings.admission.min_free_memory)"
    ])
  }

  @Test(arguments: [
    (1.52, 1.5, "1.52", "1.5"), (1.5, 1.5, "1.5", "1.5"), (3.1, 1.5, "3.1", "1.5"), (2.0, 1.5, "2", "1.5"),
    (1.50000001, 1.5, "1.50000001", "1.5"), (0.96, 1.0, "0.96", "1"), (1.04, 1.0, "1.04", "1"),
  ])
  func figuresDifferWhereTheValuesDo(_ value: Double, _ limit: Double, _ shown: String, _ max: String) {
    let figures = Figures(value, against: limit)
    #expect(figures.value == shown && figures.limit == max)
  }

  @Test func memoryUnderAGibibyteIsInWholeMebibytesUnlessThatHidesTheDifference() {
    #expect(Figures.memory(300 << 20, against: 500 << 20) == ("300 MiB", "500 MiB"))
    #expect(Figures.memory((500 << 20) - 1000, against: 500 << 20) == ("499.999 MiB", "500 MiB"))
  }
}
