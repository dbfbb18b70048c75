import Foundation
import Manifest
import Testing
@testable import Reconciler

/// The environment as one value: what wt reads, named, with wt's rule that
/// a variable set to nothing is unset; and the parts below the commands
/// take it from the value they are given, not from the process.
@Suite(.timeLimit(.minutes(1))) struct WTEnvironmentTests {
  @Test func anEmptyVariableIsUnsetAndEachAccessorReadsItsOwn() {
    let empty = WTEnvironment(["WT_WORKER": "", "TMUX": "", "NO_COLOR": "", "WT_CONFIG": "", "HOME": "/h"])
    #expect(empty.worker == nil && empty.config == nil && !empty.insideTmux && !empty.noColor)
    #expect(empty.stateDirectory == "/h/.local/state/wt")
    #expect(empty.tmuxTemporaryDirectory == "/tmp" && empty.path == "" && !empty.countsCalls)
    let set = WTEnvironment([
      "WT_WORKER": "api/wt-1", "TMUX": "/tmp/tmux-1/default,1,0", "NO_COLOR": "1", "WT_CONFIG": "/c/wt.yaml",
      "HOME": "/h", "XDG_STATE_HOME": "/x", "WT_CALL_STATS": "1", "TMUX_TMPDIR": "/t", "PATH": "/bin", "WT_LOG": "debug",
    ])
    #expect(set.worker == "api/wt-1" && set.config == "/c/wt.yaml" && set.insideTmux && set.noColor)
    #expect(set.stateDirectory == "/x/wt" && set.countsCalls && set.tmuxTemporaryDirectory == "/t" && set.path == "/bin")
    #expect(set.logLevel == "debug")
    #expect(WTEnvironment(["WT_STATE_DIR": "~/s", "HOME": "/h", "XDG_STATE_HOME": "/x"]).stateDirectory == "/h/s")
    if case .failure = WTEnvironment(["WT_TIMEOUT": "soon"]).timeout {} else { Issue.record("WT_TIMEOUT=soon was taken") }
  }

  /// The tmux server a world talks to is the person's default only by
  /// the `TMUX_TMPDIR` it was given (the hub key is never bound there).
  @Test func theWorldsTmuxKnowsTheDefaultSocketFolderItWasGiven() {
    let manifest = Manifest(
      file: "/w/wt.yaml", settings: Settings(worktreeRoot: "/w", tmuxSocket: .path("/t/tmux-\(getuid())/default")), agents: [:],
      projects: [])
    let given = World(manifest: manifest, environment: ["TMUX_TMPDIR": "/t", "HOME": "/h"])
    #expect(given.tmux.isPersonsDefaultServer)
    let other = World(manifest: manifest, environment: ["HOME": "/h"])
    #expect(!other.tmux.isPersonsDefaultServer)
  }
}
