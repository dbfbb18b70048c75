import Foundation
import Manifest
import Reconciler

extension SandboxLayout {
  /// What `wt diff` shows of a new worker's sandbox: each mount with why
  /// it is there, and what stays out.
  public func rendered(worker: String, sandbox: Sandbox) -> String {
    let image = sandbox.image.map { " (image \(TerminalText.escape($0)))" } ?? ""
    var out = "Sandbox of \(TerminalText.escape(worker)): \(sandbox.runtime.rawValue)\(image), network \(network.label)\n"
    if sandbox.runtime == .podman { out += "  ro  /usr, /etc, …  — the system, from the image (none of this machine's)\n" }
    for mount in mounts {
      let target = mount.source == mount.target ? mount.target : "\(mount.target) (from \(mount.source))"
      out += "  \(mount.access.rawValue)  \(TerminalText.escape(target))\(mount.optional ? " (if present)" : "")  — \(mount.purpose)\n"
    }
    for link in links {
      out += "  ln  \(TerminalText.escape(link.path)) -> \(TerminalText.escape(link.target))  — where the program is named\n"
    }
    if !hidden.isEmpty { out += "  hidden: \(hidden.joined(separator: ", "))\n" }
    out += "  nothing else: your home, other worktrees, the main checkout's files, wt's state and tmux sockets are not there\n"
    return out
  }
}
