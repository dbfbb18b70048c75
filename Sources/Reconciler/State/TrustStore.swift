import Foundation
import Manifest

/// The repository wt.yaml files a person has trusted, by exact content
/// (`trusted.json` in the state directory). Content rather than a digest: it
/// needs no cryptography to be exact, and it is small.
public struct TrustStore: Sendable {
  struct Record: Codable, Equatable {
    var content: String
    var at: Date
  }
  struct File: Codable {
    var files: [String: Record] = [:]
  }

  public var directory: String
  var file: String { "\(directory)/trusted.json" }

  public init(directory: String) { self.directory = directory }

  /// The path as recorded: absolute and without `.`/`..`, but with its
  /// links as written: resolving them would let a repository's link to
  /// another repository's trusted file inherit that trust.
  public static func key(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
  }

  func read() throws -> File {
    guard let data = try StateFiles.read(file) else { return File() }
    do {
      return try StateStore.decoder.decode(File.self, from: data)
    } catch {
      throw StateError(message: "\(file) is damaged; move it away and trust your repositories' wt.yaml files again")
    }
  }

  /// Trusts `path` with exactly `content`: what it runs may run, until the
  /// file changes.
  public func trust(_ path: String, content: String, at date: Date = Date()) throws {
    var records = try read()
    records.files[Self.key(path)] = Record(content: content, at: date)
    try StateFiles.write(try StateStore.encoder.encode(records), to: file, mode: 0o600)
  }

  public func isTrusted(_ foreign: ForeignFile) throws -> Bool {
    try Self.trusts(read(), foreign)
  }

  static func trusts(_ records: File, _ foreign: ForeignFile) -> Bool {
    records.files[key(foreign.path)]?.content == foreign.content
  }

  /// The manifest with every repository file marked trusted or not, from
  /// one read of the records.
  public func marking(_ manifest: Manifest) throws -> Manifest {
    var m = manifest
    let records = try read()
    if let f = m.foreign { m.foreign?.trusted = Self.trusts(records, f) }
    for i in m.projects.indices {
      if let f = m.projects[i].foreign { m.projects[i].foreign?.trusted = Self.trusts(records, f) }
    }
    return m
  }
}
