import Foundation
import Reconciler

/// Rewriting the person's manifest: only when they may write it, keeping
/// its mode and owner, and only with a result that passes `accept`.
enum ManifestFile {
  struct Refusal: Error, CustomStringConvertible {
    var description: String
  }

  /// Writes `text` beside `file`, asks `accept` about it there (relative
  /// paths in it resolve the same way), then renames it over `file` with the
  /// old file's mode and owner. `accept` gets the draft's path and the
  /// path the person knows it by, for its messages.
  static func replace(_ link: String, with text: String, accept: (_ draft: String, _ file: String) -> Bool) throws {
    // A manifest kept as a link (to a dotfiles repository, say) is edited
    // where it lives; the link stays a link.
    let file = URL(fileURLWithPath: link).resolvingSymlinksInPath().path
    var info = stat()
    guard stat(file, &info) == 0 else { throw Refusal(description: "cannot read \(file): \(String(cString: strerror(errno)))") }
    // root may write anything; a file without its owner's write bit was
    // made read-only on purpose.
    guard info.st_mode & S_IWUSR != 0, access(file, W_OK) == 0 else {
      throw Refusal(description: "\(file) is read-only; make it writable (chmod u+w) if wt should edit it, or add the project by hand")
    }
    let directory = (file as NSString).deletingLastPathComponent
    let candidate = (directory as NSString).appendingPathComponent(".wt.yaml.\(getpid()).new")
    let fd = open(candidate, O_CREAT | O_EXCL | O_WRONLY, info.st_mode & 0o7777)
    guard fd >= 0 else {
      throw Refusal(description: "cannot write in \(directory): \(String(cString: strerror(errno)))")
    }
    var keep = false
    defer { if !keep { unlink(candidate) } }
    let data = Data(text.utf8)
    let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    // The umask may have narrowed the mode; owner and group follow the old
    // file (as root, after a 'sudo wt project add', they would be root's).
    fchmod(fd, info.st_mode & 0o7777)
    _ = fchown(fd, info.st_uid, info.st_gid)
    close(fd)
    guard written == data.count else { throw Refusal(description: "cannot write the new \(file) in \(directory): disk full?") }
    guard accept(candidate, link) else { throw Refusal(description: "the result would not be a valid wt.yaml") }
    guard rename(candidate, file) == 0 else {
      throw Refusal(description: "cannot replace \(file): \(String(cString: strerror(errno)))")
    }
    keep = true
  }
}
