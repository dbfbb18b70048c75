/// Every key the validator knows, by where it may appear. The JSON Schema
/// test compares this with `schema/wt.schema.json`, so the two cannot drift.
public enum ManifestKeys {
  public static let byPlace: [String: [String]] = [
    "root": NodeReader.rootKeys,
    "settings": NodeReader.settingsKeys,
    "admission": NodeReader.admissionKeys,
    "agent": NodeReader.agentKeys,
    "dialog": NodeReader.dialogKeys,
    "host": NodeReader.hostKeys,
    "kubernetes": NodeReader.kubernetesKeys,
    "project": ProjectFields.keys + ["host", "budget", "sandbox"],
    "budget": NodeReader.budgetKeys,
    "projectBudget": NodeReader.budgetKeys.filter { $0 != "day" },
    "prices": NodeReader.priceKeys,
    "defaults": ProjectFields.keys.filter { $0 != "path" } + ["sandbox"],
    "sandbox": NodeReader.sandboxKeys,
    "projectBlock": ProjectFields.keys.filter { $0 != "path" },
    "select": ProjectFields.selectKeys,
    "merge": ProjectFields.mergeKeys,
    "gate_cache": ProjectFields.gateCacheKeys,
    "pr": ProjectFields.prKeys,
    "account": NodeReader.accountKeys,
  ]
}
