import Foundation

/// The JSON form of an `Architecture` (docs/CHECKPOINT.md), shared by `model.json` and `Models/architectures/*.json`.
extension Architecture {
    /// The architecture as a JSON object (the checkpoint embeds it as is).
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name),
            "input": .object([
                "channels": .int(input.channels), "height": .int(input.height), "width": .int(input.width),
                "scale": .double(input.scale), "offset": .double(input.offset),
            ]),
            "layers": .array(layers.map(\.json)),
        ]
        if let note { object["note"] = .string(note) }
        return .object(object)
    }

    /// Reads the JSON form and checks it with `inferShapes()`, so a returned architecture is always usable.
    public init(json: JSONValue) throws(ArchitectureError) {
        let r = JSONReader(path: "architecture")
        let o = try r.object(json)
        try r.onlyKeys(o, ["name", "input", "layers", "note"])
        let inputReader = r.child("input")
        let i = try inputReader.object(try r.member(o, "input"))
        try inputReader.onlyKeys(i, ["channels", "height", "width", "scale", "offset"])
        let input = Input(
            channels: try inputReader.int(i, "channels"), height: try inputReader.int(i, "height"),
            width: try inputReader.int(i, "width"), scale: try inputReader.double(i, "scale"),
            offset: try inputReader.double(i, "offset"))
        let layerValues = try r.array(try r.member(o, "layers"), key: "layers")
        var layers: [Layer] = []
        for (n, value) in layerValues.enumerated() {
            layers.append(try Layer(json: value, reader: r.child("layers[\(n)]")))
        }
        let note: String? = o["note"] == nil ? nil : try r.string(o, "note")
        self.init(name: try r.string(o, "name"), input: input, layers: layers, note: note)
        _ = try inferShapes()
    }

    /// Reads and checks an architecture file.
    public static func load(path: String) throws(ArchitectureError) -> Architecture {
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw .json(path: path, problem: "cannot read: \(error.localizedDescription)")
        }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes: bytes) } catch { throw .json(path: path, problem: "\(error)") }
        return try Architecture(json: value)
    }

    /// The file text: sorted keys, deterministic.
    public func serialized() throws(ArchitectureError) -> String {
        _ = try inferShapes()
        do { return try json.serialized() } catch { throw .json(path: "architecture", problem: "\(error)") }
    }
}

extension Architecture.Activation {
    public var json: JSONValue {
        .object([
            "bits": .int(bits), "thresholds": .array(thresholds.map { .double($0) }),
            "scale": .double(scale), "offset": .double(offset),
        ])
    }
}

extension Architecture.Layer {
    public var json: JSONValue {
        switch self {
        case .dense(let out, let activation):
            var o: [String: JSONValue] = ["kind": "dense", "out": .int(out)]
            if let activation { o["activation"] = activation.json }
            return .object(o)
        case .conv(let out, let kernel, let padding, let activation):
            var o: [String: JSONValue] = [
                "kind": "conv", "out": .int(out), "kernel": .int(kernel), "padding": .int(padding),
            ]
            if let activation { o["activation"] = activation.json }
            return .object(o)
        case .maxPool(let size):
            return .object(["kind": "maxpool", "size": .int(size)])
        }
    }

    fileprivate init(json: JSONValue, reader r: JSONReader) throws(ArchitectureError) {
        let o = try r.object(json)
        let kind = try r.string(o, "kind")
        var activation: Architecture.Activation?
        if let a = o["activation"] {
            let ar = r.child("activation")
            let ao = try ar.object(a)
            try ar.onlyKeys(ao, ["bits", "thresholds", "scale", "offset"])
            let taus = try ar.array(try ar.member(ao, "thresholds"), key: "thresholds")
            var thresholds: [Double] = []
            for t in taus {
                guard let d = t.doubleValue else { throw .json(path: ar.path + ".thresholds", problem: "not a number") }
                thresholds.append(d)
            }
            activation = .init(bits: try ar.int(ao, "bits"), thresholds: thresholds,
                               scale: try ar.double(ao, "scale"), offset: try ar.double(ao, "offset"))
        }
        switch kind {
        case "dense":
            try r.onlyKeys(o, ["kind", "out", "activation"])
            self = .dense(out: try r.int(o, "out"), activation: activation)
        case "conv":
            try r.onlyKeys(o, ["kind", "out", "kernel", "padding", "activation"])
            self = .conv(out: try r.int(o, "out"), kernel: try r.int(o, "kernel"), padding: try r.int(o, "padding"),
                         activation: activation)
        case "maxpool":
            try r.onlyKeys(o, ["kind", "size"])
            self = .maxPool(size: try r.int(o, "size"))
        default:
            throw .json(path: r.path + ".kind", problem: "unknown layer kind '\(kind)' (dense, conv, maxpool)")
        }
    }
}

/// Typed field access with errors that name the JSON path.
private struct JSONReader {
    let path: String

    func child(_ key: String) -> JSONReader { JSONReader(path: path + "." + key) }

    func object(_ v: JSONValue) throws(ArchitectureError) -> [String: JSONValue] {
        guard let o = v.objectValue else { throw .json(path: path, problem: "expected an object, found \(v.typeName)") }
        return o
    }

    func array(_ v: JSONValue, key: String) throws(ArchitectureError) -> [JSONValue] {
        guard let a = v.arrayValue else {
            throw .json(path: path + "." + key, problem: "expected an array, found \(v.typeName)")
        }
        return a
    }

    func member(_ o: [String: JSONValue], _ key: String) throws(ArchitectureError) -> JSONValue {
        guard let v = o[key] else { throw .json(path: path + "." + key, problem: "missing") }
        return v
    }

    func onlyKeys(_ o: [String: JSONValue], _ allowed: Set<String>) throws(ArchitectureError) {
        if let extra = o.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .json(path: path + "." + extra, problem: "unknown key")
        }
    }

    func int(_ o: [String: JSONValue], _ key: String) throws(ArchitectureError) -> Int {
        let v = try member(o, key)
        guard let i = v.intValue else { throw .json(path: path + "." + key, problem: "expected an integer") }
        return i
    }

    func double(_ o: [String: JSONValue], _ key: String) throws(ArchitectureError) -> Double {
        let v = try member(o, key)
        guard let d = v.doubleValue else { throw .json(path: path + "." + key, problem: "expected a number") }
        return d
    }

    func string(_ o: [String: JSONValue], _ key: String) throws(ArchitectureError) -> String {
        let v = try member(o, key)
        guard let s = v.stringValue else { throw .json(path: path + "." + key, problem: "expected a string") }
        return s
    }
}
