import Foundation
import Manifest
import Testing
import TestSupport
@testable import Reconciler

#if canImport(Glibc)
  import Glibc
#endif

/// `network: {allow: [...]}` (docs/sandbox.md, "Network"): the filter and
/// configuration tinyproxy gets, as pure text, matched here by the same
/// POSIX regular expressions tinyproxy uses; the variables and namespace
/// the sandbox gets; then the real tinyproxy, socat and bwrap.
@Suite(.timeLimit(.minutes(2))) struct SandboxProxyTests {
  /// Whether `host` passes `filter` as tinyproxy reads it (`FilterType
  /// ere`, case-insensitive by default: regcomp(3) with REG_EXTENDED and
  /// REG_ICASE, one line a rule, `#` a comment).
  static func allows(_ filter: String, _ host: String) -> Bool {
    filter.split(separator: "\n").filter { !$0.hasPrefix("#") }.contains { rule in
      var regex = regex_t()
      guard regcomp(&regex, String(rule), REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0 else { return false }
      defer { regfree(&regex) }
      return regexec(&regex, host, 0, nil, 0) == 0
    }
  }

  @Test func aDomainAllowsItselfAndAWildcardItsSubdomainsOnly() {
    let filter = Tinyproxy.filter(["example.com", "*.pypi.org", "localhost"])
    #expect(
      filter == """
        # Written by wt from sandbox.network.allow; one line a domain.
        ^example\\.com$
        ^([a-z0-9-]+\\.)+pypi\\.org$
        ^localhost$

        """)
    for host in ["example.com", "EXAMPLE.com", "files.pypi.org", "a.b.pypi.org", "localhost"] {
      #expect(Self.allows(filter, host), "\(host)")
    }
    for host in [
      "evil-example.com", "example.com.evil.net", "api.example.com", "exampleXcom", "pypi.org", "evilpypi.org",
      "pypi.org.evil.net", "x.pypi.org.evil.net", "localhost.evil.net", "127.0.0.1", "",
    ] {
      #expect(!Self.allows(filter, host), "\(host)")
    }
  }

  /// A list that did not come through wt.yaml's check allows nothing of
  /// what it cannot spell as a host.
  @Test func anythingButAHostNameIsLeftOutOfTheFilter() {
    let filter = Tinyproxy.filter([".*", "a|b", "x.com\n^.*", "*.", "", "ok.org"])
    #expect(filter.split(separator: "\n").filter { !$0.hasPrefix("#") } == ["^ok\\.org$"])
    #expect(!Self.allows(filter, "evil.net"))
  }

  /// `wt validate`'s words when a program of the proxy is missing.
  @Test func aMissingProxyProgramSaysHowToInstallIt() async {
    let runner = ProcessRunner()
    let tinyproxy = await Tinyproxy(program: "/nonexistent/tinyproxy").problem(runner: runner)
    #expect(tinyproxy?.reason == "/nonexistent/tinyproxy, the filtering proxy of network: {allow: [...]}, is not installed")
    #expect(tinyproxy?.fix.hasPrefix("install it: apt-get install tinyproxy") == true)
    let socat = await Socat(program: "/nonexistent/socat").problem(runner: runner)
    #expect(socat?.fix.hasPrefix("install it: apt-get install socat") == true)
    if SandboxProxyRunTests.tools {
      #expect(await Tinyproxy().problem(runner: runner) == nil)
      #expect(await Socat().problem(runner: runner) == nil)
    }
  }

  @Test func tinyproxyListensOnLoopbackAndRefusesWhatTheListDoesNotName() {
    #expect(
      Tinyproxy.configuration(port: 40123, filter: "/s/proxy/filter", log: "/s/proxy/tinyproxy.log") == """
        Port 40123
        Listen 127.0.0.1
        Timeout 600
        MaxClients 64
        LogLevel Notice
        LogFile "/s/proxy/tinyproxy.log"
        Filter "/s/proxy/filter"
        FilterType ere
        FilterURLs No
        FilterDefaultDeny Yes
        ConnectPort 443
        ConnectPort 80
        DisableViaHeader Yes

        """)
    #expect(Tinyproxy().arguments(configuration: "/s/c") == ["tinyproxy", "-d", "-c", "/s/c"])
    #expect(Socat().socketToProxy(port: 40123) == ["socat", "UNIX-LISTEN:proxy.sock,fork,unlink-early", "TCP:127.0.0.1:40123"])
  }

  @Test func theSandboxGetsItsOwnNetworkAndTheBridgeAsItsProxy() {
    let sandbox = Sandbox(runtime: .bwrap, network: .allow(["api.anthropic.com", "localhost"]))
    let layout = SandboxLayout.derive(SandboxLayoutTests.worker, sandbox: sandbox)
    let proxy = try! #require(layout.proxy)
    #expect(proxy.socket == "/state/sandbox/wt-api__api-7kq/run/proxy.sock")
    #expect(proxy.folder == "/state/sandbox/wt-api__api-7kq/proxy")
    for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"] {
      #expect(layout.environment[name] == "http://127.0.0.1:3128", "\(name)")
    }
    // localhost is allowed: this machine's, through the proxy; the other
    // loopback names are the sandbox's own.
    #expect(layout.environment["NO_PROXY"] == "127.0.0.1,::1")
    let offline = SandboxLayout.derive(SandboxLayoutTests.worker, sandbox: Sandbox(runtime: .bwrap, network: .allow(["x.org"])))
    #expect(offline.environment["no_proxy"] == "localhost,127.0.0.1,::1")
    let argv = Bubblewrap().arguments(layout, command: ["claude"], kind: { _ in .missing })
    #expect(argv.contains("--unshare-net"))
    // Its proxy's socket is in a folder it reads, never one it writes.
    #expect(layout.mounts.contains { $0.target == proxy.socketFolder && $0.access == .readOnly })
    #expect(!layout.mounts.contains { $0.target.hasPrefix(proxy.folder) })
    #expect(SandboxLayout.derive(SandboxLayoutTests.worker, sandbox: Sandbox(runtime: .bwrap)).proxy == nil)
    // The bridge's script is constant: the folder and the command are its
    // arguments.
    let bridged = Socat().bridged(["claude", "$(rm -rf ~)"], port: 3128, socketFolder: "/a b,c:d")
    #expect(Array(bridged.prefix(2)) == ["/bin/sh", "-c"])
    #expect(Array(bridged.suffix(4)) == ["wt-proxy-bridge", "/a b,c:d", "claude", "$(rm -rf ~)"])
    #expect(!bridged[2].contains("/a b") && bridged[2].contains("UNIX-CONNECT:proxy.sock"))
  }
}

