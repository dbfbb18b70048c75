import Foundation
import Manifest
import Testing
import TestSupport

@testable import Reconciler

/// `ExecTransport` through a real program that runs an argument array as
/// it is given (`env`, standing in for `podman exec -i C`, which hands its
/// words to the runtime the same way): the words, variables and folder wt
/// sends arrive as their bytes, nothing in them runs, a program that hangs
/// is stopped at the host's timeout, and the runtimes' own failures are a
/// host not reached.
@Suite(.timeLimit(.minutes(2))) struct ExecTransportTests {
  func transport(_ prefix: [String], timeout: Double = 20) -> ExecTransport {
    var host = RemoteHost(name: "pod1", exec: prefix)
    host.timeout = timeout
    return ExecTransport(host: host, prefix: prefix, runner: ProcessRunner())
  }

  /// The far side runs `sh -c TEXT`, the text `RemoteShell.command` makes
  /// for ssh: one function quotes for every host.
  @Test func theFarSideIsShWithTheTextSSHSends() {
    let t = transport(["kubectl", "-n", "agents", "exec", "-i", "wt-host-0", "-c", "wt", "--"])
    let argv = t.argv(["wt", "status", "--json"], environment: ["WT_HOST": "pod1"], directory: "/wt")
    let text = RemoteShell.command(["wt", "status", "--json"], environment: ["WT_HOST": "pod1"], directory: "/wt")
    #expect(argv == ["kubectl", "-n", "agents", "exec", "-i", "wt-host-0", "-c", "wt", "--", "sh", "-c", text])
    // A person at a terminal gets one from the runtime: -t after -i.
    #expect(
      t.argv(["wt", "attach", "x"], environment: [:], directory: nil, tty: true).prefix(8)
        == ["kubectl", "-n", "agents", "exec", "-i", "-t", "wt-host-0", "-c"])
    #expect(transport(["coder-like"]).argv(["wt"], environment: [:], directory: nil, tty: true).first == "coder-like")
  }

  @Test func hostileWordsVariablesAndFoldersArriveAsTheirBytes() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-exec-\(UUID().uuidString.prefix(8))").path
    let odd = "\(dir)/it's $(a) `b` ;c"
    try FileManager.default.createDirectory(atPath: odd, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let marker = "\(dir)/pwned"
    let words = try RemoteShellTests.words(marker: marker)
    let t = transport(["env"])
    let out = try await t.output(["printf", "%s\\0"] + words, environment: ["WT_TEXT": words.joined(separator: "|")], directory: odd)
    #expect(out.succeeded, "\(out.stderr)")
    #expect(Array(out.stdout.utf8) == RemoteShellTests.nulTerminated(words))
    let env = try await t.output(["sh", "-c", #"printf '%s' "$WT_TEXT"; printf '|%s' "$PWD""#], environment: ["WT_TEXT": words.joined(separator: "|")], directory: odd)
    #expect(env.stdout == words.joined(separator: "|") + "|" + odd)
    #expect(!FileManager.default.fileExists(atPath: marker))
    await #expect(throws: HostRefusal.self) { try await t.output(["printf", "a\u{0}b"]) }
  }

  /// An exec that hangs past the host's timeout is a host not reached, and
  /// its local process is stopped.
  @Test func aHangingExecIsStoppedAtTheTimeout() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-exec-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let pidFile = "\(dir)/pid"
    let t = transport(["sh", "-c", #"echo $$ > "$0"; exec sleep 600"#, pidFile], timeout: 1)
    // Stopped by the deadline, not by anything else: how long it took is
    // the machine's business (a benchmark's, not a test's).
    do {
      _ = try await t.output(["true"])
      Issue.record("a hanging exec returned")
    } catch let error as HostUnreachable {
      #expect(error.why.hasPrefix("no answer within"), "\(error)")
    }
    let pid = try #require(pid_t((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
    // Gone, or a zombie nobody reaps here (kill -0 succeeds on one).
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    let state = stat.split(separator: ")").last?.split(separator: " ").first
    #expect(stat.isEmpty || state == "Z", "\(stat)")
  }

  /// podman and docker exit 125 for their own failures; kubectl says so on
  /// stderr and, for the far command's failure, says that instead.
  @Test func theRuntimesOwnFailuresAreAHostNotReached() async throws {
    let podman = transport(["sh", "-c", #"echo 'Error: no container with name or ID "x" found: no such container' >&2; exit 125"#])
    await #expect(throws: HostUnreachable.self) { try await podman.output(["wt", "status"]) }
    let stopped = transport(["sh", "-c", #"echo 'Error: can only create exec sessions on running containers: container state improper' >&2; exit 255"#])
    await #expect(throws: HostUnreachable.self) { try await stopped.output(["wt", "status"]) }
    let fails = try await transport(["env"]).output(["sh", "-c", "exit 3"])
    #expect(fails.status == 3)

    let bin = FileManager.default.temporaryDirectory.appendingPathComponent("wt-kubectl-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: bin) }
    let kubectl = "\(bin)/kubectl"
    try "#!/bin/sh\ncase \"$1\" in\n  gone) echo 'Error from server (NotFound): pods \"wt-host-0\" not found' >&2; exit 1 ;;\n  *) echo 'wt: said no' >&2; echo 'command terminated with exit code 4' >&2; exit 4 ;;\nesac\n"
      .write(toFile: kubectl, atomically: true, encoding: .utf8)
    chmod(kubectl, 0o755)
    await #expect(throws: HostUnreachable.self) { try await transport([kubectl, "gone"]).output(["wt"]) }
    let said = try await transport([kubectl, "there"]).output(["wt"])
    #expect(said.status == 4)
    #expect(said.stderr == "wt: said no\n")
  }
}
