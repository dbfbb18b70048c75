import Foundation
import Testing
@testable import Manifest

/// Thousands of damaged manifests: every one must come back as a model or
/// as diagnostics, never a crash or a hang.
@Suite(.timeLimit(.minutes(1))) struct FuzzTests {
  /// A small deterministic generator so a failure can be replayed.
  struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  static let alphabet = Array(" \n\t:-[]{},&*<|>'\"#!%@`?~{}.0123456789abcxyz".utf8)

  func mutate(_ seed: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
    var bytes = seed
    for _ in 0..<Int.random(in: 1...8, using: &rng) {
      switch Int.random(in: 0..<6, using: &rng) {
      case 0 where !bytes.isEmpty:  // flip a byte
        bytes[Int.random(in: 0..<bytes.count, using: &rng)] = Self.alphabet.randomElement(using: &rng)!
      case 1 where !bytes.isEmpty:  // truncate
        bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
      case 2:  // insert
        bytes.insert(Self.alphabet.randomElement(using: &rng)!, at: Int.random(in: 0...bytes.count, using: &rng))
      case 3 where bytes.count > 2:  // duplicate a slice
        let a = Int.random(in: 0..<bytes.count, using: &rng)
        let b = min(bytes.count, a + Int.random(in: 1...40, using: &rng))
        bytes.insert(contentsOf: bytes[a..<b], at: Int.random(in: 0...bytes.count, using: &rng))
      case 4:  // deep nesting
        let depth = Int.random(in: 1...2000, using: &rng)
        bytes += Array("\nx: ".utf8) + Array(repeating: UInt8(ascii: "["), count: depth)
      default:  // a random raw byte, possibly invalid UTF-8
        bytes.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...bytes.count, using: &rng))
      }
    }
    return bytes
  }

  /// `WT_FUZZ_ITERATIONS` runs a longer campaign (docs/faults.md quotes one).
  static let iterations = ProcessInfo.processInfo.environment["WT_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 3000

  @Test func mutatedManifestsNeverCrash() throws {
    let seeds = try ExamplesAndSchemaTests.examples.map {
      try Data(contentsOf: URL(fileURLWithPath: "\(packageRoot)/\($0)"))
    }
    let box = Sandbox()
    box.mkdir("backend")
    var rng = SplitMix(state: 20_261_125)
    var models = 0
    var rejected = 0
    let path = "\(box.root)/wt.yaml"
    let started = Date()
    for i in 0..<Self.iterations {
      let input = mutate(Array(seeds[i % seeds.count]), &rng)
      try Data(input).write(to: URL(fileURLWithPath: path))
      let result = box.loader.load(file: path)
      if result.manifest != nil {
        models += 1
        #expect(!result.diagnostics.hasErrors, "a model and errors for input #\(i): \(result.diagnostics)")
      } else {
        rejected += 1
        #expect(result.diagnostics.hasErrors, "rejected without an error for input #\(i)")
      }
      // Every diagnostic points at a line of the input (or just past its
      // end, where a truncated document is found wanting).
      let lines = input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
      for d in result.diagnostics where d.mark.line < 0 || d.mark.line > lines + 1 || d.mark.column < 0 {
        Issue.record("input #\(i): \(d) points outside its \(lines) lines")
      }
      // The same bytes, the same answer (a replayed failure is the failure).
      if i % 10 == 0 {
        let again = box.loader.load(file: path)
        #expect(again.diagnostics == result.diagnostics && again.manifest == result.manifest, "input #\(i)")
      }
    }
    // Both kinds occur, or the campaign tests only one of the two paths.
    #expect(models > 0, "no mutated manifest loaded")
    #expect(rejected > 0, "every mutated manifest loaded")
    print("fuzz: \(Self.iterations) inputs, \(models) models, \(rejected) rejected with diagnostics, \(Int(Date().timeIntervalSince(started)))s")
  }
}
