import Foundation
import Testing
import TestSupport

/// `make install` into a throwaway DESTDIR and PREFIX, then `make
/// uninstall`: what a person gets, and that nothing else is touched. The
/// first run builds the release binary (a few minutes); later runs reuse it.
@Suite(.tags(.e2e), .timeLimit(.minutes(20))) struct InstallTests {
  static let root = CLITests.root
  static let installed = [
    "bin/wt", "share/man/man1/wt.1", "share/bash-completion/completions/wt", "share/zsh/site-functions/_wt",
    "share/fish/vendor_completions.d/wt.fish",
  ]

  func run(_ argv: [String], in directory: String = root) throws -> (status: Int32, out: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = argv
    p.currentDirectoryURL = URL(fileURLWithPath: directory)
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  @Test func makeInstallPutsABinaryCompletionsAndAManPageUnderThePrefixAndUninstallRemovesThem() throws {
    let fm = FileManager.default
    let dest = fm.temporaryDirectory.appendingPathComponent("wt-install-\(UUID().uuidString.prefix(8))").path
    defer { try? fm.removeItem(atPath: dest) }
    let prefix = "/opt/wt-test"
    let top = dest + prefix
    // A file of someone else's in the same folder, which uninstall must leave.
    try fm.createDirectory(atPath: "\(top)/bin", withIntermediateDirectories: true)
    try "#!/bin/sh\n".write(toFile: "\(top)/bin/other", atomically: true, encoding: .utf8)

    let install = try run(["make", "all", "install", "DESTDIR=\(dest)", "PREFIX=\(prefix)"])
    try #require(install.status == 0, "\(install.out.suffix(3000))")
    for file in Self.installed {
      let size = (try? fm.attributesOfItem(atPath: "\(top)/\(file)")[.size] as? Int) ?? 0
      #expect(size > 0, "\(file) missing or empty")
    }

    // The version the tests' build reports and the commit checked out
    // (with -dirty when files were edited meanwhile).
    let version = try run(["\(top)/bin/wt", "--version"])
    #expect(version.status == 0)
    let number = try run([CLITests.binary, "--version"]).out.prefix { $0 != " " }
    let head = try run(["git", "rev-parse", "--short=12", "HEAD"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(version.out.hasPrefix("\(number) (\(head)"), "\(version.out) is not \(number) from \(head)")

    // Completions name the commands; the man page documents them.
    #expect(try String(contentsOfFile: "\(top)/share/bash-completion/completions/wt", encoding: .utf8).contains("signal"))
    #expect(try String(contentsOfFile: "\(top)/share/zsh/site-functions/_wt", encoding: .utf8).hasPrefix("#compdef wt"))
    let man = try String(contentsOfFile: "\(top)/share/man/man1/wt.1", encoding: .utf8)
    for command in ["validate", "diff", "apply", "status", "signal", "done", "hub"] {
      #expect(man.contains(".It Em \(command)"), "man page lacks \(command)")
    }

    #if os(Linux)
      // The Swift runtime and Foundation are inside the binary.
      let ldd = try run(["ldd", "\(top)/bin/wt"])
      #expect(ldd.status == 0)
      for library in ["libswiftCore", "libFoundation", "libdispatch", "libswift_Concurrency"] {
        #expect(!ldd.out.contains(library), "\(library) is loaded dynamically:\n\(ldd.out)")
      }
    #endif

    let uninstall = try run(["make", "uninstall", "DESTDIR=\(dest)", "PREFIX=\(prefix)"])
    #expect(uninstall.status == 0, "\(uninstall.out)")
    for file in Self.installed { #expect(!fm.fileExists(atPath: "\(top)/\(file)"), "\(file) left behind") }
    #expect(fm.fileExists(atPath: "\(top)/bin/other"))
  }
}
