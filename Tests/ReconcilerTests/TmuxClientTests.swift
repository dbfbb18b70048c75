import Foundation
import Manifest
import Testing
@testable import Reconciler

/// The tmux client commands `wt attach`, `wt hub` and `wt watch` use, built
/// by `Tmux` alone and run through `ProcessRunner` on a private server.
@Suite(.timeLimit(.minutes(2))) struct TmuxClientTests {
  @Test func attachSwitchesInsideTmuxAndAttachesOutsideOnWtsServer() {
    let tmux = Tmux(socket: .named("wt-x"), runner: ProcessRunner())
    #expect(tmux.clientArguments(for: "wt-demo__wt-1", insideTmux: true) == ["tmux", "-L", "wt-x", "switch-client", "-t", "=wt-demo__wt-1"])
    #expect(tmux.clientArguments(for: "wt-hub", insideTmux: false) == ["tmux", "-L", "wt-x", "attach-session", "-t", "=wt-hub"])
    let path = Tmux(socket: .path("/s/sock"), runner: ProcessRunner())
    #expect(path.clientArguments(for: "h", insideTmux: false) == ["tmux", "-S", "/s/sock", "attach-session", "-t", "=h"])
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
