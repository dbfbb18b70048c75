import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A folder a sandboxed agent can write (its worktree's own git folder),
/// as wt reads and writes it outside, as the person: never through a link
/// the agent made. git follows links there (a reflog is opened with
/// O_APPEND through a link to any file; `update-ref -d` of a symbolic ref
/// deletes the branch it names), so wt's few steps in that folder (the
/// worker's own ref, HEAD) are made here instead, each folder opened with
/// O_NOFOLLOW from `root` down (openat(2)), so no link swapped in at any
/// moment, even while the agent still runs, sends a write elsewhere.
struct AgentWrittenFolder: Sendable {
  /// Made and named by wt (`<common>/worktrees/<id>`, in the shared git
  /// folder the agent sees read-only).
  var root: String

  /// `text` as the file at `path` (relative, `/`-separated), made beside it
  /// and renamed over it (a link there is replaced, never followed); the
  /// folders on the way made when missing.
  func write(_ text: String, to path: String) throws {
    let (folders, name) = try split(path)
    let dir = try open(folders, create: true)
    defer { close(dir) }
    let temporary = ".\(name).wt-\(UUID().uuidString.prefix(8))"
    let fd = openat(dir, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure("cannot write", path) }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    close(fd)
    guard written == bytes.count, renameat(dir, temporary, dir, name) == 0 else {
      let error = failure("cannot write", path)
      unlinkat(dir, temporary, 0)
      throw error
    }
  }

  /// Removes the file at `path`; nothing when it, or a folder on the way,
  /// is missing or is not a real folder.
  func remove(_ path: String) throws {
    let (folders, name) = try split(path)
    guard let dir = try? open(folders, create: false) else { return }
    defer { close(dir) }
    guard unlinkat(dir, name, 0) == 0 || errno == ENOENT else { throw failure("cannot remove", path) }
  }

  /// The first line of the regular file at `path`, read without following
  /// a link or waiting on a pipe; nil when it is anything else.
  func firstLine(_ path: String) -> String? {
    guard let (folders, name) = try? split(path), let dir = try? open(folders, create: false) else { return nil }
    defer { close(dir) }
    let fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let n = Glibc.read(fd, &buffer, buffer.count)
    guard n > 0 else { return nil }
    return String(decoding: buffer[..<n], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
  }

  private func split(_ path: String) throws -> ([String], String) {
    let parts = path.split(separator: "/").map(String.init)
    guard let name = parts.last, !parts.contains(where: { $0 == "." || $0 == ".." }) else {
      throw SandboxError("wt: '\(path)' is not a path inside \(root)")
    }
    return (Array(parts.dropLast()), name)
  }

  /// Makes the folder at `path` a real one: a link or file the agent put
  /// there is removed first (a mount's source that is a link would show
  /// inside what it points to).
  func makeFolder(_ path: String) throws {
    let parts = path.split(separator: "/").map(String.init)
    guard !parts.contains(where: { $0 == "." || $0 == ".." }) else { throw SandboxError("wt: '\(path)' is not a path inside \(root)") }
    close(try open(parts, create: true))
  }

  /// The folder at `folders` below `root`, each step a real folder; with
  /// `create`, made where missing, and where a link or a file is in the
  /// way (only while no sandbox of the worker runs), made instead of it.
  private func open(_ folders: [String], create: Bool) throws -> Int32 {
    var fd = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { throw failure("cannot open", "") }
    for folder in folders {
      if create {
        var info = stat()
        if fstatat(fd, folder, &info, AT_SYMLINK_NOFOLLOW) == 0, (info.st_mode & S_IFMT) != S_IFDIR { unlinkat(fd, folder, 0) }
        mkdirat(fd, folder, 0o755)
      }
      let next = openat(fd, folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      close(fd)
      guard next >= 0 else { throw failure("cannot open", folder) }
      fd = next
    }
    return fd
  }

  private func failure(_ what: String, _ path: String) -> SandboxError {
    SandboxError("\(what) \(root)/\(path): \(String(cString: strerror(errno))) (the sandboxed agent may have put a link or a folder there)")
  }
}
