/// A validated wt.yaml: the settings, agent profiles and projects a person
/// declared, with defaults filled in and paths made absolute.
///
/// It is the desired state only. It says nothing about what runs; that is
/// the reconciler's `Observed`.
public struct Manifest: Hashable, Sendable {
  /// The file it was read from, absolute.
  public var file: String
  public var settings: Settings
  /// Agent profiles by name; always holds the built-in `claude`.
  public var agents: [String: AgentProfile]
  /// Projects in the order the file lists them.
  public var projects: [Project]
  /// Set when this file itself is a repository's, not one the person named.
  public var foreign: ForeignFile?
  /// `hosts:`, in file order.
  public var hosts: [RemoteHost] = []
  /// Projects that run on one of `hosts`; `projects` holds only the ones
  /// that run here.
  public var remoteProjects: [RemoteProject] = []
  /// The host this manifest was read for (`$WT_HOST`, set by the wt that
  /// drives this one); nil on the person's own machine.
  public var perspective: String?
  /// `accounts:`, in file order; empty on a host (its projects run on
  /// the host's own credentials, as `settings:` stays this machine's).
  public var accounts: [Account] = []

  public init(file: String, settings: Settings, agents: [String: AgentProfile], projects: [Project]) {
    self.file = file
    self.settings = settings
    self.agents = agents
    self.projects = projects
  }

  public func project(named name: String) -> Project? { projects.first { $0.name == name } }

  public func host(named name: String) -> RemoteHost? { hosts.first { $0.name == name } }

  /// The projects each host runs, for hosts that run any, in file order.
  public var projectsByHost: [(host: RemoteHost, projects: [RemoteProject])] {
    hosts.compactMap { host in
      let mine = remoteProjects.filter { $0.host == host.name }
      return mine.isEmpty ? nil : (host, mine)
    }
  }
}

/// `settings:`: machine-wide limits and where things live.
public struct Settings: Hashable, Sendable {
  public enum TmuxSocket: Hashable, Sendable {
    /// The person's own tmux server.
    case `default`
    /// `tmux -L NAME`.
    case named(String)
    /// `tmux -S PATH`.
    case path(String)
  }

  public var worktreeRoot: String
  public var tmuxSocket: TmuxSocket
  /// Cap across all projects; nil means no cap beyond each project's.
  public var maxWorkers: Int?
  public var admission: Admission
  public var bd: String
  public var ports: ClosedRange<Int>
  /// Argument array run when a worker needs attention; empty for none.
  public var notify: [Template]
  /// `merge:` for every project that does not say otherwise.
  public var merge = MergePolicy()
  /// `settings.pr`: the pull-request loop's policy for every project that
  /// sets none of its own.
  public var pr: PullRequestPolicy?
  /// Every project's sandbox unless its own or its agent's says otherwise.
  public var sandbox: Sandbox? = nil
  /// How wt resumes workers stopped on their provider's limits.
  public var limits = Limits()
  /// `settings.budget`: each bead's and project's day by default, and the
  /// whole day's cap.
  public var budget = Budget()
  /// `settings.prices`, by agent profile name: no built-in prices.
  public var prices: [String: Prices] = [:]

  public init(
    worktreeRoot: String, tmuxSocket: TmuxSocket = .default, maxWorkers: Int? = nil,
    admission: Admission = Admission(), bd: String = "bd", ports: ClosedRange<Int> = 3100...3199,
    notify: [Template] = []
  ) {
    self.worktreeRoot = worktreeRoot
    self.tmuxSocket = tmuxSocket
    self.maxWorkers = maxWorkers
    self.admission = admission
    self.bd = bd
    self.ports = ports
    self.notify = notify
  }
}

/// How to run one kind of agent and read its screen.
public struct AgentProfile: Hashable, Sendable {
  public struct Dialog: Hashable, Sendable {
    public var match: String
    public var keys: [String]
    public init(match: String, keys: [String]) {
      self.match = match
      self.keys = keys
    }
  }

  /// A question the agent asks while it works (after it took the prompt),
  /// and the profile's policy for it: `keys` answer it; no keys leave it to
  /// the person, and the worker shows `needs-input` with the question.
  /// Listed in order; the first that matches wins.
  public struct Question: Hashable, Sendable {
    public var match: String
    public var keys: [String]
    public init(match: String, keys: [String] = []) {
      self.match = match
      self.keys = keys
    }
    /// Whether wt answers it (else the person does).
    public var answered: Bool { !keys.isEmpty }
  }

  /// Which hook files wt writes into a worktree so the agent reports to
  /// `wt signal` (see `AgentHooks`).
  public enum Hooks: String, Hashable, Sendable, CaseIterable {
    case claude, codex, gemini, none
  }

  /// How the first prompt goes on the agent's command line.
  public enum PromptArg: Hashable, Sendable {
    /// As the last argument (`claude 'PROMPT'`, `codex 'PROMPT'`).
    case positional
    /// After a flag (`gemini --prompt-interactive PROMPT`).
    case flag(String)
  }

  /// A file wt writes so that the agent trusts the worktree without asking.
  /// A closed set: each kind writes one fixed file under the agent's home
  /// (the profile's `HOME`, else the person's), so no manifest can aim it
  /// anywhere else.
  public enum TrustSeed: String, Hashable, Sendable, CaseIterable {
    /// `~/.codex/config.toml`: `[projects."<worktree>"] trust_level = "trusted"`.
    case codex
    /// `~/.gemini/trustedFolders.json`: `{"<worktree>": "TRUST_FOLDER"}`.
    case gemini
    /// `~/.cursor/projects/<key>/.workspace-trusted`.
    case cursor
    case none
  }

