import Foundation
import Manifest
import Testing
@testable import Reconciler

/// podman's side of the one mount layout (docs/sandbox.md): the system is
/// the image's, the worker's own things are bound as for bubblewrap, and
/// `Podman.arguments` says all of it on one `podman run` line.
@Suite struct PodmanArgumentsTests {
  static let layout = SandboxLayout.derive(SandboxLayoutTests.worker, sandbox: Sandbox(runtime: .podman, image: "localhost/agent:1", network: .offline))
  static let run = Podman.Run(
    name: "wt-api__api-7kq-0badcafe", image: "localhost/agent:1", labels: ["wt.state": "/state", "wt.session": "wt-api__api-7kq"],
    idFile: "/state/sandbox/wt-api__api-7kq.container-1.id", passing: ["ANTHROPIC_*", "HOME", "TERM"])

  @Test func theSystemComesFromTheImageAndTheWorkersOwnThingsAreBound() {
    let bwrap = SandboxLayout.derive(SandboxLayoutTests.worker, sandbox: Sandbox(runtime: .bwrap, network: .offline))
    #expect(bwrap.mounts.contains { $0.target == "/usr" } && !bwrap.hidden.isEmpty)
    #expect(!Self.layout.mounts.contains { ["/usr", "/etc", "/bin", "/lib"].contains($0.target) })
    #expect(Self.layout.hidden.isEmpty)
    // Everything else is the same list, in the same order.
    #expect(Self.layout.mounts == bwrap.mounts.filter { $0.purpose != "system" })
    #expect(Self.layout.environment == bwrap.environment.merging(["WT_SANDBOX": "podman"]) { _, b in b })
  }

  @Test func oneRunLineWithItsOwnNamespacesNoCapabilitiesAndTheLayout() {
    let argv = Podman().arguments(Self.layout, run: Self.run, command: ["claude", "--flag"], kind: { _ in .folder })
    #expect(Array(argv.prefix(8)) == ["podman", "run", "--rm", "--interactive", "--tty", "--replace", "--name", "wt-api__api-7kq-0badcafe"])
    #expect(Array(argv.suffix(6)) == ["--workdir", "/w/api/api-7kq", "--", "localhost/agent:1", "claude", "--flag"])
    let joined = argv.joined(separator: " ")
    #expect(joined.contains("--cidfile /state/sandbox/wt-api__api-7kq.container-1.id --label wt.session=wt-api__api-7kq --label wt.state=/state"))
    #expect(joined.contains("--init --pid private --ipc private --uts private --network none --cap-drop all"))
    #expect(joined.contains("--read-only --read-only-tmpfs=false"))
    #expect(!joined.contains("--userns"))
    #expect(joined.contains(
      "--mount type=bind,source=/src/api/.git/worktrees/api-7kq,destination=/src/api/.git/worktrees/api-7kq "
        + "--mount type=bind,source=/src/api/.git/worktrees/api-7kq/commondir,destination=/src/api/.git/worktrees/api-7kq/commondir,ro=true"))
    #expect(joined.contains("--mount type=bind,source=/opt/wt/bin/wt,destination=/run/wt/bin/wt,ro=true"))
    // Values wt sets are on the line; what the session keeps is named only,
    // valued by podman from its own environment; HOME is the layout's.
    #expect(joined.contains("--env HOME=/state/sandbox/wt-api__api-7kq/home"))
    #expect(joined.contains("--env ANTHROPIC_* --env TERM --workdir"))
    #expect(!argv.contains("HOME"))
  }

  @Test func rootlessKeepsTheFilesThePersonsAndFullNetworkIsTheHosts() {
    var run = Self.run
    run.rootless = true
    run.terminal = false
    let layout = SandboxLayout.derive(SandboxLayoutTests.worker, sandbox: Sandbox(runtime: .podman, image: "i"))
    let argv = Podman().arguments(layout, run: run, command: ["true"], kind: { _ in .folder }).joined(separator: " ")
    #expect(argv.contains("--network host --userns keep-id"))
    #expect(!argv.contains("--tty"))
    // A list of domains never gets this machine's network.
    let allow = SandboxLayout.derive(SandboxLayoutTests.worker, sandbox: Sandbox(runtime: .podman, image: "i", network: .allow(["example.com"])))
    #expect(Podman().arguments(allow, run: run, command: ["true"], kind: { _ in .folder }).joined(separator: " ").contains("--network none"))
  }

  @Test func aPathPodmanCannotSayIsRefusedWithWhatToDo() {
    #expect(Podman.unexpressible(Self.layout) == nil)
    var worker = SandboxLayoutTests.worker
    worker.worktree = "/w/api,evil/api-7kq"
    let bad = SandboxLayout.derive(worker, sandbox: Sandbox(runtime: .podman, image: "i"))
    #expect(Podman.unexpressible(bad)?.hasPrefix("podman cannot bind /w/api,evil/api-7kq: a ','") == true)
    #expect(Podman().removal("abc") == ["podman", "rm", "--force", "--time", "0", "--ignore", "--", "abc"])
  }
}
