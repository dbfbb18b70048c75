import Foundation
import Manifest
import Testing
import TestSupport
@testable import Reconciler

/// The macOS Seatbelt profile (`SandboxExec`), reviewed, not run: no Mac
/// runs these tests. Its text from the same layout bubblewrap gets, one
/// profile pinned as a golden, and hostile worktree paths that must stay
/// data (parameters), never rules.
@Suite(.timeLimit(.minutes(1))) struct SandboxExecTests {
  static let layout = SandboxLayout.derive(SandboxLayoutTests.worker, sandbox: Sandbox(runtime: .bwrap, network: .offline, readOnly: ["/opt/sdk"]))

  func parameters(_ p: SandboxExec.Profile) -> [String: String] {
    Dictionary(p.parameters.map { ($0.name, $0.path) }) { a, _ in a }
  }

  @Test func oneProfileAsReviewed() throws {
    let p = SandboxExec.profile(Self.layout)
    try golden("sandbox-exec.sb", p.text + "\n; parameters\n" + p.parameters.map { "; -D \($0.name)=\($0.path)" }.joined(separator: "\n") + "\n")
  }

  @Test func itDeniesByDefaultAndAllowsWhatTheLayoutSays() {
    let p = SandboxExec.profile(Self.layout)
    let lines = p.text.split(separator: "\n").map(String.init)
    #expect(lines.prefix(3).contains("(deny default)") && lines.first == "(version 1)")
    #expect(lines.contains("(allow signal (target same-sandbox))"))
    #expect(!p.text.contains("(allow signal)") && !p.text.contains("(allow default)"))
    let named = parameters(p)
    let writes = lines.first { $0.hasPrefix("(allow file-read* file-write* (require-all") } ?? ""
    // Written: exactly the layout's read-write mounts.
    let writable = Set(p.parameters.filter { $0.name.hasPrefix("W") }.map(\.path))
    #expect(writable == Set(Self.layout.mounts.filter { $0.access == .readWrite }.map(\.source)))
    // Less the read-only files inside them (the worktree's .git, gitdir).
    for covered in ["/w/api/api-7kq/.git", "/src/api/.git/worktrees/api-7kq/gitdir", "/src/api/.git/worktrees/api-7kq/commondir"] {
      let name = named.first { $0.value == covered }?.key
      #expect(name.map { writes.contains("(require-not") && writes.contains("(param \"\($0)\")") } == true, "\(covered)")
    }
    // Read: the layout's read-only mounts, the shared git folder among them,
    // never as writable.
    #expect(named.contains { $0.key.hasPrefix("R") && $0.value == "/src/api/.git" })
    #expect(!named.contains { $0.key.hasPrefix("W") && $0.value == "/src/api/.git" })
    #expect(named.contains { $0.key.hasPrefix("R") && $0.value == "/opt/sdk" })
    // wt is allowed where it is; GitPython's remapped view cannot be shown.
    #expect(named.values.contains("/opt/wt/bin/wt"))
    #expect(!named.values.contains { $0.hasSuffix("/objects-info") })
    #expect(SandboxExec.environment(Self.layout)["PATH"] == "/opt/wt/bin:/usr/bin:/home/me/.local/bin")
    // The system's secrets, taken out of what it reads.
    #expect(p.text.contains("(require-not (require-any") && p.text.contains("(subpath \"/private/etc/master.passwd\")"))
    // network: none: only wt's socket.
    #expect(!p.text.contains("(allow network-outbound)") && !p.text.contains("(allow network*)"))
    #expect(named.contains { $0.key.hasPrefix("S") && $0.value == Self.layout.socket })
  }

  @Test func theNetworkIsWhatTheLayoutSays() {
    var layout = Self.layout
    layout.network = .full
    #expect(SandboxExec.profile(layout).text.contains("(allow network-outbound) (allow network-inbound)"))
    layout.network = .allow(["example.com"])
    let proxied = SandboxExec.profile(layout, proxyPort: 3128).text
    #expect(proxied.contains("(allow network-outbound (remote ip \"localhost:3128\"))"))
    #expect(!proxied.contains("(allow network-outbound)"))
    #expect(!SandboxExec.profile(layout).text.contains("remote ip"))
  }

  /// Worktree, home and read_only: paths that try to end a string and add
  /// a rule stay parameters: the text is the same as for tame paths.
  @Test func hostilePathsStayDataNeverRules() {
    let hostile = [
      "/w/x\") (allow default) (subpath \"/", "/w/back\\slash\\\"", "/w/new\nline (allow file-write* (subpath \"/\"))",
      "/w/;comment", "/w/#\"regex\"",
    ]
    for path in hostile {
      var worker = SandboxLayoutTests.worker
      worker.worktree = path
      worker.own = "/state" + path
      let tame = SandboxExec.profile(SandboxLayout.derive(SandboxLayoutTests.worker, sandbox: Sandbox(runtime: .bwrap, readOnly: ["/opt/a"])))
      let layout = SandboxLayout.derive(worker, sandbox: Sandbox(runtime: .bwrap, readOnly: [path + "/ro"]))
      let p = SandboxExec.profile(layout)
      #expect(p.text == tame.text, "\(path)")
      #expect(!p.text.contains(path) && !p.text.contains("(allow default)"))
      #expect(p.parameters.contains { $0.path == path } && p.parameters.contains { $0.path == path + "/ro" })
      let argv = SandboxExec().arguments(layout, command: ["agent"], canonical: { $0 })
      #expect(argv.contains("W0=\(p.parameters.first { $0.name == "W0" }!.path)"))
      // The folder it starts in is an argument of its own, never shell text.
      #expect(Array(argv.suffix(3)) == ["cd -- \"$0\" && exec \"$@\"", path, "agent"])
    }
    #expect(SandboxExec.quoted("a\"b\\c") == "\"a\\\"b\\\\c\"")
  }

  /// Seatbelt matches real paths (`/tmp` is `/private/tmp`): both named.
  @Test func eachPathIsNamedAsGivenAndWithItsLinksFollowed() {
    let p = SandboxExec.profile(Self.layout, canonical: { $0.hasPrefix("/w/") ? "/private" + $0 : $0 })
    let writable = p.parameters.filter { $0.name.hasPrefix("W") }.map(\.path)
    #expect(writable.contains("/w/api/api-7kq") && writable.contains("/private/w/api/api-7kq"))
    let argv = SandboxExec(program: "/usr/bin/sandbox-exec").arguments(Self.layout, command: ["claude"], canonical: { $0 })
    #expect(Array(argv.prefix(2)) == ["/usr/bin/sandbox-exec", "-p"])
    #expect(argv.contains("--") && argv[argv.firstIndex(of: "--")! + 1] == "/usr/bin/env")
    #expect(argv.contains("HOME=/state/sandbox/wt-api__api-7kq/home"))
  }
}
