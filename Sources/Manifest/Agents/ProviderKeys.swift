/// The environment variables by which model vendors' clients find their
/// keys and endpoints. An agent that finds another vendor's key may pick
/// that vendor: Aider chooses its model by the first key it sees
/// (aider/onboarding.py, `try_to_select_default_model`: ANTHROPIC_API_KEY
/// before OPENAI_API_KEY), so in a manifest mixing Claude Code and Aider it
/// talked to Anthropic with the person's Claude key. So each built-in
/// profile says which of these it uses (`pass_env`), and a worker's
/// environment has the others removed; every variable that is no vendor's
/// key (PATH, proxies, GH_TOKEN for `gh`) is left alone.
public enum ProviderKeys {
  /// Patterns (a trailing `*` matches any rest) of vendor variables.
  public static let known = [
    "ANTHROPIC_*", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX",
    "OPENAI_*", "AZURE_OPENAI_*", "AZURE_API_KEY", "AZURE_API_BASE", "AZURE_API_VERSION",
    "GEMINI_*", "GOOGLE_API_KEY", "GOOGLE_GENAI_*", "VERTEXAI_*",
    "OPENROUTER_*", "DEEPSEEK_*", "MISTRAL_*", "GROQ_*", "XAI_*", "COHERE_*", "TOGETHER_*", "TOGETHERAI_*",
    "FIREWORKS_*", "PERPLEXITY_*", "CEREBRAS_*", "OLLAMA_*",
    "CURSOR_API_KEY", "AMP_API_KEY",
  ]
  static let anthropic = ["ANTHROPIC_*", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX"]
  static let openAI = ["OPENAI_*", "AZURE_OPENAI_*"]
  static let google = ["GEMINI_*", "GOOGLE_API_KEY", "GOOGLE_GENAI_*"]

  public static func matches(_ name: String, _ pattern: String) -> Bool {
    pattern.hasSuffix("*") ? name.hasPrefix(pattern.dropLast()) : name == pattern
  }

  public static func isProviderKey(_ name: String) -> Bool { known.contains { matches(name, $0) } }
}

extension AgentProfile {
  /// Of `names` (what the worker would inherit), the vendor variables
  /// this agent does not use: neither in `pass_env` nor set by `env`. A
  /// profile without `pass_env` (one a person declares) keeps them all.
  public func providerKeysToDrop(from names: some Sequence<String>) -> [String] {
    guard let passEnv else { return [] }
    return Set(names).filter { name in
      ProviderKeys.isProviderKey(name) && env[name] == nil && !passEnv.contains { ProviderKeys.matches(name, $0) }
    }.sorted()
  }
}