  /// Where a profile came from, for `wt agents`.
  public enum Origin: String, Hashable, Sendable {
    case builtIn = "built-in", overridden, declared
  }

  public var name: String
  public var command: [String]
  public var env: [String: String]
  /// Start with `--session-id <uuid>` so the session can be found and resumed.
  public var sessionId: Bool
  /// Command to resume a session; `{{worker.session_id}}` is filled in. A
  /// flag (`[claude, --resume, ID]`) or a subcommand (`[codex, resume, ID]`).
  public var resume: [Template]
  /// A screen line matching this means the agent takes input.
  public var ready: String
  /// A screen line matching this means the agent is working.
  public var busy: String?
  /// Start-up screens, answered before the prompt is sent.
  public var dialogs: [Dialog]
  /// Questions after the prompt: the agent at work. Never a reason to
  /// send the prompt again.
  public var questions: [Question] = []
  /// What the agent prints when its provider limits it (`LimitPattern`).
  public var limits: [LimitPattern] = []
  public var hooks: Hooks
  /// How to pass the first prompt at start; nil: pasted once ready.
  public var promptArg: PromptArg? = nil
  public var trustSeed: TrustSeed = .none
  /// Seconds the ready screen must stay unchanged before wt types, for an
  /// agent whose prompt is drawn before it listens; nil: wt's default.
  public var readyDelay: Double? = nil
  /// Vendor variables (`ProviderKeys.known`) this agent uses and keeps
  /// from the person's environment; the other vendors' are removed from
  /// its worker. nil: every variable is kept (a profile a person declares
  /// without `pass_env`, or one that picks its vendor from its own config).
  public var passEnv: [String]? = nil
  /// Where the agent records the tokens it used (`wt usage`); `.none`
  /// shows "?".
  public var usage: UsageSource = .none
  /// Where this agent runs, unless its project says (see `Sandbox`).
  public var sandbox: Sandbox? = nil
  public var origin: Origin = .declared

  /// What the profile can do, for `wt agents`.
  public var capabilities: [String] {
    var out: [String] = []
    if hooks != .none { out.append("hooks") }
    if !resume.isEmpty { out.append("resume") }
    if promptArg != nil { out.append("prompt-arg") }
    if trustSeed != .none { out.append("trust-seed") }
    return out
  }
}

/// One repository wt works in, with everything resolved.
public struct Project: Hashable, Sendable {
  public var name: String
  /// The main checkout, absolute.
  public var path: String
  public var base: String
  public var workers: Int
  public var agent: String
  public var onDone: OnDone
  public var prompt: Template
  public var select: Selection
  public var copy: [String]
  public var setup: [[String]]
  public var gate: [[String]]
  public var portEnv: String?
  /// Ignored build output teardown may delete (`node_modules/`,
  /// `.build/`); any other ignored file that differs from what wt put
  /// there keeps the worktree.
  public var disposable: [String] = []
  /// `merge:` as the project wrote it (nil fields come from `settings:`).
  public var merge = MergePolicy()
  /// `gate_cache:`: keep and reuse the merge queue's gate worktrees.
  public var gateCache: GateCache?
  /// The repository's own wt.yaml, when its `project:` block supplied
  /// something that runs (setup, gate, copy, port_env).
  public var foreign: ForeignFile?
  /// `agent_by_label:`, in file order: a bead with one of these labels gets
  /// that agent instead of `agent` (the first that matches wins).
  public var agentByLabel: [LabelAgent] = []
  /// `pr:`, for `on_done: pr` and `pr-auto`.
  public var pr = PullRequestPolicy()
  /// `sandbox:` written for this project (or its `defaults:`); nil: its
  /// agent's or `settings:`'s.
  public var sandbox: Sandbox? = nil
  /// `accounts:`: names of top-level accounts, first choice first. A bead
  /// starts on the first whose agent is the bead's and which is not
  /// paused; an agent with none listed runs on its implicit account.
  public var accounts: [String] = []
  /// The project's own `budget:` (`bead`, `project_day`); what it leaves
  /// out comes from `settings.budget`.
  public var budget = Budget()

  public struct LabelAgent: Hashable, Sendable {
    public var label: String
    public var agent: String
  }

  /// The agent for a bead with these labels.
  public func agent(forLabels labels: [String]) -> String {
    agentByLabel.first { labels.contains($0.label) }?.agent ?? agent
  }

  /// Every agent the project may start.
  public var agents: [String] { [agent] + agentByLabel.map(\.agent).filter { $0 != agent } }
}

/// Which ready beads a project works on. Every condition that is set must
/// hold.
public struct Selection: Hashable, Sendable {
  public var labels: [String] = []
  public var anyLabels: [String] = []
  public var excludeLabels: [String] = []
  public var types: [String] = []
  public var maxPriority: Int?
  public var ids: [String] = []

  public init(
    labels: [String] = [], anyLabels: [String] = [], excludeLabels: [String] = [], types: [String] = [],
    maxPriority: Int? = nil, ids: [String] = []
  ) {
    self.labels = labels
    self.anyLabels = anyLabels
    self.excludeLabels = excludeLabels
    self.types = types
    self.maxPriority = maxPriority
    self.ids = ids
  }

  /// Whether a bead with these facts is selected.
  public func matches(id: String, type: String, priority: Int, labels beadLabels: [String]) -> Bool {
    let have = Set(beadLabels)
    if !ids.isEmpty && !ids.contains(id) { return false }
    if !labels.allSatisfy(have.contains) { return false }
    if !anyLabels.isEmpty && !anyLabels.contains(where: have.contains) { return false }
    if excludeLabels.contains(where: have.contains) { return false }
    if !types.isEmpty && !types.contains(type) { return false }
    if let maxPriority, priority > maxPriority { return false }
    return true
  }
}
