import Testing
@testable import TernModel

@Suite struct JSONValueTests {
    @Test func roundTripKeepsTypesAndOrder() throws {
        let v: JSONValue = .object([
            "b": .array([.int(1), .double(0.1), .double(1e-5), .double(-2), .null, .bool(true)]),
            "a": .object(["z": "x\"y\n\u{1}é😀", "y": .array([])]),
            "big": .int(Int.max),
        ])
        let text = try v.serialized()
        #expect(try JSONValue.parse(text) == v)
        #expect(try JSONValue.parse(text).serialized() == text)
        #expect(text.hasPrefix("{\n  \"a\""))
        #expect(try JSONValue.parse(v.compactSerialized()) == v)
    }

    @Test func rejectsMalformedInput() {
        for bad in ["", "{", "[1,]", "{\"a\":1,\"a\":2}", "01", "1.", "nul", "\"\\x\"", "[1] 2", "\"\u{1}\"", "1e999"] {
            #expect(throws: JSONError.self, "\(bad)") { try JSONValue.parse(bad) }
        }
        #expect(throws: JSONError.tooDeep(limit: JSONValue.maximumDepth)) {
            try JSONValue.parse(String(repeating: "[", count: 100))
        }
        #expect(throws: JSONError.nonFiniteNumber) { try JSONValue.double(.nan).serialized() }
    }

    @Test func numbersParseAsWritten() throws {
        #expect(try JSONValue.parse("-12") == .int(-12))
        #expect(try JSONValue.parse("2.0") == .double(2))
        #expect(try JSONValue.parse("1E-5") == .double(1e-5))
        #expect(try JSONValue.parse("\"\\ud83d\\ude00\"") == .string("😀"))
    }
}
