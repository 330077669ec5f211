#!/usr/bin/env bash
# Rebuilds the committed test-image samples from the full datasets:
#   Models/samples/{mnist,fashion-mnist}/t10k-{images-idx3,labels-idx1}-ubyte.gz   (IDX, header counts corrected)
#   Models/samples/cifar10/test_batch.bin.gz                                      (CIFAR-10 binary records)
# Each holds the first N (default 200) images of the test set with their labels, in the dataset's own format, so
# the dataset loaders read them like the real thing. gzip -9n (no name, no time stamp) makes the files reproducible.
#
# Usage: Models/samples/make-samples.sh [DATASETS_DIR]   (default: ../shared/datasets next to the repository)
set -euo pipefail

count=${N:-200}
here=$(cd "$(dirname "$0")" && pwd)
source_dir=${1:-$here/../../../shared/datasets}

# The first `bytes` bytes of a gzip'd file (the writer stops reading early, so ignore gunzip's SIGPIPE).
head_of() { (set +o pipefail; gunzip -c "$1" | head -c "$2"); }

# A 32-bit big-endian integer as raw bytes.
be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }

# IDX: magic (4 bytes), count (4), then for images rows (4), cols (4); data follows.
idx_sample() {
    local from=$1 to=$2 header=$3 record=$4
    local tmp
    tmp=$(mktemp)
    {
        head_of "$from" 4
        be32 "$count"
        head_of "$from" "$header" | tail -c +9
        head_of "$from" $((header + count * record)) | tail -c +$((header + 1))
    } > "$tmp"
    local expected=$((header + count * record))
    [ "$(stat -c %s "$tmp")" -eq "$expected" ] || { echo "error: $from is shorter than $count records" >&2; exit 1; }
    gzip -9n < "$tmp" > "$to"
    rm -f "$tmp"
}

for dataset in mnist fashion-mnist; do
    mkdir -p "$here/$dataset"
    idx_sample "$source_dir/$dataset/t10k-images-idx3-ubyte.gz" "$here/$dataset/t10k-images-idx3-ubyte.gz" 16 784
    idx_sample "$source_dir/$dataset/t10k-labels-idx1-ubyte.gz" "$here/$dataset/t10k-labels-idx1-ubyte.gz" 8 1
done

# CIFAR-10 binary: records of 1 label byte + 3072 pixel bytes (R, G, B planes), no header.
mkdir -p "$here/cifar10"
tmp=$(mktemp)
head_of "$source_dir/cifar10/test_batch.bin.gz" $((count * 3073)) > "$tmp"
[ "$(stat -c %s "$tmp")" -eq $((count * 3073)) ] || { echo "error: CIFAR-10 test batch too short" >&2; exit 1; }
gzip -9n < "$tmp" > "$here/cifar10/test_batch.bin.gz"
rm -f "$tmp"
install -m 644 "$source_dir/cifar10/batches.meta.txt" "$here/cifar10/batches.meta.txt"

(cd "$here" && sha256sum */*.gz)
