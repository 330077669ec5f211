/// Sentences for the model layer's errors, so a command that prints one says what is wrong in words instead of
/// dumping a Swift enum (`safetensors(TernModel.SafetensorsError.badHeaderLength(…))`). The command adds the file.

extension JSONError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .syntax(let offset, let problem): "JSON syntax error at byte \(offset): \(problem)"
        case .duplicateKey(let key): "JSON object has the key \"\(key)\" twice"
        case .tooDeep(let limit): "JSON nests deeper than \(limit) levels"
        case .nonFiniteNumber: "a number is NaN or infinite, which JSON cannot spell"
        }
    }
}

extension SafetensorsError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tooShort(let bytes): "not a safetensors file: \(bytes) bytes, shorter than the 8-byte header length"
        case .badHeaderLength(let length, let fileBytes):
            "not a safetensors file: its header length field says \(length) bytes, the file has \(fileBytes)"
        case .badHeaderJSON(let problem): "the safetensors header is not valid JSON (\(problem))"
        case .badEntry(let tensor, let problem): "tensor \(tensor): \(problem)"
        case .unsupportedDType(let tensor, let dtype): "tensor \(tensor) has dtype \(dtype), which tern does not read"
        case .badOffsets(let tensor, let problem): "tensor \(tensor) has bad data offsets: \(problem)"
        case .overlap(let tensor, let other): "tensors \(tensor) and \(other) overlap"
        case .unreferencedData(let offset): "bytes from data offset \(offset) belong to no tensor"
        case .sizeMismatch(let tensor, let expected, let actual):
            "tensor \(tensor): its shape needs \(expected) bytes, \(actual) given"
        }
    }
}

extension ArchitectureError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .badInput(let problem): "architecture input: \(problem)"
        case .noWeightLayers: "the architecture has no weight layer"
        case .badLayer(let layer, let kind, let problem): "architecture layer \(layer) (\(kind)): \(problem)"
        case .missingActivation(let layer): "architecture layer \(layer) needs an activation"
        case .lastLayerHasActivation(let layer):
            "architecture layer \(layer) is the last weight layer (it produces logits) and must have no activation"
        case .layerAfterLastWeightLayer(let layer): "architecture layer \(layer) follows the last weight layer"
        case .badActivation(let layer, let problem): "architecture layer \(layer): activation \(problem)"
        case .shapeMismatch(let layer, let problem): "architecture layer \(layer): \(problem)"
        case .json(let path, let problem): "architecture JSON at \(path): \(problem)"
        case .unknownBuiltin(let name, let known):
            "no built-in architecture \(name) (known: \(known.joined(separator: ", ")))"
        }
    }
}

extension CheckpointError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .io(let path, let problem): "\(path): \(problem)"
        case .json(let path, let problem): "model.json: \(path): \(problem)"
        case .architecture(let e): "model.json: \(e)"
        case .safetensors(let e): "\(Checkpoint.weightsFileName): \(e)"
        case .layerCount(let expected, let found):
            "the checkpoint has \(found) layer entries, its architecture \(expected)"
        case .tensorsOnMaxPool(let layer): "layer \(layer) is a max-pool but has tensors"
        case .missingTensors(let layer): "layer \(layer) has no tensors"
        case .missingTensor(_, let tensor): "tensor \(tensor) is missing"
        case .unexpectedTensor(let name): "tensor \(name) belongs to no layer of the architecture"
        case .wrongDType(let tensor, let expected, let found): "tensor \(tensor) is \(found), expected \(expected)"
        case .wrongShape(let tensor, let expected, let found):
            "tensor \(tensor) has shape \(found), expected \(expected)"
        case .badValue(let tensor, let index, let problem): "tensor \(tensor), element \(index): \(problem)"
        case .badField(let name, let problem): "model.json field \(name): \(problem)"
        }
    }
}

extension FoldingError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidCheckpoint(let e): "\(e)"
        case .noTernaryWeights(let layer):
            "layer \(layer) has no ternary weights (a float baseline cannot be folded into integers)"
        case .unsupportedActivationBits(let layer, let bits):
            "layer \(layer) has \(bits)-bit activations; the integer dataflow has 1 and 2"
        case .maxPoolNotAfterActivation(let layer): "max-pool layer \(layer) does not follow an activation"
        case .tooLarge(let layer, let problem): "layer \(layer) is too large: \(problem)"
        case .logitAffineOutOfRange(let layer, let channel):
            "layer \(layer), channel \(channel): the logit scale or bias does not fit in an Int32"
        }
    }
}

extension ModelError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .badInputShape(let c, let h, let w): "input shape \(c)×\(h)×\(w) is out of range"
        case .noLayers: "the network has no layers"
        case .badLayer(let layer, let problem): "layer \(layer): \(problem)"
        case .badImages(let problem): "the images do not fit the network: \(problem)"
        }
    }
}
