import Foundation
import Testing

/// Bead text written by a stranger, tried as an attacker would, through the
/// binary on real git and tmux: at worst refused with a clear message; it
/// never runs anything, never reaches another worker, never rewrites what a
/// person reads.
extension EndToEnd {
  @Suite(.timeLimit(.minutes(5))) struct HostileTests {
    struct Corpus: Decodable {
      var valid: [String]?
      var hostile: [String]?
      var texts: [String]?
    }

    static func corpus(_ name: String, marker: String) throws -> Corpus {
      let text = try String(contentsOfFile: "\(CLITests.root)/Tests/Corpus/\(name)", encoding: .utf8)
        .replacingOccurrences(of: "{marker}", with: marker)
      return try JSONDecoder().decode(Corpus.self, from: Data(text.utf8))
    }

    /// What a terminal may receive: text and newlines, nothing it acts on.
    static func inert(_ text: String) -> Bool {
      text.unicodeScalars.allSatisfy { s in
        s == "\n" || !(s.value < 0x20 || (0x7F...0x9F).contains(s.value) || s.value == 0x2028 || s.value == 0x2029)
      }
    }

    @Test func hostileIdsAreRefusedNeverClaimedAndNeverRun() throws {
      let p = try Playground(workers: 3)
      let marker = "\(p.dir)/pwned"
      // An argument cannot hold NUL, so ids with one are left to the unit
      // tests (bd would print them in JSON as \u0000).
      let hostile = try Self.corpus("hostile-ids.json", marker: marker).hostile!.filter { !$0.isEmpty && !$0.contains("\0") }
      for id in hostile { try p.bead(id: id, "hostile \(id)", priority: 0) }
      let good = try p.bead("An honest bead", priority: 3)

      for args in [["diff"], ["ready"], ["apply", "--yes"], ["status"], ["apply", "--yes"], ["diff", "-o", "json"]] {
        let run = try p.sh([CLITests.binary] + args, check: false)
        #expect(Self.inert(run.stdout) && Self.inert(run.stderr), "wt \(args.joined(separator: " "))")
      }
      let diff = try p.wt("diff")
      #expect(diff.stdout.contains("refused bead id 'demo-#(touch \(marker))'"))
      #expect(diff.stdout.contains("refused bead id 'demo-a3f\\e[31m'"))
      #expect(!p.exists(marker))
      for id in hostile {
        let bead = try p.show(id)
        #expect(bead["status"] as? String == "open", "\(id)")
        #expect(bead["assignee"] == nil, "\(id)")
      }
      #expect(try p.show(good)["status"] as? String == "in_progress")
      let sessions = try p.sh(["tmux", "-L", p.socket, "list-sessions", "-F", "#{session_name}"]).stdout
      for name in sessions.split(separator: "\n") {
        #expect(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }, "\(name)")
      }
      // Named on the command line, it is refused before anything is looked
      // up: a usage error that says why.
      let new = try p.wt("new", "demo-#(touch \(marker))")
      #expect(new.status == 64)
      #expect(new.stderr.contains("not one bd makes"), "\(new.stderr)")
      #expect(!p.exists(marker))
      #expect(try p.claimedWithoutWorker().isEmpty)
    }

    @Test func hostileTextsReachTheAgentAsExactlyOneInertSubmission() throws {
      let p = try Playground(workers: 20)
      let marker = "\(p.dir)/pwned"
      let texts = try Self.corpus("hostile-texts.json", marker: marker).texts!
      var beads: [String: String] = [:]
      for text in texts { beads[try p.bead("T", descriptionFile: text)] = text }
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
      #expect(Self.inert(apply.stdout) && Self.inert(apply.stderr))
      #expect(try p.wait { p.submissions().count >= texts.count })
      Thread.sleep(forTimeInterval: 1)
      let submissions = p.submissions()
      #expect(submissions.count == texts.count)
      for (id, text) in beads {
        let mine = submissions.filter { ($0["cwd"] as? String)?.hasSuffix("/\(id)") == true }
        #expect(mine.count == 1, "\(id): \(mine.count) submissions for \(text.debugDescription)")
        // The template, rendered, minus the control bytes (PromptText).
        let expected = sanitized("Work on \(id): T\n\(text)\n")
        #expect(mine.first?["prompt"] as? String == expected, "\(text.debugDescription)")
      }
      #expect(!p.exists(marker))
      // Between wt's paste brackets there is never an ESC, and outside them
      // wt only pressed Enter and C-u.
      let raw = Array(((try? String(contentsOfFile: "\(p.dir)/agent.raw", encoding: .utf8)) ?? "")
        .split(separator: "\n").flatMap { line in stride(from: 0, to: line.count, by: 2).compactMap { i -> UInt8? in
          let start = line.index(line.startIndex, offsetBy: i)
          return UInt8(line[start..<line.index(start, offsetBy: 2)], radix: 16)
        } })
      let open = Array("\u{1B}[200~".utf8), close = Array("\u{1B}[201~".utf8)
      var i = 0, pastes = 0
      while i < raw.count {
        if raw[i...].starts(with: open) {
          let body = i + open.count
          guard let end = (body..<raw.count).first(where: { raw[$0...].starts(with: close) }) else {
            Issue.record("a paste that never ends")
            break
          }
          #expect(!raw[body..<end].contains(0x1B), "an ESC inside a paste")
          pastes += 1
          i = end + close.count
        } else {
          #expect([0x0D, 0x15].contains(raw[i]), "wt typed \(raw[i]) outside a paste")
          i += 1
        }
      }
      #expect(pastes == texts.count)
    }

    /// What `PromptText.sanitize` promises, restated for the test.
    func sanitized(_ text: String) -> String {
      var t = text.replacingOccurrences(of: "\r\n", with: "\n")
      for m in ["\u{1B}[200~", "\u{1B}[201~", "\u{9B}200~", "\u{9B}201~"] { t = t.replacingOccurrences(of: m, with: "") }
      var out = ""
      for s in t.unicodeScalars {
        if s == "\n" || s == "\t" { out.unicodeScalars.append(s) }
        else if s == "\r" || s.value == 0x2028 || s.value == 0x2029 { out += "\n" }
        else if s.value < 0x20 || (0x7F...0x9F).contains(s.value) { continue }
      // Invisible format characters (bidi, zero-width, tags) but the
      // joiner emoji need, and the blank fillers.
      else if (s.properties.generalCategory == .format && s.value != 0x200D)
        || [0x115F, 0x1160, 0x180E, 0x3164, 0xFFA0].contains(s.value) { continue }
      else { out.unicodeScalars.append(s) }
      }
      while out.hasSuffix("\n") { out.removeLast() }
      return out
    }

    @Test func hostileTitlesNeverReachTheTerminalRaw() throws {
      let p = try Playground(workers: 2)
      let texts = try Self.corpus("hostile-texts.json", marker: "\(p.dir)/pwned").texts!
      let titles = texts.prefix(8).filter { !$0.contains("\0") }
      for text in titles { try p.bead(text, description: "x") }
      _ = try p.wt("apply", "--yes")
      let workers = try p.rows("status", "--json")
      let name = try #require(workers.first?["name"] as? String)
      let signal = try p.wt("signal", "--worker", name, "needs-input", "help \u{1B}]52;c;eA==\u{7} now")
      #expect(signal.status == 0, "\(signal.stderr)")
      for args in [["diff"], ["ready"], ["status"], ["watch", "--once"], ["ready", "--json"], ["status", "--json"], ["project", "list"]] {
        let run = try p.sh([CLITests.binary] + args, check: false)
        #expect(run.status == 0, "wt \(args.joined(separator: " ")): \(run.stderr)")
        #expect(Self.inert(run.stdout), "wt \(args.joined(separator: " ")) printed a control byte")
        #expect(Self.inert(run.stderr))
      }
      // JSON keeps the exact text.
      let ready = try p.rows("ready", "--json")
      #expect(Set(ready.compactMap { $0["title"] as? String }).isSubset(of: Set(titles)))
    }

    /// Pairs whose names collided when project and bead were joined with
    /// `-` and `.` became `_`: each still gets its own session, and each
    /// agent its own prompt.
    @Test func workersWhoseNamesUsedToCollideStayApart() throws {
      let p = try Playground()
      let pairs = [("x", "y-z", "y-z-abc"), ("x-y", "z", "z-abc"), ("a.b", "q", "q-abc"), ("a_b", "q", "q-abc")]
      var projects = ""
      for (name, prefix, id) in pairs {
        let repo = "\(p.dir)/repo-\(name)"
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        try p.sh(["git", "init", "-q", "-b", "main"], in: repo)
        try p.sh(["git", "commit", "-q", "--allow-empty", "-m", "init"], in: repo)
        try p.sh([p.env["WT_BD"]!, "init", "-p", prefix, "-q"], in: repo)
        try p.bead(id: id, "bead of \(name)", in: repo)
        projects += "  \(name):\n    path: \(repo)\n    agent: fake\n    workers: 1\n"
      }
      let manifest = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      try (manifest.components(separatedBy: "projects:\n")[0] + "projects:\n" + projects
        + "defaults:\n  prompt: \"Work on {{project.name}} {{bead.id}}\"\n")
        .write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
      let sessions = try p.sh(["tmux", "-L", p.socket, "list-sessions", "-F", "#{session_name} #{@wt-project} #{@wt-bead}"]).stdout
        .split(separator: "\n")
      #expect(sessions.count == pairs.count, "\(sessions)")
      #expect(try p.wait { p.submissions().count >= pairs.count })
      for (name, _, id) in pairs {
        let mine = p.submissions().filter { ($0["cwd"] as? String)?.hasSuffix("/worktrees/\(name)/\(id)") == true }
        #expect(mine.map { $0["prompt"] as? String } == ["Work on \(name) \(id)"], "\(name)/\(id)")
      }
    }

    /// A title that spells the busy marker and a dialog's question, pasted
    /// into an agent that loses its first five Enters: wt neither answers a
    /// "dialog" nor calls it delivered before the agent took it, once.
    @Test func beadTextThatLooksLikeTheAgentsScreenFoolsNothing() throws {
      let agents = """
          fake:
            command: [\(CLITests.root)/Tests/Support/fake-agent]
            session_id: true
            ready: '^❯\\u00A0'
            busy: 'esc to interrupt'
            dialogs: [{match: 'Is this a project you created or one you trust', keys: [Down, Enter]}]
            env: {FAKE_AGENT_DELAY: "0.2", FAKE_AGENT_WORK: "0.3", FAKE_AGENT_DROP_ENTERS: "5", FAKE_AGENT_LOG: "\(FileManager.default.temporaryDirectory.path)/unused"}
        """
      let p = try Playground(agents: agents)
      try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
        .replacingOccurrences(of: "\(FileManager.default.temporaryDirectory.path)/unused", with: "\(p.dir)/agent.log")
        .write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let id = try p.bead("esc to interrupt", description: "Is this a project you created or one you trust")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      #expect(try p.wait(seconds: 10) { p.submissions().count == 1 })
      #expect(p.submissions().first?["prompt"] as? String == "Work on \(id): esc to interrupt\nIs this a project you created or one you trust")
      // Every Enter wt pressed has been read: none submitted it again.
      #expect(try p.keysRead(by: "wt-demo__\(id)"))
      #expect(p.submissions().count == 1)
    }
  }
}
