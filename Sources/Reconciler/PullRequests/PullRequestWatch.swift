import Foundation
import Manifest

/// The look at every open pull request wt made, as part of observing.
///
/// Cost: per open pull request and `pr.interval` (default 60 s; a quarter
/// of it while checks run), one `gh pr view --json` and one `gh api
/// …/pulls/N/comments --paginate`: 2 calls. Only when something is new:
/// `gh run view --log-failed` and `gh run list` once per failing head,
/// and one permission look-up per login and hour. Between looks the last
/// one is reused from `pull-requests.json` in the state folder (a memory
/// of GitHub's answers, never of what wt did: that is in the worker's
/// record). A look that fails backs off: twice the interval per failure
/// in a row, at most 15 minutes.
extension World {
  struct PullRequestCache: Codable {
    struct Entry: Codable {
      var look: PullRequestObservation
      var failures = 0
    }
    struct Permission: Codable {
      var push: Bool
      var at: Date
    }
    var looks: [String: Entry] = [:]
    var permissions: [String: Permission] = [:]
  }

  var pullRequestCacheFile: String { "\(store.directory)/pull-requests.json" }

  func loadPullRequestCache() -> PullRequestCache {
    guard let data = FileManager.default.contents(atPath: pullRequestCacheFile),
      let cache = try? JSONDecoder().decode(PullRequestCache.self, from: data)
    else { return PullRequestCache() }
    return cache
  }

  func observePullRequests(_ manifest: Manifest, _ state: State, projects: Set<String>, now: Date) async
    -> [String: PullRequestObservation]
  {
    let records = state.workers.values.filter { $0.pullRequest != nil && projects.contains($0.project) }
    guard !records.isEmpty else { return [:] }
    var cache = loadPullRequestCache()
    var out: [String: PullRequestObservation] = [:]
    for record in records.sorted(by: { $0.name < $1.name }) {
      guard let project = manifest.project(named: record.project), let pr = record.pullRequest else { continue }
      let last = cache.looks[record.name]
      if let last, last.look.nextLook > now {
        out[record.name] = last.look
        continue
      }
      var entry = await look(pr, record: record, project: project, now: now, cache: &cache)
      if entry.look.problem != nil {
        entry.failures = (last?.failures ?? 0) + 1
        let wait = min(Double(project.pr.interval) * pow(2, Double(entry.failures)), 900)
        entry.look.nextLook = now.addingTimeInterval(wait)
        // What was seen last stays shown.
        entry.look.view = last?.look.view
      }
      cache.looks[record.name] = entry
      out[record.name] = entry.look
    }
    for name in cache.looks.keys where state.workers[name]?.pullRequest == nil { cache.looks[name] = nil }
    if let data = try? JSONEncoder().encode(cache) {
      try? FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
      try? data.write(to: URL(fileURLWithPath: pullRequestCacheFile), options: .atomic)
    }
    return out
  }

  func look(
    _ pr: PullRequestRecord, record: WorkerRecord, project: Project, now: Date, cache: inout PullRequestCache
  ) async -> PullRequestCache.Entry {
    let github = GitHub(runner: runner)
    let directory = FileManager.default.fileExists(atPath: record.worktree) ? record.worktree : project.path
    let interval = Double(project.pr.interval)
    guard let address = GitHub.PullRequestAddress(url: pr.url) else {
      return .init(look: .init(view: nil, problem: "'\(InertLine.of(pr.url))' is not a GitHub pull request URL", nextLook: now.addingTimeInterval(interval)))
    }
    do {
      var view = try await github.pullRequest(address, url: pr.url, in: directory)
      var look = PullRequestObservation(view: view, nextLook: now.addingTimeInterval(interval))
      guard view.state == .open else { return .init(look: look) }
      view.lineComments = try await github.lineComments(address, in: directory)
      look.view = view
      if view.checks.contains(where: { $0.bucket == .pending }) {
        look.nextLook = now.addingTimeInterval(max(1, interval / 4))
      }
      let failing = view.checks.filter { $0.bucket == .fail }
      if !failing.isEmpty && !pr.routed.contains("ci:\(view.headSHA)") {
        let onBase = (try? await github.failingWorkflows(on: project.base, address, in: directory)) ?? []
        look.failingOnBase = failing.filter { !$0.workflow.isEmpty && onBase.contains($0.workflow) }.map(\.name)
        if let run = failing.first(where: { !look.failingOnBase.contains($0.name) })?.runID {
          let lines = (try? await github.failedLog(run: run, address, in: directory)) ?? []
          look.failureLog = PullRequestRound.excerpt(lines)
        }
      }
      let routed = Set(pr.routed)
      var authors = Set(view.reviews.filter { $0.asks && !routed.contains("review:\($0.id)") }.map(\.author))
      authors.formUnion(view.lineComments.filter { $0.line != nil && !routed.contains("comment:\($0.id)") }.map(\.author))
      authors.formUnion(view.comments.filter { !routed.contains("conversation:\($0.id)") }.map(\.author))
      for login in authors.sorted() {
        if project.pr.trusted.contains(login) {
          look.steering.append(login)
          continue
        }
        let key = "\(address.host)/\(address.slug)/\(login)"
        if let known = cache.permissions[key], now.timeIntervalSince(known.at) < 3600 {
          if known.push { look.steering.append(login) }
          continue
        }
        // An answer GitHub did not give steers nothing; it is asked again
        // at the next look.
        guard let push = try? await github.canPush(login, address, in: directory) else { continue }
        cache.permissions[key] = .init(push: push, at: now)
        if push { look.steering.append(login) }
      }
      return .init(look: look)
    } catch {
      return .init(look: .init(view: nil, problem: "\(error)", nextLook: now.addingTimeInterval(interval)))
    }
  }
}

extension World {
  /// Workers whose pull request wt follows, with wt's last look at each
  /// (no call to GitHub): `wt queue` lists them beside local merges.
  public func openPullRequests(_ manifest: Manifest) throws -> [(record: WorkerRecord, status: PullRequestStatus)] {
    let looks = loadPullRequestCache().looks
    return try store.load().workers.values.sorted { $0.name < $1.name }.compactMap { record in
      guard let pr = record.pullRequest else { return nil }
      let max = manifest.project(named: record.project)?.pr.maxRounds ?? PullRequestPolicy().maxRounds
      return (record, PullRequestStatus(pr, look: looks[record.name]?.look, maxRounds: max))
    }
  }
}
