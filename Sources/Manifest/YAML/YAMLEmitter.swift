import CYAML
import Foundation

/// A YAML value to print: what wt writes for another program to read
/// (`wt host manifest --kubernetes`). Strings are always strings: one that
/// a reader would take for a number, a boolean or null is quoted, and
/// libyaml quotes whatever plain style cannot hold (a colon and a space, a
/// leading `-`, a newline), so no value written by a person changes the
/// document's shape.
public indirect enum YAMLValue: Equatable, Sendable {
  case string(String)
  case int(Int)
  case bool(Bool)
  case sequence([YAMLValue])
  /// Keys in the order given.
  case mapping([(String, YAMLValue)])

  public static func == (a: YAMLValue, b: YAMLValue) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)): x == y
    case (.int(let x), .int(let y)): x == y
    case (.bool(let x), .bool(let y)): x == y
    case (.sequence(let x), .sequence(let y)): x == y
    case (.mapping(let x), .mapping(let y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
    default: false
    }
  }
}

/// Prints `YAMLValue`s with libyaml's emitter (https://pyyaml.org/wiki/LibYAML),
/// never by joining strings.
public enum YAMLEmitter {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// The documents, each starting with `---`, as one text.
  public static func emit(_ documents: [YAMLValue]) throws -> String {
    let writer = try Writer()
    try writer.send { yaml_stream_start_event_initialize(&$0, YAML_UTF8_ENCODING) }
    for document in documents {
      try writer.send { yaml_document_start_event_initialize(&$0, nil, nil, nil, 0) }
      try writer.value(document)
      try writer.send { yaml_document_end_event_initialize(&$0, 1) }
    }
    try writer.send { yaml_stream_end_event_initialize(&$0) }
    return try writer.finish()
  }

  /// One libyaml emitter writing into memory.
  private final class Writer {
    var emitter = yaml_emitter_t()
    let buffer = OutputBuffer()

    init() throws {
      guard yaml_emitter_initialize(&emitter) == 1 else { throw Failure(description: "libyaml could not start an emitter") }
      yaml_emitter_set_output(&emitter, { context, bytes, size in
        guard let context, let bytes else { return 0 }
        Unmanaged<OutputBuffer>.fromOpaque(context).takeUnretainedValue().data.append(bytes, count: size)
        return 1
      }, Unmanaged.passUnretained(buffer).toOpaque())
      yaml_emitter_set_unicode(&emitter, 1)
      yaml_emitter_set_width(&emitter, -1)
      yaml_emitter_set_indent(&emitter, 2)
    }

    deinit { yaml_emitter_delete(&emitter) }

    func send(_ make: (inout yaml_event_t) -> Int32) throws {
      var event = yaml_event_t()
      guard make(&event) == 1 else { throw Failure(description: "libyaml could not make an event") }
      guard yaml_emitter_emit(&emitter, &event) == 1 else {
        throw Failure(description: "libyaml: " + (emitter.problem.map { String(cString: $0) } ?? "emitter error"))
      }
    }

    /// libyaml copies the value; it quotes what plain style cannot hold.
    func scalar(_ text: String, plain: Bool) throws {
      try send { event in
        var bytes = Array(text.utf8) + [0]
        return bytes.withUnsafeMutableBufferPointer { buffer in
          yaml_scalar_event_initialize(
            &event, nil, nil, buffer.baseAddress!, Int32(buffer.count - 1), 1, 1,
            plain ? YAML_PLAIN_SCALAR_STYLE : YAML_SINGLE_QUOTED_SCALAR_STYLE)
        }
      }
    }

    func value(_ v: YAMLValue) throws {
      switch v {
      case .string(let s): try scalar(s, plain: !looksLikeAnotherType(s))
      case .int(let n): try scalar(String(n), plain: true)
      case .bool(let b): try scalar(b ? "true" : "false", plain: true)
      case .sequence(let items):
        try send { yaml_sequence_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE) }
        for item in items { try value(item) }
        try send { yaml_sequence_end_event_initialize(&$0) }
      case .mapping(let pairs):
        try send { yaml_mapping_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE) }
        for (k, item) in pairs {
          try value(.string(k))
          try value(item)
        }
        try send { yaml_mapping_end_event_initialize(&$0) }
      }
    }

    func finish() throws -> String {
      guard yaml_emitter_flush(&emitter) == 1 else { throw Failure(description: "libyaml could not finish the text") }
      return String(decoding: buffer.data, as: UTF8.self)
    }
  }

  /// Whether a YAML 1.1 or 1.2 reader would take the plain text for
  /// something other than a string: null, a boolean, a number
  /// (https://yaml.org/type/bool.html, https://yaml.org/spec/1.2.2/#1032-tag-resolution).
  static func looksLikeAnotherType(_ text: String) -> Bool {
    let words: Set<String> = [
      "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO",
      "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", ".inf", ".Inf", ".INF", "-.inf", "+.inf", ".nan", ".NaN", ".NAN",
    ]
    if words.contains(text) { return true }
    let number = #"^[-+]?(0|[0-9][0-9_]*|0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9_]+([eE][-+]?[0-9]+)?|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?)$"#
    return text.range(of: number, options: .regularExpression) != nil
  }
}

private final class OutputBuffer {
  var data = Data()
}
