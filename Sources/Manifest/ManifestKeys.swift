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
    "project": ProjectFields.keys + ["host", "sandbox"],
    "defaults": ProjectFields.keys.filter { $0 != "path" } + ["sandbox"],
    "sandbox": NodeReader.sandboxKeys,
    "projectBlock": ProjectFields.keys.filter { $0 != "path" },
    "select": ProjectFields.selectKeys,
    "account": NodeReader.accountKeys,
  ]
}
