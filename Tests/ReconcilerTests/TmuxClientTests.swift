import Foundation
import Manifest
import Testing
@testable import Reconciler

/// The tmux client commands `wt attach`, `wt hub` and `wt watch` use, built
/// by `Tmux` alone and run through `ProcessRunner` on a private server.
@Suite(.timeLimit(.minutes(2))) struct TmuxClientTests {
  @Test func attachSwitchesInsideTmuxAndAttachesOutsideOnWtsServer() {
    var tmux = Tmux(socket: .named("wt-x"), runner: ProcessRunner())
    tmux.temporaryDirectory = "/tmp/t"
    let mine = "/tmp/t/tmux-\(getuid())/wt-x,4242,0"
    #expect(tmux.clientArguments(for: "wt-demo__wt-1", client: mine) == ["tmux", "-L", "wt-x", "switch-client", "-t", "=wt-demo__wt-1"])
    #expect(tmux.clientArguments(for: "wt-hub", client: nil) == ["tmux", "-L", "wt-x", "attach-session", "-t", "=wt-hub"])
    let path = Tmux(socket: .path("/s/sock"), runner: ProcessRunner())
    #expect(path.clientArguments(for: "h", client: nil) == ["tmux", "-S", "/s/sock", "attach-session", "-t", "=h"])
    #expect(path.isServer(ofClient: "/s/sock,1,2"))
  }

  /// In a pane of the person's own tmux while wt runs its own server
  /// (`tmux_socket: wt`), `switch-client` said "no current client" (or, from
  /// the watch, moved the hub's client); wt attaches a client of its server
  /// in that pane instead, as tmux wants a client inside a client: without
  /// `TMUX`.
  @Test func inAnotherServersPaneItAttachesRatherThanSwitches() {
    var tmux = Tmux(socket: .named("wt"), runner: ProcessRunner())
    tmux.temporaryDirectory = "/tmp/t"
    let theirs = "/tmp/t/tmux-\(getuid())/default,777,3"
    #expect(!tmux.isServer(ofClient: theirs))
    #expect(!tmux.isServer(ofClient: "/tmp/t/tmux-\(getuid())/wt-other,1,0"))
    #expect(tmux.isServer(ofClient: "/tmp/t/tmux-\(getuid())/wt,1,0"))
    #expect(tmux.clientArguments(for: "wt-hub", client: theirs)
      == ["/usr/bin/env", "-u", "TMUX", "tmux", "-L", "wt", "attach-session", "-t", "=wt-hub"])
  }

  /// A host's row opens in a window named HOST:BEAD; a `#S` in a host's
  /// name is shown as it is, never read as a tmux format.
  @Test func aNewWindowRunsTheCommandUnderItsLiteralName() async throws {
    let w = try await TestWorld()
    _ = try await w.tmux("new-session", "-d", "-s", "demo", "sleep", "60")
    let tmux = Tmux(socket: .named(w.socket), runner: w.runner)
    #expect(await tmux.newWindow(named: "gpu#S:wt-1", running: ["sleep", "60"]))
    let names = try await w.tmux("list-windows", "-t", "=demo", "-F", "#{window_name}")
    #expect(names.split(separator: "\n").contains("gpu#S:wt-1"))
  }
}
