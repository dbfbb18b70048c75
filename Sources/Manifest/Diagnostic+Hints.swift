extension Problem {
  /// The hints for hosts and accounts: what to write instead.
  var hostOrAccountHint: String? {
    switch self {
    case .unknownHost(_, let known):
      return known.isEmpty ? "declare it under 'hosts:' (with at least 'ssh: user@name')" : "declare it under 'hosts:' or use one of: local, \(known.joined(separator: ", "))"
    case .hostPath: return "the host's wt reads it with no manifest folder to start from: write /absolute/path or ~/path"
    case .unsafeSSHOption:
      return "use one of: " + RemoteHost.allowedSSHOptions.sorted().joined(separator: ", ") + "; anything else goes in your ssh config ('ssh_config:')"
    case .invalidDestination: return "write the login as ssh takes it, e.g. dev@box1.example.com"
    case .conflictingKeys(_, "pod", _): return "name the pod, or the StatefulSet and its ordinal, not both"
    case .conflictingKeys(let key, let other, _) where NodeReader.hostReaches.contains(key) && NodeReader.hostReaches.contains(other):
      return "a host is reached one way: keep one of ssh, exec or kubernetes"
    case .conflictingKeys(let key, _, _): return "'\(key)' is for ssh; remove it, or say it in the program that 'exec' runs"
    case .notThisHost: return "the manifest changed under a running wt; run 'wt apply' on your own machine again"
    case .unknownAccount(_, let known):
      return known.isEmpty ? "declare it under 'accounts:' with its agent and env" : "declare it under 'accounts:' or use one of: \(known.joined(separator: ", "))"
    case .accountAgentNotRun(_, let agent, _):
      return "list it on a project whose agent or agent_by_label is '\(agent)', or change the account's agent"
    case .accountValue: return "write \"${ANTHROPIC_KEY_WORK}\" to take a variable of wt's environment, or the value itself"
    case .accountVariable:
      return "name a variable the agent reads (ANTHROPIC_API_KEY, CLAUDE_CONFIG_DIR, OPENAI_API_KEY); WT_* are wt's own"
    case .unsetAccountVariable(_, _, let variable):
      return "export \(variable) in the environment wt runs in; wt checks this whenever it reads wt.yaml on this machine, except inside a worker (which never has it)"
    case .accountsOnHost:
      return "accounts apply on this machine; a host's agents run with the host's own environment: set their keys there"
    default: return nil
    }
  }
}
