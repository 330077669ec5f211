# Sourced by tools/fuzz/parser and tools/fuzz/inference: builds the dependency-free modules with libFuzzer coverage
# and AddressSanitizer into "$work", one module at a time (TernRuntime imports the other two, so they cannot be
# compiled as one module the way tools/fuzz/inflate compiles TernInflate with its target).
# Usage: build_modules WORK MODULE...
FUZZ_FLAGS=(-O -sanitize=fuzzer,address -parse-as-library -wmo)
build_modules() {
    local work=$1; shift
    local module
    for module in "$@"; do
        swiftc "${FUZZ_FLAGS[@]}" -module-name "$module" -I "$work" -emit-module \
            -emit-module-path "$work/$module.swiftmodule" -c Sources/"$module"/*.swift -o "$work/$module.o"
    done
}