/// The real tinyproxy, socat and bwrap: a sandbox with its own network
/// reaches an allowed host through the proxy, is refused the rest (403),
/// cannot go around it, and the proxy ends with its owner.
@Suite(.timeLimit(.minutes(2))) struct SandboxProxyRunTests {
  static var tools: Bool { SandboxProcesses.proxyTools }

  static func processes(in folder: String) -> [String] { SandboxProcesses.processes(in: folder) }

  @Test(.enabled(if: tools)) func anAllowedHostIsReachedTheRestRefusedAndNothingOutlivesIt() throws {
    let server = try LocalHTTPServer()
    let own = "/tmp/wt-px-\(UUID().uuidString.prefix(6))"
    defer { try? FileManager.default.removeItem(atPath: own) }
    try FileManager.default.createDirectory(atPath: "\(own)/run", withIntermediateDirectories: true)
    let proxy = SandboxProxy(domains: ["localhost"], folder: "\(own)/proxy", socketFolder: "\(own)/run")
    let running = try proxy.start()
    #expect(Self.processes(in: own).count >= 2)
    let curl = "curl -s -m 10 -o /dev/null -w '%{http_code}'"
    let script = """
      echo allowed=$(\(curl) http://localhost:\(server.port)/)
      echo refused=$(\(curl) http://example.com/)
      echo refusedtls=$(curl -s -m 10 -o /dev/null -w '%{http_connect}' https://example.com.evil.net/ ; echo " exit $?")
      echo direct=$(curl -s -m 5 --noproxy '*' http://127.0.0.1:\(server.port)/ ; echo "exit $?")
      """
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.lowercased().hasSuffix("_proxy") }
    env.merge(proxy.environment) { _, b in b }
    let argv =
      ["/usr/bin/bwrap", "--die-with-parent", "--unshare-pid", "--unshare-net", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--"]
      + Socat().bridged(["/bin/sh", "-c", script], port: SandboxProxy.port, socketFolder: proxy.socketFolder)
    let out = try runChild(argv[0], Array(argv.dropFirst()), environment: env)
    let text = out.stdoutText
    #expect(text.contains("allowed=200"), "\(text)\(out.stderrText)")
    #expect(text.contains("refused=403"), "\(text)")
    // CONNECT refused: curl says 403 and fails (exit 56).
    #expect(text.contains("refusedtls=403 exit 56"), "\(text)")
    // Around the proxy: nothing listens on the sandbox's own loopback.
    #expect(text.contains("direct=exit 7"), "\(text)")
    #expect(server.served == 1)
    #expect(try String(contentsOfFile: "\(own)/proxy/tinyproxy.log", encoding: .utf8).contains("refused on filtered domain \"example.com\""))
    running.stop()
    #expect(Self.processes(in: own) == [])
  }
}
