#!/usr/bin/env bash
# Extracts the first N images and labels of an IDX data set (MNIST layout; .gz or plain) into raw files the
# firmware links into flash: IMAGES_OUT holds N·rows·cols uint8 pixels back to back, LABELS_OUT N label bytes.
# Prefers the test split (t10k-*) when the directory holds both.
# Usage: extract-idx.sh DIR N IMAGES_OUT LABELS_OUT
# No pipefail: `head` closes the pipe early on purpose; the sizes are checked at the end instead.
set -eu
dir=$1 count=$2 images_out=$3 labels_out=$4

pick() { # pattern: the test split's file if present, else any match
    local f
    for f in "$dir"/t10k-$1* "$dir"/test-$1* "$dir"/*$1*; do [ -f "$f" ] && { echo "$f"; return; }; done
    echo "extract-idx: no *$1* file in $dir" >&2; exit 2
}
read_all() { case $1 in *.gz) gzip -dc "$1" ;; *) cat "$1" ;; esac; }

images=$(pick images) labels=$(pick labels)
header=$(read_all "$images" | head -c 16 | od -An -tu1 | tr -s ' \n' ' ')
set -- $header
[ "$3" = 8 ] && [ "$4" = 3 ] || { echo "extract-idx: $images is not an IDX uint8 image file" >&2; exit 2; }
available=$(( $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 ))
rows=$(( ${11} * 256 + ${12} )) cols=$(( ${15} * 256 + ${16} ))
(( count <= available )) || { echo "extract-idx: $images holds $available images, $count asked" >&2; exit 2; }
read_all "$images" | tail -c +17 | head -c $(( count * rows * cols )) > "$images_out.tmp"
read_all "$labels" | tail -c +9 | head -c "$count" > "$labels_out.tmp"
[ "$(stat -c %s "$images_out.tmp")" = $(( count * rows * cols )) ] && [ "$(stat -c %s "$labels_out.tmp")" = "$count" ] ||
    { echo "extract-idx: $images or $labels is truncated" >&2; exit 2; }
mv "$images_out.tmp" "$images_out"
mv "$labels_out.tmp" "$labels_out"
echo "extract-idx: $count images of ${rows}x${cols} from $images"
