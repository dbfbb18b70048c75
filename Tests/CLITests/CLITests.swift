import Foundation
import Testing
import TestSupport

/// The built `wt` binary, run as a person runs it: output and exit status.
extension EndToEnd {
  @Suite(.timeLimit(.minutes(5))) struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("wt").path

    struct Run {
      var status: Int32
      var stdout: String
      var stderr: String
    }

    /// Runs wt with stdin from /dev/null (no terminal), in `directory`.
    func wt(_ args: [String], in directory: String = root, env: [String: String] = [:]) throws -> Run {
      var environment = ProcessInfo.processInfo.environment
      environment["NO_COLOR"] = "1"
      environment.merge(env) { _, b in b }
      let r = try runChild(Self.binary, args, in: directory, environment: environment)
      return Run(status: r.status, stdout: r.stdoutText, stderr: r.stderrText)
    }

    func sandbox() throws -> String {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-cli-\(UUID().uuidString.prefix(8))").path
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      return dir
    }

    @Test(arguments: ["examples/starter/wt.yaml", "examples/team/wt.yaml", "examples/repo-config/wt.yaml"])
    func validateAcceptsTheExamples(_ example: String) throws {
      let run = try wt(["validate", "-f", example])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stdout.contains(": ok — "))
    }

    /// Every shipped example validates on a fresh clone with no network:
    /// validate opens no connection unless asked (`--hosts`). An `ssh` first
    /// on PATH records any attempt.
    @Test func validateAcceptsEveryExampleWithoutReachingAHost() throws {
      let dir = try sandbox()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let marker = "\(dir)/ssh-ran"
      try "#!/bin/sh\ntouch '\(marker)'\nexit 255\n".write(toFile: "\(dir)/ssh", atomically: true, encoding: .utf8)
      chmod("\(dir)/ssh", 0o755)
      let examples = try FileManager.default.subpathsOfDirectory(atPath: "\(Self.root)/examples")
        .filter { $0.hasSuffix("wt.yaml") }.sorted()
      #expect(examples.contains("hosts/wt.yaml"))
      let path = "\(dir):" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
      for example in examples {
        // examples/accounts takes its keys from the environment wt runs in.
        let keys = ["ANTHROPIC_KEY_WORK": "sk-ant-example", "OPENAI_KEY_TEAM": "sk-example"]
        let run = try wt(["validate", "-f", "examples/\(example)"], env: ["PATH": path].merging(keys) { a, _ in a })
        #expect(run.status == 0, "\(example): \(run.stdout)\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker), "validate \(example) ran ssh")
      }
      let asked = try wt(["validate", "--hosts", "-f", "examples/hosts/wt.yaml"], env: ["PATH": path])
      #expect(asked.status == 1)
      #expect(FileManager.default.fileExists(atPath: marker))
    }

    /// A misspelt project or host is the manifest's word against the
    /// person's, not a malformed command line: one line, exit 1, no usage.
    @Test func aMisspeltProjectOrHostIsOneLineAndExitOne() throws {
      for args in [["diff", "--project", "nope"], ["apply", "--yes", "--project", "nope"], ["ready", "nope"], ["host", "install", "nope"]] {
        let run = try wt(args + ["-f", "examples/starter/wt.yaml"])
        #expect(run.status == 1, "\(args): \(run.stderr)")
        #expect(run.stderr.hasPrefix("wt: no "), "\(args): \(run.stderr)")
        #expect(!run.stderr.contains("USAGE") && !run.stderr.contains("Usage"), "\(args): \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(args): \(run.stderr)")
      }
    }

    @Test func validateListsEveryMistakeAndExitsOne() throws {
      let dir = try sandbox()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      try "version: 1\nprojects:\n  api:\n    path: .\n    worker: 3\n    on_done: squash\n".write(
        toFile: "\(dir)/wt.yaml", atomically: true, encoding: .utf8)
      let run = try wt(["validate"], in: dir)
      #expect(run.status == 1)
      #expect(
        run.stderr == """
          wt.yaml:5:5: error: unknown key 'worker' in project 'api'
            hint: did you mean 'workers'?
          wt.yaml:6:14: error: 'on_done' cannot be 'squash'
            hint: use one of: merge, pr, pr-auto, keep
          2 errors in \(dir)/wt.yaml

          """)
    }

    /// What hooks and the status line run: the state file is all they need
    /// (no manifest, no tmux server), by the fast path and through the
    /// argument parser alike.
    @Test func signalAndStatusAttentionNeedOnlyTheStateFile() throws {
      let dir = try sandbox()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      try FileManager.default.createDirectory(atPath: "\(dir)/state", withIntermediateDirectories: true)
      try #"{"workers":{"p/b":{"name":"p/b","project":"p","bead":"b","branch":"wt/b","worktree":"\#(dir)/w","prompt":"sent","startFailures":0,"restarts":0,"createdAt":"2026-01-01T00:00:00Z"}}}"#
        .write(toFile: "\(dir)/state/state.json", atomically: true, encoding: .utf8)
      let env = [
        "WT_STATE_DIR": "\(dir)/state", "WT_CONFIG": "\(dir)/missing.yaml", "WT_TMUX_SOCKET": "wt-test-none-\(UUID().uuidString.prefix(8))",
        "WT_WORKER": "p/b",
      ]
      #expect(try wt(["status", "--attention"], in: dir, env: env).stdout == "")
      #expect(try wt(["signal", "prompt-submitted"], in: dir, env: env).status == 0)
      #expect(try wt(["signal", "needs-input", "which colour?"], in: dir, env: env).status == 0)
      let attention = try wt(["status", "--attention"], in: dir, env: env)
      #expect(attention.status == 0)
      #expect(attention.stdout == "wt: 1 needs you\n")
      let state = try String(contentsOfFile: "\(dir)/state/state.json", encoding: .utf8)
      #expect(state.contains(#""prompt" : "delivered""#) && state.contains("which colour?"))
      let events = try String(contentsOfFile: "\(dir)/state/events.jsonl", encoding: .utf8).split(separator: "\n")
      #expect(events.count == 2 && events[0].contains(#""status":"working""#))
      // An unknown event is a usage error (64) that names the known ones,
      // also on the fast path hooks take.
      let bogus = try wt(["signal", "bogus"], in: dir, env: env)
      #expect(bogus.status == 64)
      #expect(bogus.stderr.hasPrefix("wt: The value 'bogus' is invalid for '<event>'"))
      #expect(bogus.stderr.contains("needs-input") && bogus.stderr.contains("session-start"))
      #expect(try wt(["signal", "kept"], in: dir, env: env).status == 64)
      #expect(try wt(["signal", "--help"], in: dir, env: env).stdout.contains("USAGE: wt signal <event> [<message>]"))
    }

    @Test func anInvalidManifestChangesNothing() throws {
      let dir = try sandbox()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let socket = "wt-test-\(UUID().uuidString.prefix(8))"
      try "version: 1\nsettings: {tmux_socket: \(socket), worktree_root: \(dir)/wt}\nprojects:\n  a: {path: ., workers: many}\n"
        .write(toFile: "\(dir)/wt.yaml", atomically: true, encoding: .utf8)
      let run = try wt(["apply", "--yes"], in: dir, env: ["WT_STATE_DIR": "\(dir)/state", "WT_TMUX_SOCKET": socket])
      #expect(run.status == 1)
      #expect(run.stderr.contains("wt.yaml:4:25: error: 'workers' must be a whole number, not a string"))
      #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["wt.yaml"])
    }

    @Test func applyWithoutATerminalNeedsYes() throws {
      let run = try wt(["apply", "-f", "examples/starter/wt.yaml"])
      #expect(run.status == 1)
      #expect(run.stderr.contains("pass --yes"))
    }

    @Test func helpListsTheCommandsAndExitCodes() throws {
      let run = try wt(["--help"])
      #expect(run.status == 0)
      for word in ["validate", "diff", "apply", "auto", "Exit codes: 0 ok, 1 error, 2"] {
        #expect(run.stdout.contains(word), "help lacks \(word)")
      }
    }
  }
}
