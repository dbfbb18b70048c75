import Foundation
import Manifest
import Testing

@testable import Reconciler

/// The control socket is the connection: whoever can put a socket where
/// ssh looks for it answers every command wt sends to the host.
@Suite struct SSHTransportTests {
  func transport(socketIn folder: String) -> SSHTransport {
    var t = SSHTransport(host: RemoteHost(name: "box1", ssh: "dev@box1.invalid"), stateDirectory: folder, runner: ProcessRunner())
    t.controlPath = "\(folder)/0123456789abcdef"
    return t
  }

  func folder() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-ssh-test-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    return dir
  }

  /// `/tmp/wt-ssh-UID` is a name anyone on the machine can take first.
  @Test func aControlFolderOthersCanWriteIsRefused() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    chmod(dir, 0o777)
    #expect(throws: HostRefusal.self) { try transport(socketIn: dir).prepareControlFolder() }
  }

  @Test func aControlFolderOfAnotherUserIsRefused() throws {
    guard getuid() == 0 else { return }
    let dir = try folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    chown(dir, 65534, 65534)
    #expect(throws: HostRefusal.self) { try transport(socketIn: dir).prepareControlFolder() }
  }

  @Test func aControlFolderThatIsALinkIsRefused() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: "\(dir)/real", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    symlink("\(dir)/real", "\(dir)/link")
    #expect(throws: HostRefusal.self) { try transport(socketIn: "\(dir)/link").prepareControlFolder() }
  }

  @Test func ownPrivateFolderIsUsed() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try transport(socketIn: "\(dir)/ssh").prepareControlFolder()
    var info = stat()
    #expect(lstat("\(dir)/ssh", &info) == 0 && info.st_mode & 0o777 == 0o700)
  }

  /// The person's options come first (ssh keeps the first value), the
  /// destination after `--`, and the command is one quoted word.
  @Test func argumentsPutThePersonsOptionsFirstAndTheDestinationLast() {
    var host = RemoteHost(name: "box1", ssh: "dev@box1.invalid")
    host.port = 2222
    host.sshOptions = ["ServerAliveInterval=10"]
    let t = SSHTransport(host: host, stateDirectory: "/s", runner: ProcessRunner())
    let argv = t.argv(["wt", "status", "--json"], environment: ["WT_HOST": "box1"])
    let mine = argv.firstIndex(of: "ServerAliveInterval=10")
    let wts = argv.firstIndex(of: "ServerAliveInterval=\(t.aliveInterval)")
    #expect(mine != nil && wts != nil && mine! < wts!)
    #expect(argv.contains("BatchMode=yes") && argv.contains("ControlMaster=auto"))
    #expect(Array(argv.suffix(3)) == ["--", "dev@box1.invalid", #"exec env -- "PATH=$PATH:$HOME/.local/bin" 'WT_HOST=box1' 'wt' 'status' '--json'"#])
  }

  /// A host that stops answering is given up after about its `timeout`:
  /// ssh's questions are spaced so that three unanswered ones fill it.
  @Test func aliveQuestionsFollowTheHostsTimeout() {
    for (timeout, interval) in [(3.0, "1"), (20.0, "7"), (60.0, "20")] {
      var host = RemoteHost(name: "box1", ssh: "dev@box1.invalid")
      host.timeout = timeout
      let argv = SSHTransport(host: host, stateDirectory: "/s", runner: ProcessRunner()).sshArguments()
      #expect(argv.contains("ServerAliveInterval=\(interval)") && argv.contains("ServerAliveCountMax=3"), "\(timeout)")
    }
  }
}
