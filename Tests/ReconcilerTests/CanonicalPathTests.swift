import Foundation
import Testing
@testable import Reconciler

/// One spelling per path, whatever the person wrote: links followed as the
/// file system follows them, the part that does not exist yet folded.
@Suite struct CanonicalPathTests {
  @Test func linksDotsAndTrailingSlashesGiveOneSpelling() throws {
    let fm = FileManager.default
    let dir = try #require(CurrentPlatform().canonicalPath(fm.temporaryDirectory.path)) + "/wt-canon-\(UUID().uuidString.prefix(8))"
    defer { try? fm.removeItem(atPath: dir) }
    try fm.createDirectory(atPath: "\(dir)/a/real", withIntermediateDirectories: true)
    try fm.createDirectory(atPath: "\(dir)/b", withIntermediateDirectories: true)
    try fm.createSymbolicLink(atPath: "\(dir)/b/link", withDestinationPath: "\(dir)/a/real")

    #expect(CanonicalPath.of("\(dir)/b/link/") == "\(dir)/a/real")
    #expect(CanonicalPath.of("\(dir)/b/link/not/yet/") == "\(dir)/a/real/not/yet")
    #expect(CanonicalPath.of("\(dir)/b/link/not/./yet/../there") == "\(dir)/a/real/not/there")
    // `..` after a link is the link target's parent, as git and the kernel see it.
    #expect(CanonicalPath.of("\(dir)/b/link/../sibling") == "\(dir)/a/sibling")
    #expect(CanonicalPath.of("\(dir)/b/./link") == "\(dir)/a/real")
  }
}
