import Foundation
import Testing
@testable import Reconciler

/// The host layer against this machine: the test's own process tree, a
/// child of known size, symlinked folders. The Darwin implementation
/// compiles only on macOS; these run there too, against it.
@Suite struct PlatformTests {
  let host = CurrentPlatform()

  @Test func theExecutableIsThisTestBinaryWithSymlinksResolved() throws {
    let path = try #require(host.executablePath())
    #expect(path.hasPrefix("/") && FileManager.default.isExecutableFile(atPath: path))
    #expect(host.canonicalPath(path) == path)
    // A runner started by a bare name (xcrun xctest on macOS) is found on PATH.
    if CommandLine.arguments[0].contains("/") {
      #expect(path == host.canonicalPath(CommandLine.arguments[0]))
    }
  }

  @Test func loadAndMemoryAreThisMachines() throws {
    let load = try #require(host.loadAverage())
    #expect(load >= 0)
    let available = try #require(host.availableMemory())
    #expect(available > 0 && available <= ProcessInfo.processInfo.physicalMemory)
    #expect(host.cores() >= 1)
  }

  @Test func theProcessTableHoldsThisProcessAndAChildOfKnownSize() async throws {
    // A child that holds 64 MiB it has written to (so it is resident),
    // says so, and waits for its stdin to close.
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    child.arguments = ["python3", "-c", "import sys; b = bytearray(b'x' * (64 << 20)); print('ready', flush=True); sys.stdin.read()"]
    let input = Pipe(), output = Pipe()
    child.standardInput = input
    child.standardOutput = output
    try child.run()
    defer {
      try? input.fileHandleForWriting.close()
      child.waitUntilExit()
    }
    _ = output.fileHandleForReading.availableData  // "ready"

    let table = try #require(await host.processTable(runner: ProcessRunner()))
    let me = getpid()
    let mine = try #require(table.rss[me])
    let childs = try #require(table.rss[child.processIdentifier])
    #expect(table.children[me]?.contains(child.processIdentifier) == true)
    #expect(childs >= 64 << 20 && childs < 160 << 20, "child resident \(childs >> 20) MiB")
    #expect(try #require(table.treeMemory(of: me)) >= mine + childs)
    #expect(table.treeMemory(of: child.processIdentifier) == childs)

    // `ps` (what macOS uses) sees the same child.
    let ps = ProcessTable(psOutput: try await ProcessRunner().run(["ps", "-axo", "pid=,ppid=,rss="]))
    let seen = try #require(ps.rss[child.processIdentifier])
    #expect(seen > childs - (4 << 20) && seen < childs + (4 << 20))
    #expect(ps.children[me]?.contains(child.processIdentifier) == true)
  }

  @Test func psOutputIsParsedIntoParentsAndBytes() {
    let table = ProcessTable(psOutput: "    1     0  1200\n  42     1   300\n   43    42 4\ngarbage line\n")
    #expect(table.children == [0: [1], 1: [42], 42: [43]])
    #expect(table.rss[42] == 300 * 1024)
    #expect(table.treeMemory(of: 1) == (1200 + 300 + 4) * 1024)
    #expect(table.treeMemory(of: 99) == nil)
  }

  @Test func canonicalPathsResolveSymlinksAndDots() throws {
    let fm = FileManager.default
    let base = fm.temporaryDirectory.appendingPathComponent("wt-host-\(UUID().uuidString.prefix(8))").path
    defer { try? fm.removeItem(atPath: base) }
    try fm.createDirectory(atPath: "\(base)/real/inner", withIntermediateDirectories: true)
    try fm.createSymbolicLink(atPath: "\(base)/link", withDestinationPath: "\(base)/real")
    let real = try #require(host.canonicalPath("\(base)/real"))
    #expect(host.canonicalPath("\(base)/link/inner/..") == real)
    #expect(host.canonicalPath("\(base)/link/inner") == real + "/inner")
    #expect(host.canonicalPath("\(base)/missing") == nil)
  }
}
